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
 * says their config or packages changed. Returns each unit's action: started, restarted or running.
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
        for (String u : units) {
            boolean active = node.run("systemctl", "is-active", "--quiet", u).ok();
            if (!active) {
                stopped.add(u);
            }
            done.put(u, restart ? "restarted" : active ? "running" : "started");
        }
        List<String> act = restart ? units : stopped;
        if (!act.isEmpty()) {
            List<String> argv = new ArrayList<>(List.of("systemctl", restart ? "restart" : "start"));
            argv.addAll(act);
            CommandResult r = node.run(argv.toArray(String[]::new));
            if (!r.ok()) {
                StringBuilder why = new StringBuilder();
                for (String u : act) {
                    if (!node.run("systemctl", "is-active", "--quiet", u).ok()) {
                        why.append('\n').append(node.run("systemctl", "status", "--no-pager", "-n", "20", u).stdout());
                    }
                }
                throw new IllegalStateException(String.join(" ", argv) + " failed: " + r.stderr().strip() + why);
            }
        }
        List<String> enable = new ArrayList<>();
        for (String u : units) {
            if (!node.run("systemctl", "is-enabled", "--quiet", u).ok()) {
                enable.add(u);
            }
        }
        if (!enable.isEmpty()) {
            List<String> argv = new ArrayList<>(List.of("systemctl", "enable", "--quiet", "--no-reload"));
            argv.addAll(enable);
            node.run(Cmd.of(argv).env(Map.of("SYSTEMCTL_SKIP_SYSV", "1"))).check();
        }
        return done;
    }
}
