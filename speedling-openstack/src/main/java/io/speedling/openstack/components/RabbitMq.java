package io.speedling.openstack.components;

import io.speedling.core.FileSpec;
import io.speedling.core.Node;
import io.speedling.core.functions.WriteFile;
import io.speedling.core.tasks.Task;
import io.speedling.openstack.Component;
import io.speedling.openstack.Deploy;
import io.speedling.openstack.DistroFamily;
import io.speedling.openstack.Inventory;
import io.speedling.openstack.remote.Once;
import java.util.List;
import java.util.Map;

/**
 * The message queue, with one user for every OpenStack service. With several controllers, a
 * RabbitMQ cluster across them: one Erlang cookie (from the cloud's secrets) on each, the others
 * joined to the first once; the services are given every broker ({@link Deploy#transportUrl}) and
 * declare quorum queues ({@link Deploy#messaging}), replicated on a majority of the brokers.
 */
public final class RabbitMq extends Component {
    public RabbitMq() {
        this("rabbitmq");
    }

    public RabbitMq(String name) {
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
        return Pkgs.of(List.of("rabbitmq-server"), List.of("rabbitmq-server"), List.of("rabbitmq-server"));
    }

    @Override
    public List<String> services() {
        return List.of("rabbitmq-server");
    }

    /** Done when the broker runs and the OpenStack messaging user exists. */
    public Task<?> userReady(Deploy d) {
        return planned(d, "user");
    }

    @Override
    protected void plan(Deploy d) {
        var ctl = d.withRole(Inventory.CONTROLLER);
        // Erlang's schedulers spin while idle by default: CPU that the Python services starting beside
        // the broker need on a small node
        boolean cluster = ctl.size() > 1;
        Task<Boolean> config = d.task(name() + ".config", ctx -> {
            boolean changed = ctl.call(WriteFile.text("/etc/rabbitmq/rabbitmq-env.conf", "# written by speedling\n"
                    + "SERVER_ADDITIONAL_ERL_ARGS=\"+sbwt none +sbwtdcpu none +sbwtdio none\"\n", FileSpec.mode(0644)))
                    .containsValue(Boolean.TRUE);
            if (cluster) {
                // the brokers of a cluster trust each other by one shared cookie
                changed |= ctl.call(new WriteFile("/var/lib/rabbitmq/.erlang.cookie", d.secret("rabbitmq-cookie")
                        .getBytes(java.nio.charset.StandardCharsets.US_ASCII), new FileSpec("rabbitmq", "rabbitmq", 0400)))
                        .containsValue(Boolean.TRUE);
            }
            return changed;
        });
        Task<Void> start = d.task(name() + ".start", ctx -> {
            d.services(ctl, ctx.want(config), "rabbitmq-server");
            return null;
        }, config);
        Task<Void> joined = !cluster ? start : d.task(name() + ".join", ctx -> {
            // once per node: a joined broker that restarts rejoins by itself; its queues are the cluster's.
            // One at a time: two brokers joining at once can fail to start their database ("mnesia_app"),
            // seen once in HighAvailabilityE2E
            String first = "rabbit@" + ctl.nodes().get(0).name();
            for (Node n : ctl.nodes().subList(1, ctl.size())) {
                n.call(new Once("rabbitmq-join", first, List.of("sh", "-c", "rabbitmqctl -q stop_app && "
                        + "rabbitmqctl -q join_cluster " + first + " && rabbitmqctl -q start_app"), Map.of(), null));
            }
            return null;
        }, start);
        d.task(name() + ".user", ctx -> {
            String pw = d.secret("rabbitmq-openstack");
            // rabbitmqctl starts an Erlang VM per call (~1-2 s): run it only when the password is new. The
            // password goes in on stdin from the shell's builtin printf, never as an argument that the
            // node's process list would show
            d.onController(new Once("rabbitmq-user", Integer.toHexString(pw.hashCode()), List.of("sh", "-c",
                    "printf '%s\\n' \"$P\" | rabbitmqctl -q add_user openstack 2>/dev/null"
                            + " || printf '%s\\n' \"$P\" | rabbitmqctl -q change_password openstack;"
                            + " rabbitmqctl -q set_permissions openstack '.*' '.*' '.*'"), Map.of("P", pw), null));
            return null;
        }, joined);
    }
}
