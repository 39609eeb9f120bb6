package io.speedling.virt.nodes;

import java.util.regex.Pattern;

/**
 * A network every slice gets one of: a host bridge, an IPv4 /24 taken from {@code ipv4Pool} (a /16:
 * slice N gets its Nth /24) and an IPv6 /64 from {@code ipv6Pool} (a /48: slice N gets subnet N).
 * With {@code nat}, nodes reach the outside (the package mirror) through the host.
 */
public record NetworkDef(String name, String ipv4Pool, String ipv6Pool, boolean nat) {
    private static final Pattern NAME = Pattern.compile("[a-z][a-z0-9]{0,5}");

    public NetworkDef {
        if (name == null || !NAME.matcher(name).matches()) {
            throw new IllegalArgumentException("network name '" + name + "' must be 1-6 lower-case letters or "
                    + "digits, starting with a letter (it becomes part of a bridge name)");
        }
        Ip.v4Pool(ipv4Pool, name);
        Ip.v6Pool(ipv6Pool, name);
    }

    /** The management network: 10.231.N.0/24 and fd5e:ed00:0:N::/64, with NAT. */
    public static NetworkDef management() {
        return new NetworkDef("mgmt", "10.231.0.0/16", "fd5e:ed00:0::/48", true);
    }

    /** A second, isolated network (for a provider NIC or storage traffic): 10.232.N.0/24, no NAT. */
    public static NetworkDef external() {
        return new NetworkDef("ext", "10.232.0.0/16", "fd5e:ed00:1::/48", false);
    }
}
