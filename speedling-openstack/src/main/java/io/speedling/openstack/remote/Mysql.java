package io.speedling.openstack.remote;

import io.speedling.core.Cmd;
import io.speedling.core.CommandResult;
import io.speedling.core.NodeContext;
import io.speedling.core.RemoteFunction;
import java.time.Duration;

/** SQL run by the node's MariaDB client as root over the local socket; statements go on stdin. */
public record Mysql(String sql) implements RemoteFunction<String> {
    @Override
    public String run(NodeContext node) {
        CommandResult r = node.run(Cmd.of("mysql", "--protocol=socket", "-uroot", "--batch", "--skip-column-names")
                .stdin(sql).timeout(Duration.ofMinutes(2)));
        if (!r.ok()) {
            // the statements may hold passwords: say which command failed, not what it was fed
            throw new IllegalStateException("mysql failed (exit " + r.exitCode() + "): " + r.stderr().strip());
        }
        return r.stdout();
    }
}
