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
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;

/**
 * speedling's remote calls against OpenSSH baselines, measured in one run on loopback sshd nodes
 * (three unless {@code --nodes N}). Prints one figure per line and ends with the key=value line.
 *
 * <p>Figures: the cold and cached bootstrap of all nodes, and the cached one with a first call on
 * every node; call rounds (one call on every node, waiting for all) after a short warm-up
 * ({@code speedling_rounds_per_s}), the same on a later connection of this JVM, its side compiled by then
 * ({@code warm_jvm_rounds_per_s}), and in steady state after a long warm-up ({@code steady_rounds_per_s});
 * calls with many in flight per node, as a deploy issues them ({@code pipelined_calls_per_s}, all
 * nodes together); the controller's file descriptors and
 * threads per connected node and its memory; a stream to every node, each writing its own file (in turns
 * with the {@code ssh 'cat > f'} baseline, twice each after a {@code sync}; the best of each, and the host's
 * CPU per GiB, the mean of both). Baselines of the same run:
 * {@code ssh host true} per call, ssh through a ControlMaster, {@code ssh host 'cat > f'} per node
 * in parallel, and the original speedling's protocol in Python (bootstrap and rounds, see {@link Original}).
 *
 * <p>Options: {@code --nodes N} (3), {@code --rounds N} (1000), {@code --steady-seconds S} (5),
 * {@code --in-flight N} (32 per node), {@code --ssh-rounds N} (20), {@code --mux-rounds N} (200),
 * {@code --stream-mib N} (1024 per node up to 3 nodes, then 3072/N), {@code --heartbeat-timeout S} (5, the
 * default of {@code Fleet.Builder.heartbeat}).
 */
public final class RemoteCallsBench {

    public static void main(String[] args) throws Exception {
        io.speedling.core.Fleet.preferJdkCrypto();  // a tool of its own: the JVM is ours to tune
        BenchArgs a = BenchArgs.parse("remote-calls", args, List.of(), "--nodes", "--rounds", "--steady-seconds", "--in-flight",
                "--ssh-rounds", "--mux-rounds", "--stream-mib", "--heartbeat-timeout");
        int n = a.getInt("--nodes", 3);
        if (n < 1 || n > 200) {
            throw new IllegalArgumentException("--nodes " + n + " is out of range: give 1 to 200 (loopback addresses "
                    + "127.0.0.2 onwards, one sshd each)");
        }
        int rounds = a.getInt("--rounds", 1000);
        int steadySeconds = a.getInt("--steady-seconds", 5);
        int inFlight = a.getInt("--in-flight", 32);
        int sshRounds = a.getInt("--ssh-rounds", 20);
        int muxRounds = a.getInt("--mux-rounds", 200);
        int streamMib = a.getInt("--stream-mib", n <= 3 ? 1024 : Math.max(16, 3072 / n));
        int heartbeatTimeout = a.getInt("--heartbeat-timeout", 5);
        try (BenchUser user = new BenchUser(); LoopbackNodes nodes = new LoopbackNodes(n, user.name())) {
            Path dir = nodes.dir();
            // the ssh baselines write as the bench user; the agent writes as root through sudo
            Files.setPosixFilePermissions(dir, java.nio.file.attribute.PosixFilePermissions.fromString("rwx--x--x"));
            Path out = Files.createDirectories(dir.resolve("out"));
            Files.setPosixFilePermissions(out, java.nio.file.attribute.PosixFilePermissions.fromString("rwxrwxrwx"));
            Fleet.Builder fleet = Fleet.builder().nodes(nodes.specs()).knownHosts(nodes.knownHosts())
                    .stateDir(dir.resolve("state")).agentDir("~/.cache/speedling-bench/{node}")
                    .heartbeat(java.time.Duration.ofSeconds(1), java.time.Duration.ofSeconds(heartbeatTimeout));

            long t0 = System.nanoTime();
            fleet.connect().close();
            double cold = BenchArgs.secs(t0);
            System.out.printf("bootstrap cold (empty node cache, upload): %.3f s%n", cold);
            awaitCdsArchives(Path.of("/home", user.name(), ".cache", "speedling-bench"), n);

            double cached = Double.MAX_VALUE;
            double hostCpu = 0;
            double controllerCpu = 0;
            for (int i = 0; i < 3; i++) {
                double host0 = hostBusySeconds();
                double own0 = ownCpuSeconds();
                t0 = System.nanoTime();
                try (Fleet f = fleet.connect()) {
                    cached = Math.min(cached, BenchArgs.secs(t0));
                    hostCpu += (hostBusySeconds() - host0) / 3;
                    controllerCpu += (ownCpuSeconds() - own0) / 3;
                }
            }
            System.out.printf("bootstrap cached (best of 3): %.3f s; CPU per bootstrap (mean): %.2f s of the host, "
                    + "%.2f s of it in this controller%n", cached, hostCpu, controllerCpu);
            // what a caller waits for before its first answers (a first call used to build the agent's JSON mapper)
            double firstRound = Double.MAX_VALUE;
            for (int i = 0; i < 3; i++) {
                t0 = System.nanoTime();
                try (Fleet f = fleet.connect()) {
                    f.all().call(new Ping());
                }
                firstRound = Math.min(firstRound, BenchArgs.secs(t0));
            }
            System.out.printf("bootstrap cached and a first call on every node (best of 3): %.3f s%n", firstRound);

            double speedlingRps;
            double steadyRps;
            double pipelined;
            double streamRate;
            double sshStream;
            double streamCpu = 0;
            double sshStreamCpu = 0;
            Path src = dir.resolve("stream.src");
            writeFile(src, streamMib);
            Footprint before = Footprint.now();
            try (Fleet f = fleet.connect()) {
                Footprint connected = Footprint.now();
                System.out.printf("controller per node: %.1f file descriptors, %.1f threads; %d MiB heap used and "
                        + "%d MiB resident with %d nodes (%d MiB and %d MiB before connecting)%n",
                        (connected.fds - before.fds) / (double) n, (connected.threads - before.threads) / (double) n,
                        connected.heapMib, connected.rssMib, n, before.heapMib, before.rssMib);
                NodeGroup all = f.all();
                speedlingRps = firstRounds(all, rounds);
                System.out.printf("speedling: %d rounds of one call on %d nodes: %.0f rounds/s%n", rounds, n,
                        speedlingRps);

                steadyRps = steadyRounds(all, steadySeconds);
                System.out.printf("speedling: steady state (after %d s of warm-up) on %d nodes: %.0f rounds/s%n",
                        steadySeconds, n, steadyRps);

                pipelined = pipelined(all, inFlight, steadySeconds);
                System.out.printf("speedling: %d calls in flight per node on %d nodes: %.0f calls/s%n", inFlight, n,
                        pipelined);

                // speedling and ssh cat in turns, twice, each from clean page cache state (the source was just
                // written, and each run leaves 1 GiB per node of dirty pages that the next would pay to flush)
                streamRate = 0;
                sshStream = 0;
                double gib = n * streamMib / 1024.0;
                for (int turn = 0; turn < 2; turn++) {
                    sync();
                    double busy0 = hostBusySeconds();
                    t0 = System.nanoTime();
                    // a file per node, as ssh cat writes: these nodes share one filesystem, and a rename over
                    // the file another node just placed made ext4 write the new one out and discard the old
                    // one's blocks inside the rename (0.6-2.4 s each on this host, two of three nodes per stream)
                    var landed = all.send(StreamSource.of(src), out.resolve("stream-{node}.dst").toString(),
                            FileSpec.mode(0600));
                    double rate = (double) n * streamMib / BenchArgs.secs(t0);
                    double cpu = (hostBusySeconds() - busy0) / gib;
                    for (var r : landed.values()) {
                        Files.deleteIfExists(Path.of(r.path()));
                    }
                    System.out.printf("speedling: %d MiB to %d nodes: %.0f MiB/s combined, %.2f s of the host's CPU "
                            + "per GiB%n", streamMib, n, rate, cpu);
                    streamRate = Math.max(streamRate, rate);
                    streamCpu += cpu / 2;
                    sync();
                    busy0 = hostBusySeconds();
                    rate = sshCatStream(nodes.servers(), nodes.knownHosts(), user.name(), src, out, n * streamMib);
                    cpu = (hostBusySeconds() - busy0) / gib;
                    System.out.printf("ssh 'cat > f' to %d nodes in parallel: %.0f MiB/s combined, %.2f s of the "
                            + "host's CPU per GiB%n", n, rate, cpu);
                    sshStream = Math.max(sshStream, rate);
                    sshStreamCpu += cpu / 2;
                }
            }
            // the same rounds on a new connection: this JVM has compiled its side by now, the agents are new;
            // what a long-lived caller (a test run, jshell) sees on each connect after its first
            double warmJvmRps;
            try (Fleet f = fleet.connect()) {
                warmJvmRps = firstRounds(f.all(), rounds);
            }
            System.out.printf("speedling: %d rounds on a new connection (this JVM compiled, new agents): %.0f rounds/s%n",
                    rounds, warmJvmRps);

            List<LoopbackSshd> servers = nodes.servers();
            Path kh = nodes.knownHosts();
            Original orig = Original.run(servers, kh, user.name(), dir, rounds, steadySeconds);
            System.out.printf("original's protocol (Python, pickled calls over OpenSSH, same nodes): bootstrap %.3f s "
                    + "(best of 3; %.2f s of the host's CPU), %d rounds %.0f/s, steady %.0f/s%n", orig.bootstrap,
                    orig.bootstrapCpu, rounds, orig.rounds, orig.steady);

            t0 = System.nanoTime();
            for (int i = 0; i < sshRounds; i++) {
                parallel(servers, s -> cmd(s.sshArgs(kh, user.name()), "true"));
            }
            double sshRps = sshRounds / BenchArgs.secs(t0);
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
            double muxRps = muxRounds / BenchArgs.secs(t0);
            System.out.printf("ssh ControlMaster per call: %d rounds: %.1f rounds/s%n", muxRounds, muxRps);

            System.out.printf("streams, best of two turns each: speedling %.0f MiB/s, ssh 'cat > f' %.0f MiB/s; the "
                    + "host's CPU per GiB, mean of the two: %.2f s and %.2f s%n", streamRate, sshStream, streamCpu,
                    sshStreamCpu);

            System.out.printf("ratios: speedling/ssh rounds %.0fx, speedling/mux rounds %.1fx, stream %.2fx%n",
                    speedlingRps / sshRps, speedlingRps / muxRps, streamRate / sshStream);
            System.out.printf("ratios to the original's protocol: first %d rounds %.2fx (with this JVM compiled %.2fx),"
                    + " steady %.2fx, cached bootstrap %.2fx of its time%n", rounds, speedlingRps / orig.rounds,
                    warmJvmRps / orig.rounds, steadyRps / orig.steady, cached / orig.bootstrap);
            Footprint end = Footprint.now();
            System.out.printf("remote-calls nodes=%d rounds=%d speedling_rounds_per_s=%.0f ssh_rounds_per_s=%.1f"
                    + " mux_rounds_per_s=%.1f bootstrap_cold_s=%.3f bootstrap_cached_s=%.3f stream_mib_per_s=%.0f"
                    + " ssh_stream_mib_per_s=%.0f steady_rounds_per_s=%.0f pipelined_calls_per_s=%.0f"
                    + " controller_rss_mib=%d orig_rounds_per_s=%.0f orig_steady_rounds_per_s=%.0f orig_bootstrap_s=%.3f"
                    + " bootstrap_first_call_s=%.3f bootstrap_host_cpu_s=%.2f bootstrap_controller_cpu_s=%.2f"
                    + " orig_bootstrap_host_cpu_s=%.2f warm_jvm_rounds_per_s=%.0f stream_host_cpu_s_per_gib=%.2f"
                    + " ssh_stream_host_cpu_s_per_gib=%.2f%n",
                    n, rounds, speedlingRps, sshRps, muxRps, cold, cached, streamRate, sshStream, steadyRps, pipelined,
                    end.rssMib, orig.rounds, orig.steady, orig.bootstrap, firstRound, hostCpu, controllerCpu,
                    orig.bootstrapCpu, warmJvmRps, streamCpu, sshStreamCpu);
        }
    }

    /**
     * The baseline of the original speedling's protocol, measured on the same nodes in the same run: a
     * Python controller and receiver of ours built the way the original's were (one OpenSSH client per
     * node, the receiver sent as a tar.gz and run with sudo, pickled calls by function name, a thread per
     * call on the node). Checked against the original's own code on 2026-12-04 (same sshds, two runs
     * each): bootstrap 0.59-0.64 s against 0.59-0.60 s, rounds 1224-1226 against 1127-1201/s, steady
     * 1116-1161 against 1089-1185/s.
     */
    private record Original(double bootstrap, double bootstrapCpu, double rounds, double steady) {
        static Original run(List<LoopbackSshd> servers, Path knownHosts, String user, Path dir, int rounds,
                            int steadySeconds) throws Exception {
            Path py = Files.createDirectories(dir.resolve("pyproto"));
            for (String f : List.of("controller.py", "receiver.py")) {
                try (var in = RemoteCallsBench.class.getResourceAsStream("pyproto/" + f)) {
                    Files.write(py.resolve(f), in.readAllBytes());
                }
            }
            List<List<String>> ssh = new ArrayList<>();
            servers.forEach(s -> ssh.add(s.sshArgs(knownHosts, user)));
            Path cfg = py.resolve("config.json");
            new com.fasterxml.jackson.databind.ObjectMapper().writeValue(cfg.toFile(), java.util.Map.of("ssh", ssh,
                    "rounds", rounds, "steady_seconds", steadySeconds, "payload_dir", py.toString(), "bootstraps", 3));
            Process p = new ProcessBuilder("python3", py.resolve("controller.py").toString(), cfg.toString())
                    .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")))
                    .redirectError(ProcessBuilder.Redirect.INHERIT).start();
            java.util.Map<String, Double> figures = new java.util.HashMap<>();
            String out = new String(p.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
            if (p.waitFor() != 0) {
                throw new IllegalStateException("the original protocol's baseline failed with exit " + p.exitValue()
                        + ": " + out.strip());
            }
            for (String line : out.split("\n")) {
                String[] kv = line.strip().split("=", 2);
                if (kv.length == 2) {
                    figures.put(kv[0], Double.parseDouble(kv[1]));
                }
            }
            for (String k : List.of("bootstrap_s", "bootstrap_host_cpu_s", "rounds_per_s", "steady_rounds_per_s")) {
                if (!figures.containsKey(k)) {
                    throw new IllegalStateException("the original protocol's baseline printed no " + k + ": " + out.strip());
                }
            }
            return new Original(figures.get("bootstrap_s"), figures.get("bootstrap_host_cpu_s"), figures.get("rounds_per_s"),
                    figures.get("steady_rounds_per_s"));
        }
    }

    /** Rounds per second of {@code rounds} rounds after a short warm-up of 300 on a new connection. */
    private static double firstRounds(NodeGroup all, int rounds) {
        for (int i = 0; i < 300; i++) {
            all.call(new Ping());
        }
        long t0 = System.nanoTime();
        for (int i = 0; i < rounds; i++) {
            all.call(new Ping());
        }
        return rounds / BenchArgs.secs(t0);
    }

    /** Rounds per second over the last half of {@code seconds} of back-to-back rounds. */
    private static double steadyRounds(NodeGroup all, int seconds) {
        long warmEnd = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(seconds * 500L);
        while (System.nanoTime() < warmEnd) {
            all.call(new Ping());
        }
        long t0 = System.nanoTime();
        long end = t0 + TimeUnit.MILLISECONDS.toNanos(seconds * 500L);
        int done = 0;
        while (System.nanoTime() < end) {
            all.call(new Ping());
            done++;
        }
        return done / BenchArgs.secs(t0);
    }

    /**
     * Calls per second (all nodes together) with {@code inFlight} calls outstanding on each node at
     * all times, each completion sending the next; measured over the last half of {@code seconds}.
     */
    private static double pipelined(NodeGroup all, int inFlight, int seconds) throws Exception {
        java.util.concurrent.atomic.AtomicLong completed = new java.util.concurrent.atomic.AtomicLong();
        java.util.concurrent.atomic.AtomicBoolean stop = new java.util.concurrent.atomic.AtomicBoolean();
        java.util.concurrent.atomic.AtomicReference<Throwable> failed = new java.util.concurrent.atomic.AtomicReference<>();
        java.util.concurrent.CountDownLatch drained = new java.util.concurrent.CountDownLatch(all.size() * inFlight);
        for (io.speedling.core.Node node : all.nodes()) {
            for (int i = 0; i < inFlight; i++) {
                chain(node, completed, stop, failed, drained);
            }
        }
        Thread.sleep(seconds * 500L);
        long c0 = completed.get();
        long t0 = System.nanoTime();
        Thread.sleep(seconds * 500L);
        double rate = (completed.get() - c0) / BenchArgs.secs(t0);
        stop.set(true);
        if (!drained.await(60, TimeUnit.SECONDS)) {
            throw new IllegalStateException("pipelined calls did not drain within 60 s");
        }
        if (failed.get() != null) {
            throw new IllegalStateException("a pipelined call failed", failed.get());
        }
        return rate;
    }

    private static void chain(io.speedling.core.Node node, java.util.concurrent.atomic.AtomicLong completed,
                              java.util.concurrent.atomic.AtomicBoolean stop,
                              java.util.concurrent.atomic.AtomicReference<Throwable> failed,
                              java.util.concurrent.CountDownLatch drained) {
        node.submit(new Ping()).whenComplete((r, e) -> {
            if (e != null) {
                failed.compareAndSet(null, e);
                drained.countDown();
            } else if (stop.get()) {
                drained.countDown();
            } else {
                completed.incrementAndGet();
                chain(node, completed, stop, failed, drained);
            }
        });
    }

    /** CPU seconds the whole host has spent busy since boot (/proc/stat: all but idle and iowait). */
    private static double hostBusySeconds() throws IOException {
        String[] f = Files.readAllLines(Path.of("/proc/stat")).get(0).trim().split("\\s+");
        long busy = 0;
        for (int i = 1; i < Math.min(f.length, 9); i++) {
            if (i != 4 && i != 5) {
                busy += Long.parseLong(f[i]);
            }
        }
        return busy / 100.0;  // USER_HZ
    }

    /** CPU seconds this JVM has used. */
    private static double ownCpuSeconds() {
        return ((com.sun.management.OperatingSystemMXBean) java.lang.management.ManagementFactory
                .getOperatingSystemMXBean()).getProcessCpuTime() / 1e9;
    }

    /** The controller's open file descriptors, threads and memory at one moment. */
    private record Footprint(int fds, int threads, long heapMib, long rssMib) {
        static Footprint now() throws IOException {
            System.gc();
            int fds;
            try (var s = Files.list(Path.of("/proc/self/fd"))) {
                fds = (int) s.count();
            }
            long rssKib = Files.readAllLines(Path.of("/proc/self/status")).stream()
                    .filter(l -> l.startsWith("VmRSS:")).map(l -> l.replaceAll("\\D", ""))
                    .mapToLong(Long::parseLong).findFirst().orElse(0);
            Runtime rt = Runtime.getRuntime();
            return new Footprint(fds, java.lang.management.ManagementFactory.getThreadMXBean().getThreadCount(), (rt.totalMemory() - rt.freeMemory()) >> 20, rssKib >> 10);
        }
    }



    /** The first agent start dumps a class-data-sharing archive in the background; wait for it. */
    private static void awaitCdsArchives(Path agentRoot, int nodes) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (System.nanoTime() < deadline) {
            long n = 0;
            // each node's archive appears under a temporary name and is renamed: list the directories one
            // by one, so a file that vanishes between listing and reading cannot end the walk
            try (var dirs = Files.list(agentRoot)) {
                for (Path d : dirs.toList()) {
                    try (var s = Files.list(d)) {
                        n += s.filter(p -> p.getFileName().toString().endsWith(".jsa")).count();
                    } catch (java.nio.file.NoSuchFileException | java.nio.file.NotDirectoryException e) {
                        // not (yet) a node's directory
                    }
                }
            } catch (java.nio.file.NoSuchFileException e) {
                // no node has made its directory yet
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

    /** One parallel {@code ssh 'cat > f'} per node of {@code src}; MiB/s of all together. Removes what it wrote. */
    private static double sshCatStream(List<LoopbackSshd> servers, Path kh, String user, Path src, Path out,
            int totalMib) throws Exception {
        long t0 = System.nanoTime();
        List<Process> ps = new ArrayList<>();
        for (LoopbackSshd s : servers) {
            List<String> c = cmd(s.sshArgs(kh, user), "cat > " + out.resolve("ssh-" + s.address() + ".dst"));
            ps.add(new ProcessBuilder(c).inheritIO().redirectInput(src.toFile()).start());
        }
        for (Process p : ps) {
            check(p);
        }
        double rate = totalMib / BenchArgs.secs(t0);
        for (LoopbackSshd s : servers) {
            Files.deleteIfExists(out.resolve("ssh-" + s.address() + ".dst"));
        }
        return rate;
    }

    /** Writes every dirty page to disk, so that a stream does not pay for what the one before left. */
    private static void sync() throws Exception {
        run(List.of("sync"));
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
