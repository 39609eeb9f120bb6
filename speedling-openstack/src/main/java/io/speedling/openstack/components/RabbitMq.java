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

    /** The definitions the broker loads at its start: the OpenStack user (see {@link #definitions}). */
    static final String DEFINITIONS = "/etc/rabbitmq/speedling-definitions.json";

    /** The user every OpenStack service connects as. */
    static final String USER = "openstack";

    /**
     * RabbitMQ definitions holding the default virtual host and {@code user} with all permissions on it
     * and {@code password} as RabbitMQ stores it: base64 of a 4-byte salt followed by SHA-256 of
     * the salt and the password. The salt comes from the password, so the same password gives the
     * same definitions.
     */
    static String definitions(String user, String password) {
        try {
            byte[] pw = password.getBytes(java.nio.charset.StandardCharsets.UTF_8);
            java.security.MessageDigest sha = java.security.MessageDigest.getInstance("SHA-256");
            byte[] salt = java.util.Arrays.copyOf(sha.digest(("salt:" + password).getBytes(
                    java.nio.charset.StandardCharsets.UTF_8)), 4);
            sha.update(salt);
            byte[] digest = sha.digest(pw);
            byte[] stored = new byte[salt.length + digest.length];
            System.arraycopy(salt, 0, stored, 0, salt.length);
            System.arraycopy(digest, 0, stored, salt.length, digest.length);
            String hash = java.util.Base64.getEncoder().encodeToString(stored);
            // the default virtual host too: a broker given definitions at its first start makes none itself
            return "{\"vhosts\": [{\"name\": \"/\"}], \"users\": [{\"name\": \"" + user + "\", "
                    + "\"password_hash\": \"" + hash + "\", "
                    + "\"hashing_algorithm\": \"rabbit_password_hashing_sha256\", \"tags\": []}], "
                    + "\"permissions\": [{\"user\": \"" + user + "\", \"vhost\": \"/\", \"configure\": \".*\", "
                    + "\"write\": \".*\", \"read\": \".*\"}]}";
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java has SHA-256", e);
        }
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
            // the OpenStack user, its password's salted hash and its permissions, loaded by the broker at
            // each start: no rabbitmqctl run (an Erlang VM, ~1 s of CPU) and no password in a process list
            changed |= ctl.call(WriteFile.text("/etc/rabbitmq/rabbitmq.conf", "# written by speedling\n"
                    + "load_definitions = " + DEFINITIONS + "\n", FileSpec.mode(0644))).containsValue(Boolean.TRUE);
            changed |= ctl.call(new WriteFile(DEFINITIONS, definitions(USER, d.secret("rabbitmq-openstack"))
                    .getBytes(java.nio.charset.StandardCharsets.UTF_8), new FileSpec("root", "rabbitmq", 0640)))
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
        // the user came with the definitions at the broker's start (a joined broker has the cluster's)
        d.task(name() + ".user", ctx -> null, joined);
    }
}
