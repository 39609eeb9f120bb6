package io.speedling.examples;

import io.speedling.core.functions.Sh;
import io.speedling.openstack.CloudSpec;
import io.speedling.openstack.OpenStackCloud;
import io.speedling.openstack.ServiceRegistry;
import io.speedling.openstack.components.Keystone;
import io.speedling.openstack.components.OpenStackClient;
import java.util.List;

/**
 * Adds a component of the caller's own ({@link Tenants}) to a keystone-only all-in-one cloud
 * through the same spec every other way in uses, deploys it, logs in as each tenant on the node,
 * and removes everything again.
 *
 * <pre>
 * CustomComponentExample [--slice 3] alice bob ...
 * </pre>
 */
public final class CustomComponentExample {
    public static void main(String[] args) {
        int slice = 3;
        List<String> names = new java.util.ArrayList<>();
        for (int i = 0; i < args.length; i++) {
            if (args[i].equals("--slice")) {
                slice = Integer.parseInt(args[++i]);
            } else {
                names.add(args[i]);
            }
        }
        System.out.println(run("custom", slice, names.isEmpty() ? List.of("alice", "bob") : names));
    }

    /** Deploys, logs in as every tenant, returns each tenant's token scope ("alice: project alice" lines). */
    public static String run(String name, int slice, List<String> tenants) {
        // ours is registered like the built-in services: by name, with what it needs and how it is made
        ServiceRegistry services = ServiceRegistry.builtIn().with("tenants", List.of("keystone", "openstackclient"),
                w -> new Tenants(w.get(Keystone.class), w.get(OpenStackClient.class), tenants));
        CloudSpec spec = CloudSpec.allInOne().name(name).slice(slice).registry(services).services("tenants");
        try (OpenStackCloud cloud = OpenStackCloud.up(spec)) {
            StringBuilder out = new StringBuilder();
            for (String tenant : tenants) {
                String project = cloud.controller().call(Sh.checked(". /root/" + tenant + "-openrc.sh && "
                        + "openstack token issue -f value -c project_id")).stdout().strip();
                String pname = cloud.controller().call(Sh.checked(". /root/admin-openrc.sh && "
                        + "openstack project show -f value -c name " + project)).stdout().strip();
                out.append(tenant).append(": project ").append(pname).append('\n');
            }
            return out.toString();
        }
    }
}
