package io.speedling.virt.nodes;

import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.UnknownHostException;

/** Address arithmetic for slices: /16 IPv4 pools split into /24s, /48 IPv6 pools into /64s. */
final class Ip {
    private Ip() {
    }

    static int[] v4Pool(String cidr, String network) {
        String[] p = cidr == null ? new String[0] : cidr.split("/");
        if (p.length != 2 || !p[1].equals("16")) {
            throw new IllegalArgumentException("IPv4 pool '" + cidr + "' of network " + network
                    + " must be a /16 (like 10.231.0.0/16): each slice takes one /24 of it");
        }
        byte[] b = parse(p[0], Inet4Address.class, cidr, network);
        if (b[2] != 0 || b[3] != 0) {
            throw new IllegalArgumentException("IPv4 pool '" + cidr + "' of network " + network
                    + " has host bits set; write it as " + (b[0] & 255) + "." + (b[1] & 255) + ".0.0/16");
        }
        return new int[] {b[0] & 255, b[1] & 255};
    }

    static String v6Prefix(String cidr, String network) {
        String[] p = cidr == null ? new String[0] : cidr.split("/");
        if (p.length != 2 || !p[1].equals("48")) {
            throw new IllegalArgumentException("IPv6 pool '" + cidr + "' of network " + network
                    + " must be a /48 (like fd5e:ed00:0::/48): each slice takes one /64 of it");
        }
        byte[] b = parse(p[0], Inet6Address.class, cidr, network);
        for (int i = 6; i < 16; i++) {
            if (b[i] != 0) {
                throw new IllegalArgumentException("IPv6 pool '" + cidr + "' of network " + network
                        + " has bits set beyond its /48");
            }
        }
        return String.format("%x:%x:%x", ((b[0] & 255) << 8) | (b[1] & 255), ((b[2] & 255) << 8) | (b[3] & 255),
                ((b[4] & 255) << 8) | (b[5] & 255));
    }

    static void v6Pool(String cidr, String network) {
        v6Prefix(cidr, network);
    }

    private static byte[] parse(String literal, Class<?> kind, String cidr, String network) {
        try {
            if (!literal.matches("[0-9a-fA-F:.]+")) {
                throw new UnknownHostException(literal);
            }
            InetAddress a = InetAddress.getByName(literal);
            if (!kind.isInstance(a)) {
                throw new UnknownHostException(literal);
            }
            return a.getAddress();
        } catch (UnknownHostException e) {
            throw new IllegalArgumentException("pool '" + cidr + "' of network " + network
                    + " is not a valid " + (kind == Inet4Address.class ? "IPv4" : "IPv6") + " prefix");
        }
    }
}
