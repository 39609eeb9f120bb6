package io.speedling.examples;

import io.speedling.core.NodeSpec;
import io.speedling.core.testing.LoopbackSshd;
import io.speedling.core.testing.LoopbackSshd.ClientKey;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;

/**
 * Three throwaway sshd "hosts" on 127.0.0.2-4 with a fresh client key and a
 * known_hosts file holding their keys, all in one temporary directory that
 * {@link #close()} removes after stopping the servers; so does a shutdown hook when the JVM ends
 * without closing them (SIGTERM, Ctrl-C: a benchmark's 1 GiB stream source stayed behind).
 */
public final class LoopbackNodes implements AutoCloseable {
    private final Path dir;
    private final List<LoopbackSshd> servers = new ArrayList<>();
    private final Path knownHosts;
    private final String user;
    private final Thread hook = new Thread(this::removeDir, "loopback-nodes-remove");

    /** Nodes logging in as root. */
    public LoopbackNodes(int count) {
        this(count, "root");
    }

    /** Nodes logging in as {@code user} (with sudo when it is not root). */
    public LoopbackNodes(int count, String user) {
        this.user = user;
        try {
            dir = Files.createTempDirectory("speedling-nodes-");
            Runtime.getRuntime().addShutdownHook(hook);
            ClientKey key = ClientKey.generate(dir);
            StringBuilder kh = new StringBuilder();
            for (int i = 0; i < count; i++) {
                LoopbackSshd s = LoopbackSshd.start("127.0.0." + (i + 2), key);
                servers.add(s);
                kh.append(s.hostKeyLine()).append('\n');
            }
            knownHosts = dir.resolve("known_hosts");
            Files.writeString(knownHosts, kh);
        } catch (IOException e) {
            close();
            throw new UncheckedIOException(e);
        } catch (RuntimeException e) {
            close();
            throw e;
        }
    }

    public Path dir() {
        return dir;
    }

    public Path knownHosts() {
        return knownHosts;
    }

    public List<LoopbackSshd> servers() {
        return servers;
    }

    public String user() {
        return user;
    }

    /** node-1, node-2 ... logging in as {@link #user()}. */
    public List<NodeSpec> specs() {
        List<NodeSpec> specs = new ArrayList<>();
        for (int i = 0; i < servers.size(); i++) {
            specs.add(NodeSpec.ssh("node-" + (i + 1), servers.get(i).target().user(user))
                    .roles(i == 0 ? "controller" : "worker"));
        }
        return specs;
    }

    @Override
    public void close() {
        servers.forEach(LoopbackSshd::close);
        try {
            Runtime.getRuntime().removeShutdownHook(hook);  // false when it was never added
        } catch (IllegalStateException shuttingDown) {
            // the hook removes the directory itself
        }
        removeDir();
    }

    private void removeDir() {
        if (dir != null) {
            try (Stream<Path> w = Files.walk(dir)) {
                w.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            } catch (IOException ignored) {
                // a temp dir left behind is harmless
            }
        }
    }
}
