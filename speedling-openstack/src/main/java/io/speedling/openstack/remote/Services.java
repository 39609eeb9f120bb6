package io.speedling.openstack.remote;

import io.speedling.core.Cmd;
import io.speedling.core.CommandResult;
import io.speedling.core.NodeContext;
import io.speedling.core.RemoteFunction;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Brings systemd units to running: enabled, started when stopped, restarted when {@code restart}
 * says their config or packages changed. Returns each unit's action: started, restarted, running, or
 * booting (systemd was starting it already, as at a node's boot: the start waited for it).
 *
 * <p>The units go to systemd together: one {@code systemctl start} (or restart) starts them at
 * once and returns when all are up, so services that announce readiness start side by side. They
 * are enabled without the SysV hooks (the init scripts' rc links, which a systemd node never
 * reads, cost a second of update-rc.d per unit) and without a manager reload (enabling only
 * changes what the next boot starts).
 */
public record Services(List<String> units, boolean restart) implements RemoteFunction<Map<String, String>> {
    @Override
    public Map<String, String> run(NodeContext node) {
        List<String> stopped = new ArrayList<>();
        Map<String, String> done = new LinkedHashMap<>();
        List<String> states = states(node);
        for (int i = 0; i < units.size(); i++) {
            String u = units.get(i);
            String state = states.get(i);
            boolean active = state.startsWith("active\n") || state.startsWith("reloading\n");  // as is-active
            // a unit systemd is starting already (at a node's boot, or someone else's start job) is joined
            // by the start below, which waits for it, and reported "booting": this deploy did not start it,
            // yet it has just come up (what waits for a started unit's readiness waits for it too); one
            // waiting to be restarted after a crash (auto-restart) is started, and reported so
            boolean starting = state.startsWith("activating\n") && !state.contains("auto-restart");
            if (!active) {
                stopped.add(u);
            }
            done.put(u, restart ? "restarted" : active ? "running" : starting ? "booting" : "started");
        }
        List<String> act = restart ? units : stopped;
        if (!act.isEmpty()) {
            List<String> argv = new ArrayList<>(List.of("systemctl", restart ? "restart" : "start"));
            argv.addAll(act);
            CommandResult r = node.run(argv.toArray(String[]::new));
            if (!r.ok() && !restartedBySystemd(node, act)) {
                StringBuilder why = new StringBuilder();
                for (String u : act) {
                    if (!node.run("systemctl", "is-active", "--quiet", u).ok()) {
                        // status shows the unit now (systemd may already be restarting it); the journal what failed
                        why.append('\n').append(node.run("systemctl", "status", "--no-pager", "-n", "0", u).stdout())
                                .append("journal of ").append(u).append(":\n").append(node.run("journalctl", "-u", u,
                                        "-n", "25", "--no-pager", "-o", "short-monotonic").stdout());
                    }
                }
                throw new IllegalStateException(String.join(" ", argv) + " failed: " + r.stderr().strip() + why);
            }
        }
        List<String> enable = new ArrayList<>();
        // one is-enabled for all: it prints each unit's state in turn (the exit status speaks for all at once)
        List<String> argv0 = new ArrayList<>(List.of("systemctl", "is-enabled"));
        argv0.addAll(units);
        List<String> enabled = node.run(argv0.toArray(String[]::new)).stdout().lines().map(String::strip).toList();
        for (int i = 0; i < units.size(); i++) {
            if (enabled.size() != units.size() ? !node.run("systemctl", "is-enabled", "--quiet", units.get(i)).ok()
                    : !ENABLED.contains(enabled.get(i))) {
                enable.add(units.get(i));
            }
        }
        if (!enable.isEmpty()) {
            List<String> argv = new ArrayList<>(List.of("systemctl", "enable", "--quiet", "--no-reload"));
            argv.addAll(enable);
            node.run(Cmd.of(argv).env(Map.of("SYSTEMCTL_SKIP_SYSV", "1"))).check();
        }
        return done;
    }

    /** What {@code systemctl is-enabled} answers with status 0 for (its manual's table). */
    private static final java.util.Set<String> ENABLED = java.util.Set.of("enabled", "enabled-runtime", "static",
            "alias", "indirect", "generated", "transient");

    /**
     * Each unit's "ActiveState\nSubState\n", from one {@code systemctl show} for all of them (two
     * systemctl runs per call instead of two per unit: a deploy makes ~50 such calls); unit by unit
     * when the answer does not hold one block per unit.
     */
    private List<String> states(NodeContext node) {
        List<String> argv = new ArrayList<>(List.of("systemctl", "show", "-p", "ActiveState", "-p", "SubState"));
        argv.addAll(units);
        List<String> out = new ArrayList<>();
        Map<String, String> block = new LinkedHashMap<>();
        for (String line : (node.run(argv.toArray(String[]::new)).stdout() + "\n").lines().toList()) {
            if (line.isBlank()) {
                if (!block.isEmpty()) {
                    out.add(block.getOrDefault("ActiveState", "") + "\n" + block.getOrDefault("SubState", "") + "\n");
                    block.clear();
                }
            } else if (line.contains("=")) {
                block.put(line.substring(0, line.indexOf('=')), line.substring(line.indexOf('=') + 1));
            }
        }
        if (out.size() == units.size()) {
            return out;
        }
        out.clear();
        for (String u : units) {
            out.add(node.run("systemctl", "show", "-p", "ActiveState", "-p", "SubState", "--value", u).stdout());
        }
        return out;
    }

    /**
     * Whether every unit of {@code units} that is not active has a restart policy and comes up by
     * it within 15 s, staying up for 2 s: a first start that fails at once (seen once with HAProxy on
     * a node booted seconds before) is retried by systemd, and the unit then runs as asked.
     */
    private static boolean restartedBySystemd(NodeContext node, List<String> units) {
        for (String u : units) {
            if (node.run("systemctl", "is-active", "--quiet", u).ok()) {
                continue;
            }
            if ("no".equals(node.run("systemctl", "show", "-p", "Restart", "--value", u).stdout().strip())) {
                return false;
            }
            CommandResult up = node.run("sh", "-c", "for i in $(seq 30); do systemctl is-active --quiet " + u
                    + " && sleep 2 && systemctl is-active --quiet " + u + " && exit 0; sleep 0.5; done; exit 1");
            if (!up.ok()) {
                return false;
            }
        }
        return true;
    }
}
