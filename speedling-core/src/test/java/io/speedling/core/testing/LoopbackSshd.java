package io.speedling.core.testing;

import io.speedling.core.NodeSpec;
import io.speedling.core.SpeedlingException;
import io.speedling.core.SshTarget;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A throwaway OpenSSH server on a loopback address (127.0.0.2, 127.0.0.3 ... act as
 * separate hosts), with its own config, host key, port and authorized key, for
 * tests, demos and benchmarks. Needs root and {@code openssh-server}. Closing it
 * stops the server and every session it started, by their process ids, and deletes
 * its directory.
 *
 * <pre>{@code
 * Path keys = Files.createTempDirectory("keys");
 * ClientKey key = ClientKey.generate(keys);
 * try (LoopbackSshd sshd = LoopbackSshd.start("127.0.0.2", key)) {
 *     NodeSpec n = sshd.node("n1");
 * }
 * }</pre>
 */
public final class LoopbackSshd implements AutoCloseable {
    private final Thread shutdownHook = new Thread(this::close, "loopback-sshd-stop");
    private static final String SSHD = "/usr/sbin/sshd";

    private final String address;
    private final int port;
    private final Path dir;
    private final ClientKey key;
    private Process process;

    /** A client key pair made with ssh-keygen. */
    public record ClientKey(Path privateKey, Path publicKey) {
        public static ClientKey generate(Path dir) {
            Path k = dir.resolve("id_ed25519");
            run(List.of("ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-C", "speedling-test", "-f", k.toString()));
            return new ClientKey(k, dir.resolve("id_ed25519.pub"));
        }
    }

    private LoopbackSshd(String address, int port, Path dir, ClientKey key) {
        this.address = address;
        this.port = port;
        this.dir = dir;
        this.key = key;
    }

    /** Starts an sshd on the address and a free port, accepting the key for every user. */
    /**
     * Why loopback sshd nodes cannot run here (not root, no OpenSSH server), or empty when they
     * can: tests skip with it instead of failing half-way.
     */
    public static java.util.Optional<String> hostProblem() {
        if (!"root".equals(System.getProperty("user.name"))) {
            return java.util.Optional.of("loopback sshd nodes need root (they bind 127.0.0.x:22-like ports and log "
                    + "in as local users); run as root");
        }
        if (!Files.isExecutable(Path.of(SSHD))) {
            return java.util.Optional.of("no " + SSHD + ": install openssh-server (speedling-examples/bin/prereqs "
                    + "--tests does)");
        }
        return java.util.Optional.empty();
    }

    public static LoopbackSshd start(String address, ClientKey key) {
        if (!Files.isExecutable(Path.of(SSHD))) {
            throw new SpeedlingException(SSHD + " is missing: install the openssh-server package "
                    + "(apt-get install openssh-server)");
        }
        try {
            Path dir = Files.createTempDirectory("speedling-sshd-" + address + "-");
            LoopbackSshd s = new LoopbackSshd(address, freePort(address), dir, key);
            // sshd reads authorized_keys as the logging-in user, who may not be root
            Files.setPosixFilePermissions(dir, java.nio.file.attribute.PosixFilePermissions.fromString("rwxr-xr-x"));
            Files.copy(key.publicKey(), dir.resolve("authorized_keys"));
            Files.setPosixFilePermissions(dir.resolve("authorized_keys"),
                    java.nio.file.attribute.PosixFilePermissions.fromString("rw-r--r--"));
            s.newHostKey();
            s.launch();
            // a test or tool stopped by SIGTERM or Ctrl-C still stops its servers
            Runtime.getRuntime().addShutdownHook(s.shutdownHook);
            return s;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot set up sshd on " + address, e);
        }
    }

    private static int freePort(String address) throws IOException {
        try (ServerSocket ss = new ServerSocket()) {
            ss.bind(new InetSocketAddress(address, 0));
            return ss.getLocalPort();
        }
    }

    /** Replaces the host key and restarts the server: a node "re-created" behind the same address. */
    public void changeHostKey() {
        stopServer();
        newHostKey();
        launch();
    }

    private void newHostKey() {
        try {
            Files.deleteIfExists(dir.resolve("host_key"));
            Files.deleteIfExists(dir.resolve("host_key.pub"));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        run(List.of("ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f", dir.resolve("host_key").toString()));
    }

    private void launch() {
        try {
            Files.createDirectories(Path.of("/run/sshd"));
            Path cfg = dir.resolve("sshd_config");
            Files.writeString(cfg, String.join("\n",
                    "ListenAddress " + address + ":" + port,
                    "HostKey " + dir.resolve("host_key"),
                    "PidFile " + dir.resolve("sshd.pid"),
                    "AuthorizedKeysFile " + dir.resolve("authorized_keys"),
                    "StrictModes no",
                    "PermitRootLogin prohibit-password",
                    "PasswordAuthentication no",
                    "KbdInteractiveAuthentication no",
                    "UsePAM yes",
                    "MaxSessions 100",
                    "MaxStartups 200",
                    "PrintMotd no",
                    "LogLevel ERROR",
                    "AcceptEnv LANG LC_*",
                    ""));
            ProcessBuilder pb = new ProcessBuilder(SSHD, "-D", "-e", "-f", cfg.toString());
            pb.redirectErrorStream(true);
            pb.redirectOutput(ProcessBuilder.Redirect.appendTo(dir.resolve("sshd.log").toFile()));
            process = pb.start();
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (true) {
                try (Socket s = new Socket()) {
                    s.connect(new InetSocketAddress(address, port), 200);
                    return;
                } catch (IOException notYet) {
                    if (!process.isAlive()) {
                        throw new SpeedlingException("sshd on " + address + ":" + port + " exited: "
                                + Files.readString(dir.resolve("sshd.log")));
                    }
                    if (System.nanoTime() > deadline) {
                        throw new SpeedlingException("sshd on " + address + ":" + port + " did not listen within 10 s");
                    }
                    Thread.sleep(20);
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start sshd on " + address, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new SpeedlingException("interrupted while starting sshd", e);
        }
    }

    public String address() {
        return address;
    }

    public int port() {
        return port;
    }

    public ClientKey key() {
        return key;
    }

    /** The sshd's process id. */
    public long pid() {
        return process.pid();
    }

    /** The server's host public key line (for a known_hosts file). */
    public String hostKeyLine() {
        try {
            String[] parts = Files.readString(dir.resolve("host_key.pub")).trim().split("\\s+");
            return "[" + address + "]:" + port + " " + parts[0] + " " + parts[1];
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** How to reach this server as root with the client key. */
    public SshTarget target() {
        return SshTarget.of(address).port(port).identity(key.privateKey());
    }

    /** A node spec for this server, logging in as root. */
    public NodeSpec node(String name) {
        return NodeSpec.ssh(name, target());
    }

    /** OpenSSH client options that reach this server as root (for baselines with the ssh command). */
    public List<String> sshArgs(Path knownHosts) {
        return sshArgs(knownHosts, "root");
    }

    /** OpenSSH client options that reach this server as {@code user}. */
    public List<String> sshArgs(Path knownHosts, String user) {
        return List.of("ssh", "-i", key.privateKey().toString(), "-p", Integer.toString(port),
                "-o", "UserKnownHostsFile=" + knownHosts, "-o", "StrictHostKeyChecking=yes",
                "-o", "BatchMode=yes", "-o", "LogLevel=ERROR", user + "@" + address);
    }

    private void stopServer() {
        if (process == null) {
            return;
        }
        // sessions are children of the listener: stop them too, each by its own pid
        List<ProcessHandle> all = new ArrayList<>(process.descendants().toList());
        process.destroy();
        all.forEach(ProcessHandle::destroy);
        try {
            if (!process.waitFor(5, TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        for (ProcessHandle h : all) {
            long left = deadline - System.nanoTime();
            try {
                h.onExit().get(Math.max(1, left), TimeUnit.NANOSECONDS);
            } catch (Exception e) {
                h.destroyForcibly();
            }
        }
        process = null;
    }

    @Override
    public void close() {
        try {
            Runtime.getRuntime().removeShutdownHook(shutdownHook);
        } catch (IllegalStateException | IllegalArgumentException shuttingDownOrNotRegistered) {
            // the hook is this very call, or start() failed before registering it
        }
        stopServer();
        try (var walk = Files.walk(dir)) {
            walk.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException ignored) {
            // a temp dir left behind is harmless
        }
    }

    static void run(List<String> argv) {
        try {
            Process p = new ProcessBuilder(argv).redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes());
            if (!p.waitFor(30, TimeUnit.SECONDS) || p.exitValue() != 0) {
                throw new SpeedlingException(argv + " failed: " + out);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot run " + argv.get(0) + " (install openssh-client)", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new SpeedlingException("interrupted", e);
        }
    }

    /** Waits up to the given time for a process to end. */
    public static boolean awaitExit(long pid, Duration limit) {
        var h = ProcessHandle.of(pid);
        if (h.isEmpty()) {
            return true;
        }
        try {
            h.get().onExit().get(limit.toMillis(), TimeUnit.MILLISECONDS);
            return true;
        } catch (Exception e) {
            return !h.get().isAlive();
        }
    }
}
