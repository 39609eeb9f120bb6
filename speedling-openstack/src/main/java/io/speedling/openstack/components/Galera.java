package io.speedling.openstack.components;

import io.speedling.core.CommandResult;
import io.speedling.core.Node;
import io.speedling.core.NodeGroup;
import io.speedling.core.functions.Sh;
import io.speedling.openstack.Deploy;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Brings MariaDB's Galera cluster on the controllers to every node synced, touching only what
 * needs it: a cluster with no primary component (a first deploy, or every node down) is
 * bootstrapped on the first controller and the others join it; a node that is down or outside the
 * primary component is started and joins by state transfer; a changed config restarts the nodes
 * one at a time, each back in sync before the next, so the cluster keeps its majority. A rerun
 * with everything synced and unchanged does nothing.
 */
final class Galera {
    private Galera() {
    }

    /** What a node says of its part in the cluster: "Primary" when it is in the primary component. */
    private static final String STATUS = "if systemctl is-active --quiet mariadb; then mysql -N -B -e "
            + "\"SHOW STATUS LIKE 'wsrep_cluster_status'\" 2>/dev/null | cut -f2; else echo down; fi";

    static void converge(Deploy d, NodeGroup ctl, boolean configChanged) {
        Map<String, CommandResult> status = ctl.call(new Sh(STATUS, false));
        List<Node> primary = new ArrayList<>();
        List<Node> down = new ArrayList<>();
        List<Node> outside = new ArrayList<>();
        for (Node n : ctl.nodes()) {
            String s = status.get(n.name()).stdout().strip();
            (s.equals("Primary") ? primary : s.equals("down") ? down : outside).add(n);
        }
        if (primary.isEmpty()) {
            Node first = ctl.nodes().get(0);
            // the first controller starts a new cluster from its own data; after a crash of every node
            // Galera marks no node safe to bootstrap from, and this one is taken as it is
            first.call(new Sh("if [ -f /var/lib/mysql/grastate.dat ]; then sed -i "
                    + "'s/^safe_to_bootstrap: 0/safe_to_bootstrap: 1/' /var/lib/mysql/grastate.dat; fi; "
                    + "systemctl stop mariadb; systemctl set-environment _WSREP_NEW_CLUSTER=--wsrep-new-cluster", true));
            try {
                d.services(NodeGroup.of(first), false, "mariadb");
            } finally {
                first.call(new Sh("systemctl unset-environment _WSREP_NEW_CLUSTER", true));
            }
            down.remove(first);
            outside.remove(first);
        } else if (configChanged) {
            // one at a time: the others keep the majority while each restarts and rejoins
            for (Node n : primary) {
                d.services(NodeGroup.of(n), true, "mariadb");
            }
        }
        // a stopped node starts and joins; one running outside the primary component restarts to join
        if (!down.isEmpty()) {
            d.services(NodeGroup.of(down), false, "mariadb");
        }
        if (!outside.isEmpty()) {
            d.services(NodeGroup.of(outside), true, "mariadb");
        }
        awaitSynced(ctl, 180);
    }

    /** Waits until every node is synced in one primary component of all of them. */
    private static void awaitSynced(NodeGroup ctl, int seconds) {
        String script = "i=0; while [ $i -lt " + (seconds * 2) + " ]; do "
                + "s=$(mysql -N -B -e \"SHOW STATUS LIKE 'wsrep_%'\" 2>/dev/null); "
                + "echo \"$s\" | grep -q '^wsrep_cluster_size." + ctl.size() + "$' "
                + "&& echo \"$s\" | grep -q '^wsrep_cluster_status.Primary$' "
                + "&& echo \"$s\" | grep -q '^wsrep_local_state_comment.Synced$' && exit 0; "
                + "i=$((i+1)); sleep 0.5; done; echo \"not synced after " + seconds + " s: $(echo \"$s\" | grep -E "
                + "'cluster_size|cluster_status|state_comment')\" >&2; exit 1";
        ctl.call(new Sh(script, true, seconds + 30L));
    }
}
