package io.speedling.openstack.remote;

import io.speedling.core.CommandResult;
import io.speedling.core.NodeContext;
import io.speedling.core.RemoteFunction;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Brings systemd units to running: enabled, started when stopped, restarted when {@code restart}
 * says their config or packages changed. Returns each unit's action: started, restarted or running.
 */
public record Services(List<String> units, boolean restart) implements RemoteFunction<Map<String, String>> {
    @Override
    public Map<String, String> run(NodeContext node) {
        Map<String, String> done = new LinkedHashMap<>();
        for (String u : units) {
            boolean active = node.run("systemctl", "is-active", "--quiet", u).ok();
            String action = restart ? "restarted" : active ? "running" : "started";
            if (!active || restart) {
                CommandResult r = node.run("systemctl", restart ? "restart" : "start", u);
                if (!r.ok()) {
                    CommandResult status = node.run("systemctl", "status", "--no-pager", "-n", "20", u);
                    throw new IllegalStateException("systemctl " + (restart ? "restart " : "start ") + u + " failed: "
                            + r.stderr().strip() + "\n" + status.stdout());
                }
            }
            if (!node.run("systemctl", "is-enabled", "--quiet", u).ok()) {
                node.run("systemctl", "enable", "--quiet", u);
            }
            done.put(u, action);
        }
        return done;
    }
}
