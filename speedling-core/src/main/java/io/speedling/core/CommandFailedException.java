package io.speedling.core;

import java.util.List;

/** A command run on a node exited with a non-zero status where success was required. */
public class CommandFailedException extends SpeedlingException {
    private static final long serialVersionUID = 1L;
    private final List<String> command;
    private final int exitCode;

    public CommandFailedException(List<String> command, int exitCode, String stdout, String stderr) {
        super("command " + command + " exited with " + exitCode
                + tail("stderr", stderr) + tail("stdout", stdout));
        this.command = List.copyOf(command);
        this.exitCode = exitCode;
    }

    private static String tail(String name, String text) {
        if (text == null || text.isBlank()) {
            return "";
        }
        String t = text.strip();
        if (t.length() > 2000) {
            t = "..." + t.substring(t.length() - 2000);
        }
        return "\n--- " + name + " ---\n" + t;
    }

    public List<String> command() {
        return command;
    }

    public int exitCode() {
        return exitCode;
    }
}
