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
 * needs it, in two steps: {@link #primary} bootstraps a cluster that has no primary component (a
 * first deploy, or every node down) on the first controller; {@link #join} starts the others,
 * which join by state transfer (at the same time: Galera gives each a synced donor in turn), and
 * applies a changed config by restarting the nodes one at a time, each back in sync before the
 * next, so the cluster keeps its majority. A rerun with everything synced and unchanged does
 * nothing.
 */
final class Galera {
    private Galera() {
    }

    /** What a node says of its part in the cluster: "Primary" when it is in the primary component. */
    private static final String STATUS = "if systemctl is-active --quiet mariadb; then mysql -N -B -e "
            + "\"SHOW STATUS LIKE 'wsrep_cluster_status'\" 2>/dev/null | cut -f2; else echo down; fi";

    /**
     * Makes sure the cluster has a primary component, bootstrapping it on the first controller when
     * none has (the others stay as they are, for {@link #join}); a changed config with a primary
     * component already there is applied by {@link #join}'s rolling restart. True when it bootstrapped.
     */
    static boolean primary(Deploy d, NodeGroup ctl) {
        if (!state(ctl).primary.isEmpty()) {
            return false;
        }
        Node first = ctl.nodes().get(0);
        // the first controller starts a new cluster from its own data; after a crash of every node
        // Galera marks no node safe to bootstrap from, and this one is taken as it is
        // (the data directory is /var/lib/mariadb from Debian testing's MariaDB 11.8 on)
        first.call(new Sh("for g in /var/lib/mysql/grastate.dat /var/lib/mariadb/grastate.dat; do [ -f $g ] && "
                + "sed -i 's/^safe_to_bootstrap: 0/safe_to_bootstrap: 1/' $g; done; "
                + "systemctl stop mariadb; systemctl set-environment _WSREP_NEW_CLUSTER=--wsrep-new-cluster", true));
        try {
            d.services(NodeGroup.of(first), false, "mariadb");
        } finally {
            first.call(new Sh("systemctl unset-environment _WSREP_NEW_CLUSTER", true));
        }
        return true;
    }

    /**
     * Brings every controller into the primary component: a stopped one starts and joins by state
     * transfer, one running outside it restarts to join; with {@code configChanged}, the nodes that
     * were already in it restart one at a time, each synced before the next. Ends when all are
     * synced.
     */
    static void join(Deploy d, NodeGroup ctl, boolean configChanged, boolean bootstrapped) {
        State s = state(ctl);
        if (configChanged && !bootstrapped) {
            // one at a time: the others keep the majority while each restarts and rejoins
            for (Node n : s.primary) {
                d.services(NodeGroup.of(n), true, "mariadb");
                awaitSynced(NodeGroup.of(n), s.primary.size(), 180);
            }
        }
        // the stopped ones together: a joiner waits (retrying every second) until a donor is free
        if (!s.down.isEmpty()) {
            d.services(NodeGroup.of(s.down), false, "mariadb");
        }
        for (Node n : s.outside) {
            d.services(NodeGroup.of(n), true, "mariadb");
        }
        awaitSynced(ctl, ctl.size(), 180);
    }

    /** The controllers by their part in the cluster. */
    private record State(List<Node> primary, List<Node> down, List<Node> outside) {
    }

    private static State state(NodeGroup ctl) {
        Map<String, CommandResult> status = ctl.call(new Sh(STATUS, false));
        State st = new State(new ArrayList<>(), new ArrayList<>(), new ArrayList<>());
        for (Node n : ctl.nodes()) {
            String s = status.get(n.name()).stdout().strip();
            (s.equals("Primary") ? st.primary : s.equals("down") ? st.down : st.outside).add(n);
        }
        return st;
    }

    /** Waits until every node of {@code nodes} is synced in a primary component of {@code size} nodes. */
    private static void awaitSynced(NodeGroup nodes, int size, int seconds) {
        String script = "i=0; while [ $i -lt " + (seconds * 2) + " ]; do "
                + "s=$(mysql -N -B -e \"SHOW STATUS LIKE 'wsrep_%'\" 2>/dev/null); "
                + "echo \"$s\" | grep -q '^wsrep_cluster_size." + size + "$' "
                + "&& echo \"$s\" | grep -q '^wsrep_cluster_status.Primary$' "
                + "&& echo \"$s\" | grep -q '^wsrep_local_state_comment.Synced$' && exit 0; "
                + "i=$((i+1)); sleep 0.5; done; echo \"not synced after " + seconds + " s: $(echo \"$s\" | grep -E "
                + "'cluster_size|cluster_status|state_comment')\" >&2; exit 1";
        nodes.call(new Sh(script, true, seconds + 30L));
    }
}
