package io.speedling.core;

import java.nio.file.Path;

/**
 * Where speedling keeps what outlives a run (clouds' state, slices, agent host keys, logs):
 * {@code $XDG_STATE_HOME/speedling}, or {@code ~/.local/state/speedling} when that is not set.
 * Every default path below it comes from here, so one setting moves all of them.
 *
 * <pre>{@code
 * Path clouds = StateHome.dir("clouds");     // ~/.local/state/speedling/clouds
 * }</pre>
 */
public final class StateHome {
    private StateHome() {
    }

    /** The root: {@code $XDG_STATE_HOME/speedling} or {@code ~/.local/state/speedling}. */
    public static Path root() {
        String xdg = System.getenv("XDG_STATE_HOME");
        Path base = xdg != null && !xdg.isBlank() ? Path.of(xdg) : Path.of(System.getProperty("user.home"), ".local",
                "state");
        return base.resolve("speedling");
    }

    /** {@code root()/first/more...}. */
    public static Path dir(String first, String... more) {
        return root().resolve(Path.of(first, more));
    }
}
