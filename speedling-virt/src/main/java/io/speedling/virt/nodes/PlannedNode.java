package io.speedling.virt.nodes;

import java.util.List;

/**
 * One node of a slice: its name (also its host name), role, index within the slice (which fixes
 * its addresses) and one address per network of its role, the first being the one SSH uses.
 */
public record PlannedNode(String name, Role role, int index, List<NodeAddress> addresses) {
    public PlannedNode {
        addresses = List.copyOf(addresses);
    }

    /** The address SSH and the deploy use: the node's first network. */
    public NodeAddress primary() {
        return addresses.get(0);
    }
}
