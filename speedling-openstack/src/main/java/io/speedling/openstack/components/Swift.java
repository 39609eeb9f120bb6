package io.speedling.openstack.components;

import io.speedling.core.NodeGroup;
import io.speedling.core.functions.Sh;
import io.speedling.core.tasks.Task;
import io.speedling.openstack.Component;
import io.speedling.openstack.Deploy;
import io.speedling.openstack.DistroFamily;
import io.speedling.openstack.Inventory;
import io.speedling.openstack.remote.KeystoneRegistrar;
import io.speedling.openstack.remote.Once;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Object storage: the proxy with Keystone auth on the controllers, account, container and object
 * servers on the storage nodes (nodes with the {@code storage} role, else the controllers), each
 * keeping its data in a directory ({@code /srv/node/d1}, mount checks off: no disk needed). The
 * rings are built at deploy time with one device per storage node and as many replicas as there
 * are storage nodes, up to three. Replicators and auditors are left off: a dev cloud's copies
 * are checked by its tests, not by background scans.
 */
public final class Swift extends Component {
    static final int PROXY_PORT = 8080;
    /** The role keystoneauth gives reseller rights (account quotas, any account): its default name. */
    public static final String RESELLER_ADMIN = "ResellerAdmin";
    private static final Map<String, Integer> SERVER_PORTS = Map.of("account", 6202, "container", 6201, "object",
            6200);
    private final Keystone keystone;
    private final Memcached memcached;

    public Swift(Keystone keystone, Memcached memcached) {
        super("swift");
        this.keystone = required(keystone, "swift", "keystone", "new Swift(keystone, memcached)");
        this.memcached = required(memcached, "swift", "memcached", "new Swift(keystone, memcached)");
    }

    @Override
    public List<Component> requires() {
        return List.of(keystone, memcached);
    }

    @Override
    public Map<DistroFamily, List<String>> packages() {
        return Pkgs.of(List.of("swift", "swift-proxy", "swift-account", "swift-container", "swift-object",
                "python3-keystonemiddleware"), List.of("openstack-swift-proxy", "openstack-swift-account",
                "openstack-swift-container", "openstack-swift-object"), List.of("openstack-swift-proxy",
                "openstack-swift-account", "openstack-swift-container", "openstack-swift-object"));
    }

    @Override
    public List<String> services() {
        return List.of("swift-proxy", "swift-account", "swift-container", "swift-object", "swift-container-updater",
                "swift-object-updater");
    }

    @Override
    public List<Frontend> frontends() {
        return List.of(Frontend.http("swift", PROXY_PORT, "/healthcheck"));
    }

    @Override
    public List<KeystoneRegistrar.ServiceDef> catalog(Deploy d) {
        return endpoint("swift", "object-store", d.endpoints().url(PROXY_PORT, "/v1/AUTH_%(project_id)s"));
    }

    @Override
    public List<KeystoneRegistrar.UserDef> users(Deploy d) {
        // the swift user also holds the reseller role, which makes it exist: tests of account quotas
        // (Tempest's) give it to their users
        return serviceUser(d, "swift", RESELLER_ADMIN);
    }

    /** Done when the proxy answers its health check. */
    public Task<?> ready(Deploy d) {
        return planned(d, "ready");
    }

    /** The storage nodes: those with the storage role, else the controllers. */
    static List<String> storageNodes(Inventory inv) {
        List<String> s = inv.nodesWith(Inventory.STORAGE);
        return s.isEmpty() ? inv.nodesWith(Inventory.CONTROLLER) : s;
    }

    /**
     * The Python that builds the three rings (one device per address, {@code replicas} copies) in
     * one process through Swift's own ring builder: what nine {@code swift-ring-builder} runs do,
     * without eight Python start-ups (8 s of CPU on a 2-core node, taken from the services starting
     * beside it).
     */
    static String ringScript(List<String> addresses, int replicas) {
        StringBuilder s = new StringBuilder("""
                import os, shutil
                from swift.common.ring import RingBuilder
                os.chdir('/etc/swift')
                """);
        for (String ring : List.of("account", "container", "object")) {
            s.append("b = RingBuilder(10, ").append(replicas).append(", 1)\n");
            for (String ip : addresses) {
                s.append("b.add_dev({'region': 1, 'zone': 1, 'ip': '").append(ip).append("', 'port': ")
                        .append(SERVER_PORTS.get(ring)).append(", 'replication_ip': '").append(ip)
                        .append("', 'replication_port': ").append(SERVER_PORTS.get(ring))
                        .append(", 'device': 'd1', 'weight': 100, 'meta': ''})\n");
            }
            // fewer zones than replicas only warns, as swift-ring-builder does
            s.append("b.rebalance()\n");
            s.append("b.save('").append(ring).append(".builder')\n");
            s.append("b.get_ring().save('").append(ring).append(".ring.gz')\n");
            s.append("for f in ('").append(ring).append(".builder', '").append(ring).append(".ring.gz'):\n");
            s.append("    shutil.chown(f, 'swift', 'swift')\n");
        }
        return s.toString();
    }

    @Override
    protected void plan(Deploy d) {
        Inventory inv = d.cloud().inventory();
        var proxies = d.withRole(Inventory.CONTROLLER);
        List<String> storageNodes = storageNodes(inv);
        NodeGroup storage = d.fleet().group(storageNodes.toArray(String[]::new));
        List<String> all = new ArrayList<>(inv.nodesWith(Inventory.CONTROLLER));
        storageNodes.stream().filter(n -> !all.contains(n)).forEach(all::add);
        NodeGroup everyone = d.fleet().group(all.toArray(String[]::new));
        Task<Boolean> config = d.task(name() + ".config", ctx -> {
            boolean changed = d.ini(everyone, "/etc/swift/swift.conf", Map.of("swift-hash", Map.of(
                    "swift_hash_path_suffix", d.secret("swift-hash-suffix"), "swift_hash_path_prefix",
                    d.secret("swift-hash-prefix"))), "swift");
            Map<String, Map<String, String>> proxy = new LinkedHashMap<>();
            proxy.put("pipeline:main", Map.of("pipeline", "catch_errors gatekeeper healthcheck proxy-logging cache "
                    + "listing_formats container_sync bulk ratelimit authtoken keystoneauth copy container-quotas "
                    + "account-quotas slo dlo versioned_writes symlink proxy-logging proxy-server"));
            proxy.put("app:proxy-server", Map.of("account_autocreate", "true"));
            Map<String, String> auth = new LinkedHashMap<>(d.authtoken("swift"));
            auth.put("paste.filter_factory", "keystonemiddleware.auth_token:filter_factory");
            auth.put("delay_auth_decision", "True");
            proxy.put("filter:authtoken", auth);
            proxy.put("filter:keystoneauth", Map.of("use", "egg:swift#keystoneauth", "operator_roles",
                    "admin,member"));
            proxy.put("filter:cache", Map.of("memcache_servers", d.endpoints().memcachedServers()));
            changed |= d.callEachIni(proxies, "/etc/swift/proxy-server.conf", n -> Inventory.overlay(proxy,
                    Map.of("DEFAULT", Map.of("bind_ip", d.ipOf(n), "bind_port", String.valueOf(PROXY_PORT), "workers",
                            "1"))), "swift");
            for (Map.Entry<String, Integer> server : SERVER_PORTS.entrySet()) {
                String kind = server.getKey();
                changed |= d.callEachIni(storage, "/etc/swift/" + kind + "-server.conf", n -> {
                    Map<String, Map<String, String>> conf = new LinkedHashMap<>();
                    conf.put("DEFAULT", Map.of("bind_ip", d.ipOf(n), "bind_port", String.valueOf(server.getValue()),
                            "devices", "/srv/node", "mount_check", "false", "workers", "1"));
                    if (kind.equals("container")) {
                        // object counts reach the account within seconds, not the default 5 minutes; the object
                        // updater keeps its 5 minutes: it only retries container updates that failed, and each
                        // sweep forks a Python process (at 10 s, 3.7 s of CPU in a deploy's first minute)
                        conf.put(kind + "-updater", Map.of("interval", "10"));
                    }
                    return conf;
                }, "swift");
            }
            storage.call(new Sh("install -d -o swift -g swift /srv/node/d1 /var/cache/swift", true));
            return changed;
        });
        List<String> addresses = storageNodes.stream().map(n -> d.ipOf(d.fleet().node(n))).toList();
        String rings = ringScript(addresses, Math.min(3, addresses.size()));
        Task<Boolean> ring = d.task(name() + ".rings", ctx -> {
            // built once on the first controller, then the same files everywhere they are read
            boolean built = d.onController(new Once("swift-rings", Integer.toHexString(rings.hashCode()),
                    List.of("python3", "-c", rings), Map.of(), null));
            if (all.size() > 1) {
                for (String ringFile : List.of("account", "container", "object")) {
                    byte[] gz = d.controller().call(new io.speedling.core.functions.ReadFile("/etc/swift/" + ringFile
                            + ".ring.gz"));
                    everyone.call(new io.speedling.core.functions.WriteFile("/etc/swift/" + ringFile + ".ring.gz", gz,
                            new io.speedling.core.FileSpec("swift", "swift", 0644)));
                }
            }
            return built;
        }, config);
        Task<Void> servers = d.task(name() + ".servers", ctx -> {
            // the updaters carry object counts up to containers and accounts (account stats, listings)
            d.services(storage, ctx.want(config) || ctx.want(ring), "swift-account", "swift-container",
                    "swift-object", "swift-container-updater", "swift-object-updater");
            return null;
        }, config, ring);
        // started while Keystone registers the catalog: the proxy checks tokens only once asked
        Task<Void> start = d.task(name() + ".start", ctx -> {
            d.services(proxies, ctx.want(config) || ctx.want(ring), "swift-proxy");
            return null;
        }, servers, keystone.answering(d), memcached.started(d));
        // ready for clients: answering, and in the catalog with its service user
        answering(d, "ready", d.endpoints().url(PROXY_PORT, "/healthcheck"), "swift-proxy", start,
                keystone.registered(d));
    }
}
