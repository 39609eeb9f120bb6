package io.speedling.core;

import java.util.List;

/**
 * What a command run on a node produced.
 *
 * @param command the argument vector that was run
 * @param exitCode the process exit status
 * @param stdout standard output, decoded as UTF-8
 * @param stderr standard error, decoded as UTF-8
 */
public record CommandResult(List<String> command, int exitCode, String stdout, String stderr) {

    public boolean ok() {
        return exitCode == 0;
    }

    /**
     * Returns this result when the exit code is 0.
     *
     * @throws CommandFailedException naming the command, its exit code and output otherwise
     */
    public CommandResult check() {
        if (exitCode != 0) {
            throw new CommandFailedException(command, exitCode, stdout, stderr);
        }
        return this;
    }
}
