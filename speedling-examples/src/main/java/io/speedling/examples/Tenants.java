package io.speedling.examples;

import io.speedling.core.FileSpec;
import io.speedling.core.functions.WriteFile;
import io.speedling.openstack.Component;
import io.speedling.openstack.Deploy;
import io.speedling.openstack.DistroFamily;
import io.speedling.openstack.components.Keystone;
import io.speedling.openstack.components.OpenStackClient;
import io.speedling.openstack.remote.KeystoneRegistrar;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * A component of the caller's own: one project per tenant with a user of the same name (member
 * role, password generated per deployment and kept in the cloud's secrets), registered in the same
 * bulk Keystone call as the built-in users, and an openrc file per tenant on the controller.
 * It installs nothing and runs no service; it only needs Keystone and the client.
 */
public final class Tenants extends Component {
    private final Keystone keystone;
    private final OpenStackClient client;
    private final List<String> tenants;

    public Tenants(Keystone keystone, OpenStackClient client, List<String> tenants) {
        super("tenants");
        this.keystone = required(keystone, "tenants", "keystone", "new Tenants(keystone, client, names)");
        this.client = required(client, "tenants", "the openstack client", "new Tenants(keystone, client, names)");
        for (String t : tenants) {
            requireName("tenant", t, "");
        }
        this.tenants = List.copyOf(tenants);
    }

    @Override
    public List<Component> requires() {
        return List.of(keystone, client);
    }

    @Override
    public Map<DistroFamily, List<String>> packages() {
        Map<DistroFamily, List<String>> none = new java.util.EnumMap<>(DistroFamily.class);
        for (DistroFamily f : DistroFamily.values()) {
            none.put(f, List.of());
        }
        return none;
    }

    @Override
    public List<String> services() {
        return List.of();
    }

    @Override
    public List<KeystoneRegistrar.UserDef> users(Deploy d) {
        List<KeystoneRegistrar.UserDef> out = new ArrayList<>();
        for (String t : tenants) {
            out.add(new KeystoneRegistrar.UserDef(t, d.secret("tenant-" + t), t, List.of("member")));
        }
        return out;
    }

    @Override
    protected void plan(Deploy d) {
        d.task(name() + ".openrc", ctx -> {
            for (String t : tenants) {
                String rc = "export OS_AUTH_URL=" + keystone.url(d) + "\nexport OS_IDENTITY_API_VERSION=3\n"
                        + "export OS_USERNAME=" + t + "\nexport OS_PASSWORD='" + d.secret("tenant-" + t) + "'\n"
                        + "export OS_PROJECT_NAME=" + t + "\nexport OS_USER_DOMAIN_NAME=Default\n"
                        + "export OS_PROJECT_DOMAIN_NAME=Default\n";
                d.onController(WriteFile.text("/root/" + t + "-openrc.sh", rc, FileSpec.mode(0600)));
            }
            return null;
        }, keystone.registered(d), client.openrc(d));
    }
}
