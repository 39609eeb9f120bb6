package io.speedling.openstack.components;

import io.speedling.core.tasks.Task;

import io.speedling.core.FileSpec;
import io.speedling.core.functions.WriteFile;
import io.speedling.openstack.Component;
import io.speedling.openstack.Deploy;
import io.speedling.openstack.Inventory;
import io.speedling.openstack.DistroFamily;
import io.speedling.openstack.Openrc;
import java.util.List;
import java.util.Map;

/** The openstack command line client, with admin and demo credentials in /root on the controller. */
public final class OpenStackClient extends Component {
    private final Keystone keystone;

    public OpenStackClient(Keystone keystone) {
        super("openstackclient");
        this.keystone = required(keystone, "openstackclient", "keystone", "new OpenStackClient(keystone)");
    }

    @Override
    public List<Component> requires() {
        return List.of(keystone);
    }

    /** Only the controllers run it. */
    @Override
    public List<String> packagesOn(io.speedling.openstack.Inventory inventory, String node) {
        return onControllersOnly(inventory, node);
    }

    @Override
    public Map<DistroFamily, List<String>> packages() {
        return Pkgs.of(List.of("python3-openstackclient"), List.of("python3-openstackclient"),
                List.of("python3-openstackclient"));
    }

    @Override
    public List<String> services() {
        return List.of();
    }

    /** Done when the openrc files are on the controllers (each can act when another is down). */
    public Task<?> openrc(Deploy d) {
        return planned(d, "openrc");
    }

    @Override
    protected void plan(Deploy d) {
        d.task(name() + ".openrc", ctx -> {
            String url = keystone.url(d);
            var ctl = d.withRole(Inventory.CONTROLLER);
            ctl.call(WriteFile.text("/root/admin-openrc.sh", Openrc.admin(d, url), FileSpec.mode(0600)));
            ctl.call(WriteFile.text("/root/demo-openrc.sh", Openrc.demo(d, url), FileSpec.mode(0600)));
            return null;
        });
    }
}
