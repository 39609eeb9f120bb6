package io.speedling.examples;

import io.speedling.core.Fleet;
import io.speedling.core.functions.Sh;
import io.speedling.openstack.AllInOne;
import io.speedling.openstack.DeployResult;
import io.speedling.openstack.ServiceRegistry;
import io.speedling.openstack.components.Keystone;
import io.speedling.openstack.components.OpenStackClient;
import io.speedling.virt.nodes.Cluster;
import java.util.List;

/**
 * Adds a component of the caller's own ({@link Tenants}) to a keystone-only all-in-one cloud,
 * deploys it, logs in as each tenant on the node, and removes everything again.
 *
 * <pre>
 * CustomComponentExample [--slice 3] [--keep] alice bob ...
 * </pre>
 */
public final class CustomComponentExample {
    public static void main(String[] args) {
        int slice = 3;
        boolean keep = false;
        List<String> names = new java.util.ArrayList<>();
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--slice" -> slice = Integer.parseInt(args[++i]);
                case "--keep" -> keep = true;
                default -> names.add(args[i]);
            }
        }
        System.out.println(run("custom", slice, names.isEmpty() ? List.of("alice", "bob") : names, keep));
    }

    /** Deploys, logs in as every tenant, returns each tenant's token scope ("alice: project alice" lines). */
    public static String run(String name, int slice, List<String> tenants, boolean keep) {
        // ours is registered like the built-in services: by name, with what it needs and how it is made
        ServiceRegistry services = ServiceRegistry.builtIn().with("tenants", List.of("keystone", "openstackclient"),
                w -> new Tenants(w.get(Keystone.class), w.get(OpenStackClient.class), tenants));
        AllInOne aio = AllInOne.named(name, slice).registry(services).services("tenants");
        try {
            Cluster cluster = aio.nodes(aio.image()).keep();
            try (Fleet fleet = AllInOne.connect(cluster)) {
                DeployResult r = aio.deployer().deploy(fleet);
                System.out.println(r.summary());
                StringBuilder out = new StringBuilder();
                for (String tenant : tenants) {
                    String project = fleet.node(AllInOne.NODE).call(Sh.checked(". /root/" + tenant + "-openrc.sh && "
                            + "openstack token issue -f value -c project_id")).stdout().strip();
                    String pname = fleet.node(AllInOne.NODE).call(Sh.checked(". /root/admin-openrc.sh && "
                            + "openstack project show -f value -c name " + project)).stdout().strip();
                    out.append(tenant).append(": project ").append(pname).append('\n');
                }
                return out.toString();
            }
        } finally {
            if (!keep) {
                aio.wipe();
            }
        }
    }
}
