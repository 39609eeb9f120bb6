package io.speedling.core;

import java.util.Map;
import java.util.Set;
import org.slf4j.Logger;

/**
 * What a {@link RemoteFunction} sees of its node: its own name, roles and data, and
 * the means to run commands and read and write files there. A node knows only its
 * own data, never the rest of the inventory.
 */
public interface NodeContext {

    /** The node's name in the inventory. */
    String nodeName();

    /** The node's roles in the inventory. */
    Set<String> roles();

    /** The node's free-form data from the inventory (JSON-like values). */
    Map<String, Object> data();

    /** Runs a program (no shell) and collects its exit code and output. */
    CommandResult run(Cmd cmd);

    /** Runs a program (no shell) and collects its exit code and output. */
    default CommandResult run(String... argv) {
        return run(Cmd.of(argv));
    }

    /** Runs a script with {@code /bin/sh -c}. */
    default CommandResult sh(String script) {
        return run(Cmd.sh(script));
    }

    /**
     * Writes a file atomically: the content goes to a temporary file in the same
     * directory, gets owner, group and mode, and is renamed over the target, so a
     * reader sees the old file or the new one, never a part. Parent directories are
     * created.
     *
     * @return true when the file's content, owner or mode changed
     */
    boolean writeFile(String path, byte[] content, FileSpec spec);

    /** Reads a whole file. */
    byte[] readFile(String path);

    /** A logger whose records appear on the controller under this node's name. */
    Logger log();
}
