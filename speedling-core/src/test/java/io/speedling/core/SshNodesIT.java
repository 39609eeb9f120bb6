package io.speedling.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.speedling.core.TestFunctions.AgentPid;
import io.speedling.core.TestFunctions.Echo;
import io.speedling.core.TestFunctions.Fail;
import io.speedling.core.TestFunctions.LogLines;
import io.speedling.core.TestFunctions.Sha256;
import io.speedling.core.TestFunctions.Sleep;
import io.speedling.core.TestFunctions.Stat;
import io.speedling.core.TestFunctions.WhoAmI;
import io.speedling.core.functions.Ping;
import io.speedling.core.functions.Sh;
import io.speedling.core.testing.LoopbackSshd;
import io.speedling.core.testing.LoopbackSshd.ClientKey;
import java.io.ByteArrayOutputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Three nodes, each a real OpenSSH sshd on its own loopback address (127.0.0.2-4),
 * with real agents started over SSH.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class SshNodesIT {
    static Path work;
    static ClientKey key;
    static List<LoopbackSshd> servers;

    @BeforeAll
    static void startServers() throws Exception {
        org.junit.jupiter.api.Assumptions.assumeTrue(LoopbackSshd.hostProblem().isEmpty(),
                () -> LoopbackSshd.hostProblem().orElse(""));
        work = Files.createTempDirectory("speedling-it-");
        key = ClientKey.generate(work);
        servers = Stream.of("127.0.0.2", "127.0.0.3", "127.0.0.4").map(a -> LoopbackSshd.start(a, key)).toList();
    }

    @AfterAll
    static void stopServers() throws Exception {
        if (work == null) {
            return;  // skipped before it made anything
        }
        if (servers != null) {
            servers.forEach(LoopbackSshd::close);
        }
        try (Stream<Path> w = Files.walk(work)) {
            w.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
    }

    /**
     * The tests' nodes with the agent directory they share: the first connect uploads the jars and
     * makes the class-data archive (seconds on 3 nodes at once), the others find them there.
     */
    static Fleet.Builder fleet() {
        return fleet("shared");
    }

    /** The nodes with an agent directory and state of {@code cacheName}'s own. */
    static Fleet.Builder fleet(String cacheName) {
        Fleet.Builder b = Fleet.builder()
                .stateDir(work.resolve("state-" + cacheName))
                .hostKeys(HostKeyPolicy.TRUST_ON_FIRST_USE)
                .agentDir(work.resolve("agent-" + cacheName).toString() + "/{node}")
                .ship(SshNodesIT.class);
        for (int i = 0; i < servers.size(); i++) {
            b.node(servers.get(i).node("n" + (i + 1)).roles(i == 0 ? "controller" : "worker").data("index", i));
        }
        return b;
    }

    @Test
    void bootstrapsThreeNodesAndFansOutCalls() {
        try (Fleet f = fleet().connect()) {
            assertThat(f.all().call(new Echo("hi"))).containsExactly(
                    Map.entry("n1", "n1:hi"), Map.entry("n2", "n2:hi"), Map.entry("n3", "n3:hi"));
            assertThat(f.all().callEach(n -> new Echo("i" + n.data().get("index"))).values())
                    .containsExactly("n1:i0", "n2:i1", "n3:i2");
            Map<String, Object> who = f.node("n1").call(new WhoAmI());
            assertThat(who).containsEntry("node", "n1").containsEntry("uid", "0");
            assertThat(who.get("roles")).asList().containsExactly("controller");
            assertThat(who.get("data")).isEqualTo(Map.of("index", 0));
            assertThat(f.withRole("worker").names()).containsExactly("n2", "n3");
            assertThat(f.group("n3", "n1").call(new Ping()).keySet()).containsExactly("n3", "n1");
        }
    }

    @Test
    void secondConnectUploadsNothingAndAChangedJarUploadsOnlyItself() throws Exception {
        Path extra = work.resolve("extra-classes");
        Files.createDirectories(extra.resolve("data"));
        Files.writeString(extra.resolve("data/version.txt"), "1");
        Path cache = work.resolve("agent-cached/n1");
        try (Fleet f = fleet("cached").ship(extra).connect()) {
            f.all().call(new Ping());
        }
        Map<Path, FileTime> first = jars(cache);
        assertThat(first).hasSizeGreaterThanOrEqualTo(5);

        try (Fleet f = fleet("cached").ship(extra).connect()) {
            f.all().call(new Ping());
        }
        assertThat(jars(cache)).isEqualTo(first);

        Files.writeString(extra.resolve("data/version.txt"), "2");
        try (Fleet f = fleet("cached").ship(extra).connect()) {
            assertThat(f.node("n1").call(Sh.checked("true")).ok()).isTrue();
        }
        Map<Path, FileTime> third = jars(cache);
        assertThat(third.keySet()).containsAll(first.keySet());
        assertThat(third).hasSize(first.size() + 1);
        first.forEach((p, t) -> assertThat(third.get(p)).as(p.toString()).isEqualTo(t));
    }

    private static Map<Path, FileTime> jars(Path dir) throws Exception {
        try (Stream<Path> s = Files.list(dir)) {
            return s.filter(p -> p.toString().endsWith(".jar")).collect(Collectors.toMap(p -> p, p -> {
                try {
                    return Files.getLastModifiedTime(p);
                } catch (Exception e) {
                    throw new RuntimeException(e);
                }
            }));
        }
    }

    @Test
    void remoteExceptionsArriveWithTheirStackTraces() {
        try (Fleet f = fleet().connect()) {
            assertThatThrownBy(() -> f.node("n2").call(new Fail("boom")))
                    .isInstanceOf(RemoteCallException.class)
                    .hasMessageContaining("node n2").hasMessageContaining("Fail")
                    .hasMessageContaining("java.lang.IllegalStateException: boom")
                    .satisfies(e -> assertThat(((RemoteCallException) e).remoteStackTrace())
                            .contains("TestFunctions$Fail.run").contains("root cause on n2"));

            assertThatThrownBy(() -> f.all().callEach(n -> n.name().equals("n1") ? new Fail("bad " + n.name())
                    : new Fail("worse " + n.name())))
                    .isInstanceOf(FanOutException.class)
                    .hasMessageContaining("failed on 3 of 3 nodes")
                    .hasMessageContaining("n1: node n1: Fail failed: java.lang.IllegalStateException: bad n1")
                    .hasMessageContaining("worse n3")
                    .hasMessageContaining("remote stack trace");

            FanOut<CommandResult> mixed = f.all().submitEach(n -> Sh.checked(n.name().equals("n2") ? "echo oops >&2; exit 3" : "true"));
            assertThatThrownBy(mixed::join).isInstanceOfSatisfying(FanOutException.class, e -> {
                assertThat(e.failures()).containsOnlyKeys("n2");
                assertThat(e.failures().get("n2")).hasMessageContaining("CommandFailedException")
                        .hasMessageContaining("exited with 3").hasMessageContaining("oops");
                assertThat(e.successes()).containsOnlyKeys("n1", "n3");
            });
            // the node still serves calls after a failure
            assertThat(f.node("n2").call(new Echo("after"))).isEqualTo("n2:after");
        }
    }

    @Test
    void aScriptOverItsTimeLimitIsKilledWithWhatItStarted() throws Exception {
        Path marker = work.resolve("timeout-child.pid");
        try (Fleet f = fleet().connect()) {
            Node n = f.node("n1");
            // the script starts a child that would outlive a plain kill of the shell
            assertThatThrownBy(() -> n.call(Sh.of("sleep 300 & echo $! > " + marker + "; wait")
                    .timeout(Duration.ofSeconds(2))))
                    .isInstanceOf(RemoteCallException.class)
                    .hasMessageContaining("node n1").hasMessageContaining("did not finish within PT2S")
                    .hasMessageContaining("sleep 300");
            long child = Long.parseLong(Files.readString(marker).strip());
            // killed processes are gone or reaped shortly after
            for (int i = 0; i < 50 && ProcessHandle.of(child).map(ProcessHandle::isAlive).orElse(false); i++) {
                Thread.sleep(100);
            }
            assertThat(ProcessHandle.of(child).map(ProcessHandle::isAlive).orElse(false)).isFalse();
            assertThat(n.call(Sh.checked("echo still-serving").timeout(Duration.ofSeconds(30))).stdout())
                    .isEqualTo("still-serving\n");
            assertThatThrownBy(() -> new Sh("true", false, -1)).isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("negative");
        }
    }

    @Test
    void aTaskOverItsLimitCancelsItsRemoteCallAndKillsWhatTheCallStarted() throws Exception {
        Path marker = work.resolve("task-limit-child.pid");
        try (Fleet f = fleet().connect()) {
            Node n = f.node("n2");
            io.speedling.core.tasks.TaskGraph g = io.speedling.core.tasks.TaskGraph.builder()
                    .taskTimeout(Duration.ofSeconds(2)).build();
            // no limit of the script's own: only the task's limit can stop it
            g.action("hangs", ctx -> n.call(Sh.of("sleep 300 & echo $! > " + marker + "; wait")));
            assertThatThrownBy(() -> g.run()).isInstanceOfSatisfying(io.speedling.core.tasks.TaskGraphException.class,
                    e -> assertThat(e.report().task("hangs").error()).contains("task hangs did not finish within its "
                            + "limit of 2000 ms").contains("call of Sh on node n2 cancelled while it ran"));
            long child = Long.parseLong(Files.readString(marker).strip());
            for (int i = 0; i < 50 && ProcessHandle.of(child).map(ProcessHandle::isAlive).orElse(false); i++) {
                Thread.sleep(100);
            }
            assertThat(ProcessHandle.of(child).map(ProcessHandle::isAlive).orElse(false)).as("sleep on the node")
                    .isFalse();
            assertThat(n.call(new Echo("still here"))).isEqualTo("n2:still here");
        }
    }

    @Test
    void whenTheControllerGoesAwayTheAgentStopsWhatItStarted() throws Exception {
        Path marker = work.resolve("orphan-child.pid");
        Fleet f = fleet().connect();
        try {
            f.node("n3").submit(Sh.of("sleep 300 & echo $! > " + marker + "; wait"));
            for (int i = 0; i < 100 && !Files.exists(marker); i++) {
                Thread.sleep(50);
            }
        } finally {
            f.close();  // as a controller that ends mid-call: the agent must not leave the command running
        }
        long child = Long.parseLong(Files.readString(marker).strip());
        for (int i = 0; i < 100 && ProcessHandle.of(child).map(ProcessHandle::isAlive).orElse(false); i++) {
            Thread.sleep(100);
        }
        assertThat(ProcessHandle.of(child).map(ProcessHandle::isAlive).orElse(false)).as("sleep left by the call")
                .isFalse();
    }

    @Test
    void callsRunConcurrentlyAndCompleteOutOfOrder() throws Exception {
        try (Fleet f = fleet().connect()) {
            Node n = f.node("n1");
            CompletableFuture<Long> slow = n.submit(new Sleep(1500));
            CompletableFuture<String> fast = n.submit(new Echo("fast"));
            assertThat(fast.get(1, TimeUnit.SECONDS)).isEqualTo("n1:fast");
            assertThat(slow).isNotDone();
            assertThat(slow.get(5, TimeUnit.SECONDS)).isEqualTo(1500L);

            CompletableFuture<Long> cancelled = n.submit(new Sleep(60_000));
            Thread.sleep(100);
            assertThat(cancelled.cancel(true)).isTrue();
            assertThat(n.call(new Echo("still here"))).isEqualTo("n1:still here");
        }
    }

    @Test
    void remoteLogRecordsAreLoggedUnderTheNodeName() {
        PrintStream old = System.err;
        ByteArrayOutputStream captured = new ByteArrayOutputStream();
        System.setErr(new PrintStream(new TeeStream(old, captured), true));
        try (Fleet f = fleet().connect()) {
            f.all().call(new LogLines("marker-7f3a", 3));
        } finally {
            System.setErr(old);
        }
        String log = captured.toString();
        for (String n : List.of("n1", "n2", "n3")) {
            assertThat(log).contains("speedling.node." + n + " - [" + n + "] agent: marker-7f3a line 2");
            assertThat(log).contains("WARN speedling.node." + n + " - [" + n
                    + "] component: marker-7f3a from a plain SLF4J logger");
        }
    }

    @Test
    void streamsALargeFileToThreeNodesReadingItOnce() throws Exception {
        Path src = work.resolve("big.bin");
        byte[] block = new byte[1 << 20];
        new Random(42).nextBytes(block);
        try (OutputStream o = Files.newOutputStream(src)) {
            for (int i = 0; i < 200; i++) {
                block[0] = (byte) i;
                o.write(block);
            }
        }
        String expected = TestFunctions.sha256(src);
        try (Fleet f = fleet().connect()) {
            // all three nodes are this machine: {node} gives each its own file
            Map<String, StreamResult> r = f.all().send(StreamSource.of(src),
                    work.resolve("fanned-{node}.bin").toString(), FileSpec.mode(0600));
            assertThat(r).hasSize(3);
            for (Node n : f.nodes()) {
                String dest = work.resolve("fanned-" + n.name() + ".bin").toString();
                assertThat(r.get(n.name()).path()).isEqualTo(dest);
                assertThat(r.get(n.name()).bytes()).isEqualTo(200L << 20);
                assertThat(n.call(new Sha256(dest))).isEqualTo(expected);
            }
            for (Node n : f.nodes()) {
                String dest = work.resolve("landed-" + n.name() + ".bin").toString();
                StreamResult one = n.send(StreamSource.of(src), work.resolve("landed-{node}.bin").toString(),
                        FileSpec.mode(0640).owner("root").group("root")).get(60, TimeUnit.SECONDS);
                assertThat(one.path()).isEqualTo(dest);
                assertThat(n.call(new Sha256(dest))).isEqualTo(expected);
                assertThat(n.call(new Stat(dest))).isEqualTo("root:root 640 " + (200L << 20));
            }
            // a stream that cannot land (unknown owner) leaves no file and no temporary behind
            String bad = work.resolve("bad/never.bin").toString();
            assertThatThrownBy(() -> f.all().send(StreamSource.of(src), bad, FileSpec.mode(0600).owner("no-such-user-x")))
                    .isInstanceOf(FanOutException.class).hasMessageContaining("no-such-user-x");
            try (Stream<Path> s = Files.list(work.resolve("bad"))) {
                assertThat(s.toList()).isEmpty();
            }
        }
    }

    @Test
    void aNodeKilledMidCallFailsItsCallsWithItsName() throws Exception {
        try (Fleet f = fleet().heartbeat(Duration.ofMillis(200), Duration.ofMillis(1500)).connect()) {
            Node n2 = f.node("n2");
            long pid = n2.call(new AgentPid());
            CompletableFuture<Long> inFlight = n2.submit(new Sleep(60_000));
            ProcessHandle.of(pid).orElseThrow().destroyForcibly();
            assertThatThrownBy(() -> inFlight.get(10, TimeUnit.SECONDS))
                    .hasCauseInstanceOf(NodeLostException.class).hasMessageContaining("node n2");
            assertThat(n2.isAlive()).isFalse();
            assertThatThrownBy(() -> n2.call(new Ping())).isInstanceOf(NodeLostException.class);
            assertThat(f.node("n1").call(new Ping())).isEqualTo("n1");
        }
    }

    @Test
    void aStreamWaitsWhileItsAgentIsPausedAndFinishesAfter() throws Exception {
        // a stream has two chunks in flight at most: the rest waits for the agent to write them
        try (Fleet f = fleet().connect()) {
            Node n1 = f.node("n1");
            long pid = n1.call(new AgentPid());
            String dest = work.resolve("paused.bin").toString();
            new ProcessBuilder("kill", "-STOP", Long.toString(pid)).start().waitFor();
            CompletableFuture<StreamResult> r;
            try {
                r = n1.send(StreamSource.of(new java.io.ByteArrayInputStream(new byte[48 << 20]), "48 MiB of zeros"),
                        dest, FileSpec.mode(0600));
                Thread.sleep(1000);
                assertThat(r).isNotDone();
            } finally {
                new ProcessBuilder("kill", "-CONT", Long.toString(pid)).start().waitFor();
            }
            assertThat(r.get(60, TimeUnit.SECONDS).bytes()).isEqualTo(48L << 20);
            assertThat(n1.call(new Stat(dest))).endsWith(" " + (48L << 20));
        }
    }

    @Test
    void aStreamToALostAgentFailsWithTheNodesName() throws Exception {
        try (Fleet f = fleet().heartbeat(Duration.ofMillis(200), Duration.ofMillis(1500)).connect()) {
            Node n2 = f.node("n2");
            long pid = n2.call(new AgentPid());
            new ProcessBuilder("kill", "-STOP", Long.toString(pid)).start().waitFor();
            try {
                // the writer waits for acknowledgements that never come; the heartbeat ends the wait
                CompletableFuture<StreamResult> r = n2.send(StreamSource.of(
                        new java.io.ByteArrayInputStream(new byte[48 << 20]), "48 MiB of zeros"),
                        work.resolve("never.bin").toString(), FileSpec.mode(0600));
                assertThatThrownBy(() -> r.get(30, TimeUnit.SECONDS)).hasMessageContaining("n2");
                assertThat(n2.isAlive()).isFalse();
            } finally {
                ProcessHandle.of(pid).ifPresent(ProcessHandle::destroyForcibly);
                new ProcessBuilder("kill", "-CONT", Long.toString(pid)).start().waitFor();
            }
        }
    }

    @Test
    void aFrozenAgentIsDetectedByHeartbeat() throws Exception {
        try (Fleet f = fleet().heartbeat(Duration.ofMillis(200), Duration.ofMillis(1500)).connect()) {
            Node n3 = f.node("n3");
            long pid = n3.call(new AgentPid());
            CompletableFuture<Long> inFlight = n3.submit(new Sleep(60_000));
            new ProcessBuilder("kill", "-STOP", Long.toString(pid)).start().waitFor();
            try {
                long t0 = System.nanoTime();
                assertThatThrownBy(() -> inFlight.get(15, TimeUnit.SECONDS))
                        .hasCauseInstanceOf(NodeLostException.class).hasMessageContaining("no heartbeat")
                        .hasMessageContaining("node n3");
                assertThat(Duration.ofNanos(System.nanoTime() - t0)).isLessThan(Duration.ofSeconds(10));
            } finally {
                ProcessHandle.of(pid).ifPresent(ProcessHandle::destroyForcibly);
                new ProcessBuilder("kill", "-CONT", Long.toString(pid)).start().waitFor();
            }
        }
    }

    @Test
    void aChangedHostKeyIsRefused() {
        try (LoopbackSshd own = LoopbackSshd.start("127.0.0.2", key)) {
            Fleet.Builder b = Fleet.builder().stateDir(work.resolve("state-hostkey"))
                    .agentDir(work.resolve("agent-hostkey").toString()).node(own.node("re"));
            assertThatThrownBy(b::connect).hasMessageContaining("re").hasMessageContaining("not in")
                    .hasMessageContaining("ssh-keyscan -p " + own.port() + " 127.0.0.2")
                    .satisfies(e -> assertThat(((FanOutException) e).failures().get("re"))
                            .isInstanceOf(HostKeyException.class));
            b.hostKeys(HostKeyPolicy.TRUST_ON_FIRST_USE).connect().close();
            // now recorded: strict works
            Fleet.builder().stateDir(work.resolve("state-hostkey")).agentDir(work.resolve("agent-hostkey").toString())
                    .node(own.node("re")).connect().close();
            own.changeHostKey();
            assertThatThrownBy(b::connect).satisfies(e -> assertThat(((FanOutException) e).failures().get("re"))
                    .isInstanceOf(HostKeyException.class)
                    .hasMessageContaining("CHANGED").hasMessageContaining("ssh-keygen -R"));
        }
    }

    @Test
    void aNodeBehindAJumpHostIsReachedThroughIt() {
        SshTarget viaJump = servers.get(1).target().jump(servers.get(0).target());
        try (Fleet f = Fleet.builder().stateDir(work.resolve("state-jump")).hostKeys(HostKeyPolicy.TRUST_ON_FIRST_USE)
                .agentDir(work.resolve("agent-jump").toString()).ship(SshNodesIT.class)
                .node(NodeSpec.ssh("far", viaJump)).connect()) {
            assertThat(f.node("far").call(new Echo("through"))).isEqualTo("far:through");
            // the TCP connection to the far node belongs to the jump host's sshd, not to this JVM
            LoopbackSshd far = servers.get(1);
            String conns = f.node("far").call(Sh.checked("ss -Htnp state established dst " + far.address() + ":"
                    + far.port())).stdout();
            assertThat(conns).contains("sshd").doesNotContain("java");
        }
    }

    @Test
    void aLocalNodeRunsTheSameFunctionsInProcess() throws Exception {
        try (Fleet f = Fleet.builder().node(NodeSpec.local("here").roles("r").data("k", "v")).connect()) {
            Node here = f.node("here");
            assertThat(here.call(new Echo("x"))).isEqualTo("here:x");
            assertThat(here.call(new WhoAmI())).containsEntry("data", Map.of("k", "v"));
            assertThatThrownBy(() -> here.call(new Fail("local boom"))).isInstanceOf(RemoteCallException.class)
                    .hasMessageContaining("local boom");
            String dest = work.resolve("local-stream.bin").toString();
            here.send(StreamSource.of(new byte[] {1, 2, 3}, "three bytes"), dest, FileSpec.mode(0600)).get();
            assertThat(Files.readAllBytes(Path.of(dest))).containsExactly(1, 2, 3);
        }
    }

    @Test
    void anUnreachableAddressFailsFastWithTheNodeName() {
        long t0 = System.nanoTime();
        assertThatThrownBy(() -> Fleet.builder().stateDir(work.resolve("state-unreach"))
                .connectTimeout(Duration.ofSeconds(3))
                .node(NodeSpec.ssh("ghost", SshTarget.of("127.0.0.9").port(1).identity(key.privateKey())))
                .connect())
                .isInstanceOfSatisfying(FanOutException.class, e -> assertThat(e.failures().get("ghost"))
                        .isInstanceOf(NodeConnectException.class)
                        .hasMessageContaining("node ghost").hasMessageContaining("cannot reach 127.0.0.9:1"));
        assertThat(Duration.ofNanos(System.nanoTime() - t0)).isLessThan(Duration.ofSeconds(10));
    }

    @Test
    void aMissingJavaIsReportedClearly() {
        assertThatThrownBy(() -> Fleet.builder().stateDir(work.resolve("state-nojava"))
                .hostKeys(HostKeyPolicy.TRUST_ON_FIRST_USE).agentDir(work.resolve("agent-nojava").toString())
                .node(NodeSpec.ssh("nojava", servers.get(0).target().java("/nonexistent/bin/java")))
                .connect())
                .hasMessageContaining("node nojava").hasMessageContaining("no java on the node")
                .hasMessageContaining("openjdk-17");
    }

    @Test
    void aJvmOptionThatPrintsToTheProtocolsStdoutIsNamed() {
        assertThatThrownBy(() -> Fleet.builder().stateDir(work.resolve("state-noisy"))
                .hostKeys(HostKeyPolicy.TRUST_ON_FIRST_USE).agentDir(work.resolve("agent-noisy").toString())
                .jvmOptions("-XX:+UseSerialGC", "-XX:CompileCommand=CompileThresholdScaling,io.speedling.*::*,0.5")
                .node(NodeSpec.ssh("noisy", servers.get(0).target()))
                .connect())
                .hasMessageContaining("node noisy")
                .hasMessageContaining("printed 'CompileCommand: CompileThresholdScaling io/speedling/")
                .hasMessageContaining("jvmOptions").hasMessageContaining("-XX:CompileCommand=quiet");
    }

    @Test
    void functionsThatAreNotShippedOrUntypedAreRefusedBeforeSending() {
        try (Fleet f = Fleet.builder().stateDir(work.resolve("state-noship")).hostKeys(HostKeyPolicy.TRUST_ON_FIRST_USE)
                .agentDir(work.resolve("agent-noship").toString()).node(servers.get(0).node("bare")).connect()) {
            assertThat(f.node("bare").call(new Ping())).isEqualTo("bare");
            assertThatThrownBy(() -> f.node("bare").call(new Echo("x")))
                    .hasMessageContaining("not on the agent's class path").hasMessageContaining("ship(Echo.class)");
        }
        try (Fleet f = fleet().connect()) {
            assertThatThrownBy(() -> f.node("n1").call(new TestFunctions.Untyped()))
                    .hasMessageContaining("must name its result type");
        }
    }

    /** Copies writes to two streams. */
    static final class TeeStream extends OutputStream {
        private final OutputStream a;
        private final OutputStream b;

        TeeStream(OutputStream a, OutputStream b) {
            this.a = a;
            this.b = b;
        }

        @Override
        public void write(int x) throws java.io.IOException {
            a.write(x);
            b.write(x);
        }

        @Override
        public void write(byte[] buf, int off, int len) throws java.io.IOException {
            a.write(buf, off, len);
            b.write(buf, off, len);
        }
    }
}
