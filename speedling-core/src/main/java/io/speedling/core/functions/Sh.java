package io.speedling.core.functions;

import io.speedling.core.Cmd;
import io.speedling.core.CommandResult;
import io.speedling.core.NodeContext;
import io.speedling.core.RemoteFunction;
import java.time.Duration;

/**
 * Runs a shell script on the node and returns its exit code and output; with
 * {@code check} a non-zero exit fails the call.
 *
 * <pre>{@code
 * fleet.all().call(Sh.checked("systemctl restart memcached"));
 * node.call(Sh.of("openstack server list").timeout(Duration.ofMinutes(2)));
 * }</pre>
 *
 * @param script the script, run by {@code /bin/sh -c}
 * @param check whether a non-zero exit code fails the call
 * @param timeoutSeconds after this many seconds the script and everything it started are killed
 *     and the call fails naming the script; 0 waits without limit
 */
public record Sh(String script, boolean check, long timeoutSeconds) implements RemoteFunction<CommandResult> {

    public Sh {
        if (timeoutSeconds < 0) {
            throw new IllegalArgumentException("a script's timeout cannot be negative: " + timeoutSeconds + " s");
        }
    }

    public Sh(String script, boolean check) {
        this(script, check, 0);
    }

    public static Sh of(String script) {
        return new Sh(script, false);
    }

    public static Sh checked(String script) {
        return new Sh(script, true);
    }

    /** The same script, killed (with what it started) when it runs longer than {@code limit}. */
    public Sh timeout(Duration limit) {
        long s = Math.max(1, (limit.toMillis() + 999) / 1000);
        return new Sh(script, check, s);
    }

    @Override
    public CommandResult run(NodeContext node) {
        Cmd cmd = Cmd.sh(script);
        CommandResult r = node.run(timeoutSeconds > 0 ? cmd.timeout(Duration.ofSeconds(timeoutSeconds)) : cmd);
        return check ? r.check() : r;
    }
}
