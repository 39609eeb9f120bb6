package io.speedling.examples.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * A throwaway login user for benchmarks: shell /bin/sh (no ~/.bashrc, whose work would be
 * measured instead of SSH) and passwordless sudo through its own sudoers drop-in. Removed by
 * {@link #close()} and by a shutdown hook; a leftover of a killed run (same name) is replaced.
 */
final class BenchUser implements AutoCloseable {
    static final String NAME = "speedling-bench";
    private static final Path DROP_IN = Path.of("/etc/sudoers.d/speedling-bench");
    private final Thread hook = new Thread(this::remove, "bench-user-remove");

    BenchUser() throws IOException, InterruptedException {
        remove();
        run(List.of("useradd", "--create-home", "--shell", "/bin/sh", "--password", "*", NAME));
        Files.writeString(DROP_IN, NAME + " ALL=(ALL) NOPASSWD: ALL\n");
        run(List.of("chmod", "0440", DROP_IN.toString()));
        Runtime.getRuntime().addShutdownHook(hook);
    }

    String name() {
        return NAME;
    }

    @Override
    public void close() {
        try {
            Runtime.getRuntime().removeShutdownHook(hook);
        } catch (IllegalStateException shuttingDown) {
            // the hook runs remove() itself
        }
        remove();
    }

    private void remove() {
        try {
            Files.deleteIfExists(DROP_IN);
            // userdel exits 8 while a process of the user is still ending
            for (int i = 0; i < 50 && new ProcessBuilder("id", NAME).start().waitFor() == 0; i++) {
                if (new ProcessBuilder("userdel", "--remove", NAME).start().waitFor() != 8) {
                    break;
                }
                Thread.sleep(100);
            }
        } catch (IOException e) {
            System.err.println("could not remove user " + NAME + ": " + e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static void run(List<String> argv) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(argv).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        if (p.waitFor() != 0) {
            throw new IOException(String.join(" ", argv) + " failed: " + out);
        }
    }
}
