package io.speedling.examples.bench;

import io.speedling.core.FileSpec;
import io.speedling.core.Fleet;
import io.speedling.core.NodeGroup;
import io.speedling.core.StreamSource;
import io.speedling.core.functions.Ping;
import io.speedling.core.testing.LoopbackSshd;
import io.speedling.examples.LoopbackNodes;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;

/**
 * speedling's remote calls against OpenSSH baselines, measured in one run on three
 * loopback sshd nodes. Prints one figure per line and ends with the key=value line.
 *
 * <p>Options: {@code --rounds N} (1000), {@code --ssh-rounds N} (20), {@code --mux-rounds N} (200),
 * {@code --stream-mib N} (1024).
 */
public final class RemoteCallsBench {

    public static void main(String[] args) throws Exception {
        io.speedling.core.Fleet.preferJdkCrypto();  // a tool of its own: the JVM is ours to tune
        int rounds = intArg(args, "--rounds", 1000);
        int sshRounds = intArg(args, "--ssh-rounds", 20);
        int muxRounds = intArg(args, "--mux-rounds", 200);
        int streamMib = intArg(args, "--stream-mib", 1024);
        try (BenchUser user = new BenchUser(); LoopbackNodes nodes = new LoopbackNodes(3, user.name())) {
            Path dir = nodes.dir();
            // the ssh baselines write as the bench user; the agent writes as root through sudo
            Files.setPosixFilePermissions(dir, java.nio.file.attribute.PosixFilePermissions.fromString("rwx--x--x"));
            Path out = Files.createDirectories(dir.resolve("out"));
            Files.setPosixFilePermissions(out, java.nio.file.attribute.PosixFilePermissions.fromString("rwxrwxrwx"));
            Fleet.Builder fleet = Fleet.builder().nodes(nodes.specs()).knownHosts(nodes.knownHosts())
                    .stateDir(dir.resolve("state")).agentDir("~/.cache/speedling-bench/{node}");

            long t0 = System.nanoTime();
            fleet.connect().close();
            double cold = secs(t0);
            System.out.printf("bootstrap cold (empty node cache, upload): %.3f s%n", cold);
            awaitCdsArchives(Path.of("/home", user.name(), ".cache", "speedling-bench"), 3);

            double cached = Double.MAX_VALUE;
            for (int i = 0; i < 3; i++) {
                t0 = System.nanoTime();
                fleet.connect().close();
                cached = Math.min(cached, secs(t0));
            }
            System.out.printf("bootstrap cached (best of 3): %.3f s%n", cached);

            double speedlingRps;
            double streamRate;
            Path src = dir.resolve("stream.src");
            writeFile(src, streamMib);
            try (Fleet f = fleet.connect()) {
                NodeGroup all = f.all();
                for (int i = 0; i < 300; i++) {
                    all.call(new Ping());
                }
                t0 = System.nanoTime();
                for (int i = 0; i < rounds; i++) {
                    all.call(new Ping());
                }
                speedlingRps = rounds / secs(t0);
                System.out.printf("speedling: %d rounds of one call on 3 nodes: %.0f rounds/s%n", rounds, speedlingRps);

                t0 = System.nanoTime();
                all.send(StreamSource.of(src), out.resolve("stream.dst").toString(), FileSpec.mode(0600));
                streamRate = 3.0 * streamMib / secs(t0);
                System.out.printf("speedling: %d MiB to 3 nodes: %.0f MiB/s combined%n", streamMib, streamRate);
            }
            Files.deleteIfExists(out.resolve("stream.dst"));

            List<LoopbackSshd> servers = nodes.servers();
            Path kh = nodes.knownHosts();
            t0 = System.nanoTime();
            for (int i = 0; i < sshRounds; i++) {
                parallel(servers, s -> cmd(s.sshArgs(kh, user.name()), "true"));
            }
            double sshRps = sshRounds / secs(t0);
            System.out.printf("ssh host true per call: %d rounds: %.1f rounds/s%n", sshRounds, sshRps);

            List<List<String>> mux = new ArrayList<>();
            for (LoopbackSshd s : servers) {
                Path sock = dir.resolve("mux-" + s.address());
                List<String> base = new ArrayList<>(s.sshArgs(kh, user.name()));
                base.addAll(1, List.of("-o", "ControlPath=" + sock));
                List<String> master = new ArrayList<>(base);
                master.addAll(1, List.of("-o", "ControlMaster=yes", "-o", "ControlPersist=yes", "-f", "-N"));
                run(master);
                mux.add(base);
            }
            // the masters outlive this process unless told to exit, also on SIGTERM
            Thread stopMasters = new Thread(() -> {
                for (List<String> base : mux) {
                    List<String> exit = new ArrayList<>(base);
                    exit.addAll(1, List.of("-O", "exit"));
                    try {
                        new ProcessBuilder(exit).redirectErrorStream(true).start().waitFor();
                    } catch (Exception e) {
                        System.err.println("could not stop ssh master " + base.get(base.size() - 1) + ": " + e);
                    }
                }
            });
            Runtime.getRuntime().addShutdownHook(stopMasters);
            try {
                t0 = System.nanoTime();
                for (int i = 0; i < muxRounds; i++) {
                    parallelArgs(mux, "true");
                }
            } finally {
                Runtime.getRuntime().removeShutdownHook(stopMasters);
                stopMasters.run();
            }
            double muxRps = muxRounds / secs(t0);
            System.out.printf("ssh ControlMaster per call: %d rounds: %.1f rounds/s%n", muxRounds, muxRps);

            t0 = System.nanoTime();
            List<Process> ps = new ArrayList<>();
            for (LoopbackSshd s : servers) {
                List<String> c = cmd(s.sshArgs(kh, user.name()), "cat > " + out.resolve("ssh-" + s.address() + ".dst"));
                ps.add(new ProcessBuilder(c).redirectInput(src.toFile()).inheritIO()
                        .redirectInput(src.toFile()).start());
            }
            for (Process p : ps) {
                check(p);
            }
            double sshStream = 3.0 * streamMib / secs(t0);
            System.out.printf("ssh 'cat > f' to 3 nodes in parallel: %.0f MiB/s combined%n", sshStream);

            System.out.printf("ratios: speedling/ssh rounds %.0fx, speedling/mux rounds %.1fx, stream %.2fx%n",
                    speedlingRps / sshRps, speedlingRps / muxRps, streamRate / sshStream);
            System.out.printf("remote-calls nodes=3 rounds=%d speedling_rounds_per_s=%.0f ssh_rounds_per_s=%.1f"
                    + " mux_rounds_per_s=%.1f bootstrap_cold_s=%.3f bootstrap_cached_s=%.3f stream_mib_per_s=%.0f"
                    + " ssh_stream_mib_per_s=%.0f%n", rounds, speedlingRps, sshRps, muxRps, cold, cached, streamRate,
                    sshStream);
        }
    }

    private static int intArg(String[] args, String name, int dflt) {
        int i = Arrays.asList(args).indexOf(name);
        return i >= 0 && i + 1 < args.length ? Integer.parseInt(args[i + 1]) : dflt;
    }

    private static double secs(long t0) {
        return (System.nanoTime() - t0) / 1e9;
    }

    /** The first agent start dumps a class-data-sharing archive in the background; wait for it. */
    private static void awaitCdsArchives(Path agentRoot, int nodes) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (System.nanoTime() < deadline) {
            long n;
            try (var s = Files.find(agentRoot, 2, (p, a) -> p.getFileName().toString().endsWith(".jsa"))) {
                n = s.count();
            }
            if (n >= nodes) {
                return;
            }
            Thread.sleep(100);
        }
        System.out.println("warning: class-data-sharing archives not ready after 60 s; cached starts run without");
    }

    private static void writeFile(Path p, int mib) throws IOException {
        byte[] block = new byte[1 << 20];
        new Random(7).nextBytes(block);
        try (OutputStream o = Files.newOutputStream(p)) {
            for (int i = 0; i < mib; i++) {
                block[0] = (byte) i;
                block[1] = (byte) (i >> 8);
                o.write(block);
            }
        }
    }

    private static List<String> cmd(List<String> ssh, String remote) {
        List<String> c = new ArrayList<>(ssh);
        c.add(remote);
        return c;
    }

    private interface Argv {
        List<String> of(LoopbackSshd s);
    }

    private static void parallel(List<LoopbackSshd> servers, Argv argv) throws Exception {
        List<Process> ps = new ArrayList<>();
        for (LoopbackSshd s : servers) {
            ps.add(new ProcessBuilder(argv.of(s)).redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")))
                    .inheritIO().start());
        }
        for (Process p : ps) {
            check(p);
        }
    }

    private static void parallelArgs(List<List<String>> bases, String remote) throws Exception {
        List<Process> ps = new ArrayList<>();
        for (List<String> b : bases) {
            ps.add(new ProcessBuilder(cmd(b, remote))
                    .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null"))).inheritIO().start());
        }
        for (Process p : ps) {
            check(p);
        }
    }

    private static void run(List<String> argv) throws Exception {
        check(new ProcessBuilder(argv).redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")))
                .inheritIO().start());
    }

    private static void check(Process p) throws Exception {
        if (p.waitFor() != 0) {
            throw new IllegalStateException("baseline command failed with exit " + p.exitValue() + ": "
                    + p.info().commandLine().orElse("?"));
        }
    }
}
