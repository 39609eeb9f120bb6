package io.speedling.openstack.remote;

import io.speedling.core.Cmd;
import io.speedling.core.CommandResult;
import io.speedling.core.FileSpec;
import io.speedling.core.NodeContext;
import io.speedling.core.RemoteFunction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * Runs a command unless it already ran with the same stamp: the stamp (say, the package version
 * and the inputs' hash) is kept in /var/lib/speedling/once/NAME on the node after success, so a
 * rerun skips db syncs and bootstraps that have nothing new to do. Returns true when it ran.
 * The environment carries secrets, so failures quote the command and its output but not the env.
 */
public record Once(String name, String stamp, List<String> argv, Map<String, String> env, String runAs)
        implements RemoteFunction<Boolean> {
    static final String DIR = "/var/lib/speedling/once/";

    @Override
    public String toString() {
        // the environment may carry passwords
        return "Once[" + name + ": " + String.join(" ", argv) + "]";
    }

    @Override
    public Boolean run(NodeContext node) throws Exception {
        Path marker = Path.of(DIR + name);
        if (Files.exists(marker) && Files.readString(marker).equals(stamp)) {
            return false;
        }
        List<String> cmd = runAs == null ? argv
                : java.util.stream.Stream.concat(java.util.stream.Stream.of("runuser", "-u", runAs, "--"),
                        argv.stream()).toList();
        CommandResult r = node.run(Cmd.of(cmd).env(env).timeout(Duration.ofMinutes(10)));
        if (!r.ok()) {
            throw new IllegalStateException(String.join(" ", argv) + " failed with exit code " + r.exitCode() + ":\n"
                    + tail(r.stderr() + r.stdout()));
        }
        node.writeFile(marker.toString(), stamp.getBytes(StandardCharsets.UTF_8), FileSpec.mode(0600));
        return true;
    }

    /** Forgets that {@code name} ran: its next {@code Once} runs whatever the stamp. True when it had run. */
    public static RemoteFunction<Boolean> forget(String name) {
        return new Forget(name);
    }

    /** {@link #forget}: a record, so it travels to the agent. */
    public record Forget(String name) implements RemoteFunction<Boolean> {
        @Override
        public Boolean run(NodeContext node) throws Exception {
            return Files.deleteIfExists(Path.of(DIR + name));
        }
    }

    private static String tail(String s) {
        String[] lines = s.strip().split("\n");
        return String.join("\n", java.util.Arrays.asList(lines).subList(Math.max(0, lines.length - 15), lines.length));
    }
}
