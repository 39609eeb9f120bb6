package io.speedling.openstack;

import java.util.List;
import java.util.stream.Collectors;

/**
 * Where a cloud's services are reached: the address every client (other services, the openstack
 * client, tests) uses for the APIs, the database and the broker, and the controllers' own
 * addresses for what each of them serves. In an all-in-one or controller + workers cloud the
 * address clients use is the controller's; with HA controllers it is the virtual IP in front of
 * them ({@link Inventory#virtualIp}). Components build every URL from here, so the same
 * components serve every topology.
 *
 * <pre>{@code
 * String glance = d.endpoints().url(9292);                // http://10.231.1.10:9292
 * String keystone = d.endpoints().url(5000, "/v3");       // http://10.231.1.10:5000/v3
 * String memcached = d.endpoints().memcachedServers();    // 10.231.1.10:11211
 * }</pre>
 *
 * @param host the address clients use: the single controller's, or the virtual IP
 * @param controllers every controller's own management address, in inventory order
 */
public record Endpoints(String host, List<String> controllers) {
    public Endpoints {
        if (host == null || host.isBlank()) {
            throw new IllegalArgumentException("endpoints need the address clients use");
        }
        controllers = List.copyOf(controllers);
        if (controllers.isEmpty()) {
            throw new IllegalArgumentException("endpoints need at least one controller address");
        }
    }

    /** {@code http://HOST:PORT}. */
    public String url(int port) {
        return "http://" + host + ":" + port;
    }

    /** {@code http://HOST:PORT/path} ({@code path} starts with a slash). */
    public String url(int port, String path) {
        return url(port) + path;
    }

    /** The SQL server's address. */
    public String sqlHost() {
        return host;
    }

    /** Every controller's memcached, comma-separated, as oslo.cache and keystonemiddleware want them. */
    public String memcachedServers() {
        return controllers.stream().map(ip -> ip + ":11211").collect(Collectors.joining(","));
    }

    /** The messaging URL with every controller's broker, so a client fails over between them. */
    public String transportUrl(String user, String password) {
        return "rabbit://" + controllers.stream().map(ip -> user + ":" + password + "@" + ip + ":5672")
                .collect(Collectors.joining(",")) + "/";
    }
}
