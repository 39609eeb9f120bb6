package io.speedling.core.functions;

import io.speedling.core.Cmd;
import io.speedling.core.CommandResult;
import io.speedling.core.NodeContext;
import io.speedling.core.RemoteFunction;

/**
 * Runs a shell script on the node and returns its exit code and output; with
 * {@code check} a non-zero exit fails the call.
 *
 * <pre>{@code
 * fleet.all().call(Sh.checked("systemctl restart memcached"));
 * }</pre>
 *
 * @param script the script, run by {@code /bin/sh -c}
 * @param check whether a non-zero exit code fails the call
 */
public record Sh(String script, boolean check) implements RemoteFunction<CommandResult> {

    public static Sh of(String script) {
        return new Sh(script, false);
    }

    public static Sh checked(String script) {
        return new Sh(script, true);
    }

    @Override
    public CommandResult run(NodeContext node) {
        CommandResult r = node.run(Cmd.sh(script));
        return check ? r.check() : r;
    }
}
