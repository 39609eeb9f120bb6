package io.speedling.virt.nodes;

/**
 * A node's place on one network of its slice: interface name inside the node, deterministic MAC,
 * IPv4 and IPv6 addresses with prefix lengths, the host bridge and the gateway (the host's end).
 */
public record NodeAddress(String network, String iface, String mac, String ipv4, int ipv4Prefix, String ipv6,
                          int ipv6Prefix, String bridge, String gateway4, String gateway6) {
}
