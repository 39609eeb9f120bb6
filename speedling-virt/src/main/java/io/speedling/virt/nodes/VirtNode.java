package io.speedling.virt.nodes;

import io.speedling.core.NodeSpec;
import io.speedling.core.SshTarget;
import java.nio.file.Path;

/** A running node: its plan, its SSH host key and the node handle for speedling-core. */
public record VirtNode(PlannedNode plan, String hostKey, Path identity) {
    public String name() {
        return plan.name();
    }

    public String address() {
        return plan.primary().ipv4();
    }

    /** The handle for {@code Fleet.builder().node(...)}: root over SSH with the slice's key. */
    public NodeSpec spec() {
        NodeSpec s = NodeSpec.ssh(name(), SshTarget.of(address()).user("root").identity(identity))
                .roles(plan.role().name());
        for (NodeAddress a : plan.addresses()) {
            s = s.data(a.network() + "_ipv4", a.ipv4()).data(a.network() + "_ipv6", a.ipv6())
                    .data(a.network() + "_iface", a.iface()).data(a.network() + "_mac", a.mac());
        }
        return s;
    }
}
