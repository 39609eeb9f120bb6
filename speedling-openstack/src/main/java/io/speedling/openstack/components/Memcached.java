package io.speedling.openstack.components;

import io.speedling.core.FileSpec;
import io.speedling.core.functions.WriteFile;
import io.speedling.core.tasks.Task;
import io.speedling.openstack.Component;
import io.speedling.openstack.Deploy;
import io.speedling.openstack.DistroFamily;
import io.speedling.openstack.Inventory;
import java.util.List;
import java.util.Map;

/** Token and API caches for Keystone and the services, listening beyond localhost for other nodes. */
public final class Memcached extends Component {
    public Memcached() {
        this("memcached");
    }

    public Memcached(String name) {
        super(name);
    }

    @Override
    public List<Component> requires() {
        return List.of();
    }

    /** Only the controllers run it. */
    @Override
    public List<String> packagesOn(io.speedling.openstack.Inventory inventory, String node) {
        return onControllersOnly(inventory, node);
    }

    @Override
    public Map<DistroFamily, List<String>> packages() {
        return Pkgs.of(List.of("memcached", "python3-memcache"), List.of("memcached", "python3-memcached"),
                List.of("memcached", "python3-python-memcached"));
    }

    @Override
    public List<String> services() {
        return List.of("memcached");
    }

    /** Done when memcached runs. */
    public Task<?> started(Deploy d) {
        return planned(d, "start");
    }

    @Override
    protected void plan(Deploy d) {
        var ctl = d.withRole(Inventory.CONTROLLER);
        Task<Boolean> config = d.task(name() + ".config", ctx -> ctl.call(WriteFile.text("/etc/memcached.conf",
                "# written by speedling\n-d\nlogfile /var/log/memcached.log\n-m 128\n-p 11211\n-u memcache\n"
                        + "-l 0.0.0.0\n-c 4096\n-P /var/run/memcached/memcached.pid\n", FileSpec.mode(0644)))
                .containsValue(Boolean.TRUE));
        d.task(name() + ".start", ctx -> {
            d.services(ctl, ctx.want(config), "memcached");
            return null;
        }, config);
    }
}
