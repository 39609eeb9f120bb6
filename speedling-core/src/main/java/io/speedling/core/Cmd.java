package io.speedling.core;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * A command to run on a node: argument vector, optional standard input,
 * environment additions, working directory and timeout. Immutable.
 *
 * <pre>{@code
 * record Migrate(String sql, byte[] input) implements RemoteFunction<CommandResult> {
 *     public CommandResult run(NodeContext node) {
 *         return node.run(Cmd.of("mysql", "-e", sql).stdin(input).timeout(Duration.ofMinutes(2)));
 *     }
 * }
 * }</pre>
 */
public record Cmd(List<String> argv, byte[] stdin, Map<String, String> env, String cwd, Duration timeout) {

    public Cmd {
        argv = List.copyOf(argv);
        if (argv.isEmpty()) {
            throw new IllegalArgumentException("a command needs at least the program name");
        }
        env = env == null ? Map.of() : Map.copyOf(env);
    }

    public static Cmd of(String... argv) {
        return new Cmd(List.of(argv), null, Map.of(), null, null);
    }

    public static Cmd of(List<String> argv) {
        return new Cmd(argv, null, Map.of(), null, null);
    }

    /** A script run by {@code /bin/sh -c}; prefer {@link #of} where no shell is needed. */
    public static Cmd sh(String script) {
        return of("/bin/sh", "-c", script);
    }

    public Cmd stdin(byte[] input) {
        return new Cmd(argv, input, env, cwd, timeout);
    }

    public Cmd stdin(String input) {
        return stdin(input.getBytes(StandardCharsets.UTF_8));
    }

    public Cmd env(Map<String, String> more) {
        java.util.Map<String, String> m = new java.util.HashMap<>(env);
        m.putAll(more);
        return new Cmd(argv, stdin, m, cwd, timeout);
    }

    public Cmd cwd(String dir) {
        return new Cmd(argv, stdin, env, dir, timeout);
    }

    public Cmd timeout(Duration t) {
        return new Cmd(argv, stdin, env, cwd, Objects.requireNonNull(t));
    }
}
