package io.speedling.virt.nodes;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The nodes of one slice and where they sit on its networks. Everything is derived from the slice
 * number and the node's index, so the same plan always gives the same names, bridges, MACs and
 * addresses:
 *
 * <pre>
 * bridge   spd{slice}-{network}                 (spd1-mgmt)
 * IPv4     {pool a.b}.{slice}.{10 + index}/24    (10.231.1.10), host end .1
 * IPv6     {pool /48}:{slice hex}::{10 + index hex}/64
 * MAC      52:54:00:{slice}:{network index}:{index}   (hex)
 * </pre>
 */
public final class SlicePlan {
    /** Node addresses are .10 to .249 of the slice's /24. */
    public static final int FIRST_HOST = 10;
    public static final int MAX_NODES = 240;
    public static final int MAX_SLICE = 255;

    private final int slice;
    private final String distro;
    private final List<NetworkDef> networks;
    private final List<PlannedNode> nodes;

    private SlicePlan(int slice, String distro, List<NetworkDef> networks, List<PlannedNode> nodes) {
        this.slice = slice;
        this.distro = distro;
        this.networks = List.copyOf(networks);
        this.nodes = List.copyOf(nodes);
    }

    public static Builder slice(int slice) {
        return new Builder(slice);
    }

    public int slice() {
        return slice;
    }

    public String distro() {
        return distro;
    }

    public List<NetworkDef> networks() {
        return networks;
    }

    public List<PlannedNode> nodes() {
        return nodes;
    }

    public PlannedNode node(String name) {
        return nodes.stream().filter(n -> n.name().equals(name)).findFirst()
                .orElseThrow(() -> new IllegalArgumentException("slice " + slice + " has no node '" + name + "'"));
    }

    public String bridge(NetworkDef n) {
        return bridgeName(slice, n.name());
    }

    static String bridgeName(int slice, String network) {
        return "spd" + slice + "-" + network;
    }

    /** The host's address on the network's bridge (the nodes' gateway), with prefix. */
    public String hostAddress4(NetworkDef n) {
        int[] p = Ip.v4Pool(n.ipv4Pool(), n.name());
        return p[0] + "." + p[1] + "." + slice + ".1";
    }

    public String hostAddress6(NetworkDef n) {
        return Ip.v6Prefix(n.ipv6Pool(), n.name()) + ":" + Integer.toHexString(slice) + "::1";
    }

    /**
     * An address of the network that no node gets: {@code .250} to {@code .254} of the slice's /24
     * ({@code k} 0 to 4), e.g. for a virtual IP that moves between nodes.
     */
    public String spareAddress4(NetworkDef n, int k) {
        if (k < 0 || k > 4) {
            throw new IllegalArgumentException("spare address " + k + " of network " + n.name() + ": give 0 to 4 (."
                    + (FIRST_HOST + MAX_NODES) + " to .254)");
        }
        int[] p = Ip.v4Pool(n.ipv4Pool(), n.name());
        return p[0] + "." + p[1] + "." + slice + "." + (FIRST_HOST + MAX_NODES + k);
    }

    public String subnet4(NetworkDef n) {
        int[] p = Ip.v4Pool(n.ipv4Pool(), n.name());
        return p[0] + "." + p[1] + "." + slice + ".0/24";
    }

    public NetworkDef network(String name) {
        return networks.stream().filter(n -> n.name().equals(name)).findFirst().orElseThrow(
                () -> new IllegalArgumentException("network '" + name + "' is not one of this slice's networks "
                        + networks.stream().map(NetworkDef::name).toList()));
    }

    /**
     * Returns {@code slice} when it is a slice number (0-{@value #MAX_SLICE}).
     *
     * @throws IllegalArgumentException naming the number and the range otherwise
     */
    public static int requireSlice(int slice) {
        if (slice < 0 || slice > MAX_SLICE) {
            throw new IllegalArgumentException("slice " + slice + " is outside the pools: slices are 0-"
                    + MAX_SLICE + " (each network's /16 pool gives one /24 per slice)");
        }
        return slice;
    }

    /** Builds a plan: {@code SlicePlan.slice(1).node("controller", 1).node("worker", 2).build()}. */
    public static final class Builder {
        private final int slice;
        private String distro = "debian";
        private NodeMatrix matrix = NodeMatrix.defaults();
        private final List<NetworkDef> networks = new ArrayList<>(List.of(NetworkDef.management(),
                NetworkDef.external()));
        private final Map<String, Integer> counts = new LinkedHashMap<>();

        private Builder(int slice) {
            this.slice = requireSlice(slice);
        }

        public Builder distro(String distro) {
            this.distro = distro;
            return this;
        }

        public Builder matrix(NodeMatrix m) {
            this.matrix = m;
            return this;
        }

        /** Replaces the networks (default: mgmt with NAT, ext without). */
        public Builder networks(NetworkDef... defs) {
            networks.clear();
            networks.addAll(List.of(defs));
            return this;
        }

        /** {@code count} nodes of {@code role}, named role-01, role-02 ... */
        public Builder node(String role, int count) {
            if (count < 1) {
                throw new IllegalArgumentException("node count " + count + " for role " + role + " must be at least 1");
            }
            counts.merge(role, count, Integer::sum);
            return this;
        }

        public SlicePlan build() {
            if (counts.isEmpty()) {
                throw new IllegalArgumentException("slice " + slice + " has no nodes: add some with node(role, count)");
            }
            int total = counts.values().stream().mapToInt(Integer::intValue).sum();
            if (total > MAX_NODES) {
                throw new IllegalArgumentException(total + " nodes do not fit in slice " + slice + ": a slice's /24 has "
                        + "addresses for " + MAX_NODES + " nodes (." + FIRST_HOST + " to ." + (FIRST_HOST + MAX_NODES - 1)
                        + ")");
            }
            Map<String, NetworkDef> byName = new LinkedHashMap<>();
            for (NetworkDef n : networks) {
                if (byName.put(n.name(), n) != null) {
                    throw new IllegalArgumentException("network '" + n.name() + "' is defined twice");
                }
            }
            List<PlannedNode> nodes = new ArrayList<>();
            int index = 0;
            for (Map.Entry<String, Integer> e : counts.entrySet()) {
                Role role = matrix.role(e.getKey(), distro);
                for (int i = 1; i <= e.getValue(); i++, index++) {
                    List<NodeAddress> addrs = new ArrayList<>();
                    for (int k = 0; k < role.networks().size(); k++) {
                        String netName = role.networks().get(k);
                        NetworkDef net = byName.get(netName);
                        if (net == null) {
                            throw new IllegalArgumentException("role " + role.name() + " joins network '" + netName
                                    + "' but the slice has only " + byName.keySet());
                        }
                        addrs.add(address(net, networks.indexOf(net), k, index));
                    }
                    nodes.add(new PlannedNode(String.format("%s-%02d", role.name(), i), role, index, addrs));
                }
            }
            return new SlicePlan(slice, distro, networks, nodes);
        }

        private NodeAddress address(NetworkDef net, int netIndex, int ifaceIndex, int index) {
            int[] p = Ip.v4Pool(net.ipv4Pool(), net.name());
            int host = FIRST_HOST + index;
            String v6 = Ip.v6Prefix(net.ipv6Pool(), net.name()) + ":" + Integer.toHexString(slice) + "::"
                    + Integer.toHexString(host);
            String mac = String.format("52:54:00:%02x:%02x:%02x", slice, netIndex, index);
            return new NodeAddress(net.name(), "eth" + ifaceIndex, mac, p[0] + "." + p[1] + "." + slice + "." + host, 24,
                    v6, 64, bridgeName(slice, net.name()), p[0] + "." + p[1] + "." + slice + ".1",
                    Ip.v6Prefix(net.ipv6Pool(), net.name()) + ":" + Integer.toHexString(slice) + "::1");
        }
    }
}
