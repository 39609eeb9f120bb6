package io.speedling.virt.nodes;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.speedling.core.Fleet;
import io.speedling.core.functions.Sh;
import io.speedling.virt.HostTool;
import io.speedling.virt.VirtException;
import io.speedling.virt.VirtTesting;
import io.speedling.virt.image.Image;
import io.speedling.virt.internal.Exec;
import io.speedling.virt.internal.Mounts;
import io.speedling.virt.internal.ProcessId;
import io.speedling.virt.internal.SliceState;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Real system containers on real bridges, reached over real SSH. Slices 201-203 are this test's. */
@Timeout(value = 15, unit = TimeUnit.MINUTES)
class NspawnIT {
    static final Path STATE = Path.of("target", "it-nspawn").toAbsolutePath();
    static Image image;
    static NspawnProvider provider;

    @BeforeAll
    static void image() {
        VirtTesting.assumeHost(HostTool.MMDEBSTRAP, HostTool.SYSTEMD_NSPAWN, HostTool.IP, HostTool.NFT);
        image = VirtTesting.cache().build(VirtTesting.NODE);
        provider = NspawnProvider.create(STATE);
        for (int s = 201; s <= 203; s++) {
            provider.wipe(s);
        }
    }

    @AfterAll
    static void nothingLeft() {
        if (provider == null) {
            return;
        }
        for (int s = 201; s <= 203; s++) {
            provider.wipe(s);
            assertThat(Path.of("/sys/class/net/spd" + s + "-mgmt")).doesNotExist();
        }
        assertThat(Mounts.under(STATE)).isEmpty();
        assertThat(STATE.resolve("ip_forward.before")).doesNotExist();
    }

    static SlicePlan plan(int slice) {
        return SlicePlan.slice(slice).node("controller", 1).node("worker", 1).build();
    }

    @Test
    void twoNodesBootReachEachOtherAndRunTheAgent() throws Exception {
        try (Cluster c = provider.up(plan(201), image)) {
            assertThat(c.nodes()).extracting(VirtNode::address).containsExactly("10.231.201.10", "10.231.201.11");
            try (Fleet f = c.fleet().connect()) {
                Map<String, String> names = f.all().call(new Sh("hostname", true)).values().stream()
                        .collect(java.util.stream.Collectors.toMap(r -> r.stdout().trim(), r -> r.stdout().trim()));
                assertThat(names).containsOnlyKeys("controller-01", "worker-01");
                // peers by name over the slice network, and the second network with its MAC
                String probe = "bash <<'EOF'\n"
                        + "getent hosts worker-01 | cut -d' ' -f1\n"
                        + "exec 3<>/dev/tcp/worker-01/22; head -c 4 <&3; echo\n"
                        + "exec 4<>/dev/tcp/10.232.201.11/22; head -c 4 <&4; echo\n"
                        + "ls /sys/class/net | tr '\\n' ' '; echo; cat /sys/class/net/eth1/address; ip -6 -o addr show dev eth0 scope global | wc -l\n"
                        + "EOF\n";
                var out = f.node("controller-01").call(new Sh(probe, true));
                assertThat(out.stdout().lines().toList())
                        .containsExactly("10.231.201.11", "SSH-", "SSH-", "eth0 eth1 lo ", "52:54:00:c9:01:00", "1");
                // NAT: the node reaches the package mirror through the host
                assertThat(f.node("worker-01").call(new Sh("bash -c 'getent hosts deb.debian.org >/dev/null && "
                        + "exec 5<>/dev/tcp/deb.debian.org/80 && echo mirror-reachable'", true)).stdout())
                        .isEqualTo("mirror-reachable\n");
                // the node's own /proc/sys/net is writable (neutron sets sysctls there)
                assertThat(f.node("controller-01").call(new Sh("sysctl -w net.ipv4.ip_forward=1", true)).stdout())
                        .contains("net.ipv4.ip_forward = 1");
                // systemd is PID 1 and the node is up
                var sys = f.node("worker-01").call(new Sh("cat /proc/1/comm; systemctl is-system-running --wait || true",
                        true));
                assertThat(sys.stdout().lines().toList()).first().isEqualTo("systemd");
                assertThat(sys.stdout()).containsAnyOf("running", "degraded");
                // pam_nologin greets a login with "System is booting up" until /run/nologin is gone,
                // which may come a moment after the boot counts as finished
                f.node("worker-01").call(Sh.checked("for i in $(seq 100); do [ -e /run/nologin ] || exit 0; sleep 0.1; "
                        + "done; echo '/run/nologin still there after 10 s' >&2; exit 1"));
            }
            // each node's systemd in a control group of its own: nodes sharing one broke each other's units
            for (String m : List.of("spd201-controller-01", "spd201-worker-01")) {
                assertThat(NodeCgroups.groups(m)).isNotEmpty().allSatisfy(g -> assertThat(g.resolve("payload"))
                        .isDirectory());
            }
            // the OpenSSH config works for humans, with strict host key checking
            String viaSsh = Exec.of("ssh", "-F", c.sshConfig().toString(), "-o", "BatchMode=yes", "worker-01",
                    "hostname").run();
            assertThat(viaSsh.trim()).isEqualTo("worker-01");
        }
        assertWiped(201);
    }

    @Test
    void stopKeepsTheDiskAndStartBootsAgain() throws Exception {
        SlicePlan p = SlicePlan.slice(202).node("worker", 1).build();
        try (Cluster c = provider.up(p, image)) {
            try (Fleet f = c.fleet().connect()) {
                f.all().call(new Sh("echo kept > /root/state", true));
            }
            c.stop();
            assertThat(provider.existing(p)).isEmpty();
            try (Cluster again = provider.start(p); Fleet f = again.fleet().connect()) {
                assertThat(f.node("worker-01").call(new Sh("cat /root/state", true)).stdout()).isEqualTo("kept\n");
                again.keep();
            }
        }
        provider.wipe(202);
        assertWiped(202);
    }

    @Test
    void leftoversOfAKilledRunAreRecognisedAndCleaned() throws Exception {
        SlicePlan p = SlicePlan.slice(203).node("worker", 1).build();
        Process child = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp", System.getProperty("java.class.path"), UpAndHang.class.getName(), STATE.toString(),
                image.key(), VirtTesting.CACHE_DIR.toString()).redirectErrorStream(true).start();
        try (BufferedReader r = new BufferedReader(new InputStreamReader(child.getInputStream()))) {
            String line;
            while ((line = r.readLine()) != null && !line.equals("UP")) {
                // wait for the child's nodes
            }
            assertThat(line).isEqualTo("UP");
        }
        child.destroyForcibly().waitFor();
        // its container outlived it, as after a killed session
        String nspawn = SliceState.read(STATE.resolve("slice-203/slice.json")).orElseThrow().nodes.get("worker-01").nspawn;
        ProcessId orphan = ProcessId.parse(nspawn);
        assertThat(orphan.alive()).isTrue();
        assertThat(provider.existing(p)).isPresent();

        try (Cluster c = provider.cycle(p, image); Fleet f = c.fleet().connect()) {
            assertThat(orphan.alive()).isFalse();
            assertThat(f.node("worker-01").call(new Sh("hostname", true)).stdout()).isEqualTo("worker-01\n");
        }
        assertWiped(203);
    }

    @Test
    void aNodeWithoutJavaIsGivenARuntimeOnce() throws Exception {
        Image bare = VirtTesting.cache().build(VirtTesting.BASE);
        Path runtimes = STATE.resolve("runtimes");
        SlicePlan p = SlicePlan.slice(203).node("worker", 1).build();
        try (Cluster c = provider.cycle(p, bare)) {
            long t0 = System.nanoTime();
            try (Fleet f = c.fleet().runtimeCache(runtimes).connect()) {
                long first = System.nanoTime() - t0;
                var out = f.node("worker-01").call(new Sh("command -v java || echo no-java-on-path; "
                        + "ls ~/.cache/speedling/agent | grep -c '^rt-'; "
                        + "ls ~/.cache/speedling/agent/rt-*/lib/server/classes.jsa | wc -l", true));
                // no Java of its own, one runtime, with the class-data archive the node made for it
                assertThat(out.stdout()).isEqualTo("no-java-on-path\n1\n1\n");
                String stamp = "stat -c '%n %i' ~/.cache/speedling/agent/rt-* ~/.cache/speedling/agent/rt-*/lib/modules";
                String before = f.node("worker-01").call(new Sh(stamp, true)).stdout();
                assertThat(runtimes).isDirectoryContaining("glob:**/rt-*.tar.gz");
                t0 = System.nanoTime();
                try (Fleet again = c.fleet().runtimeCache(runtimes).connect()) {
                    long cached = System.nanoTime() - t0;
                    assertThat(again.node("worker-01").call(new Sh(stamp, true)).stdout()).as("not sent again")
                            .isEqualTo(before);
                    System.out.printf("runtime shipped: first connect %.2f s (link + upload), second %.2f s%n",
                            first / 1e9, cached / 1e9);
                }
            }
            // a runtime that does not arrive as it was packed is sent once more, then refused naming both sizes
            List<Path> packed;
            try (var files = Files.list(runtimes)) {
                packed = files.filter(f -> f.getFileName().toString().endsWith(".tar.gz")).toList();
            }
            for (Path rt : packed) {
                Files.write(rt, new byte[] {0}, java.nio.file.StandardOpenOption.APPEND);
            }
            try (Fleet f = c.fleet().connect()) {
                f.node("worker-01").call(new Sh("rm -rf ~/.cache/speedling/agent/rt-*", true));
            }
            try {
                assertThatThrownBy(() -> c.fleet().runtimeCache(runtimes).connect())
                        .hasMessageContaining("the Java runtime arrived twice with another SHA-256")
                        .hasMessageContaining("Check the node's free space");
            } finally {
                for (Path rt : packed) {
                    try (var ch = java.nio.channels.FileChannel.open(rt, java.nio.file.StandardOpenOption.WRITE)) {
                        ch.truncate(ch.size() - 1);
                    }
                }
            }
            // with shipping off, the node is refused saying what to install
            assertThatThrownBy(() -> c.fleet().shipRuntime(false).connect())
                    .hasMessageContaining("no java on the node").hasMessageContaining("openjdk-17-jre-headless");
        }
        assertWiped(203);
    }

    /** Boots slice 203 and then waits to be killed. */
    public static final class UpAndHang {
        public static void main(String[] args) throws Exception {
            Image img = io.speedling.virt.image.ImageCache.open(Path.of(args[2])).image(args[1]).orElseThrow();
            NspawnProvider.create(Path.of(args[0])).up(SlicePlan.slice(203).node("worker", 1).build(), img).keep();
            System.out.println("UP");
            System.out.flush();
            Thread.sleep(600_000);
        }
    }

    @Test
    void aCorruptRecordStillLetsWipeRemoveContainersLinksAndTableByTheirMarks() throws Exception {
        provider.wipe(202);
        Cluster c = provider.up(plan(202), image).keep();
        ProcessId nspawn = ProcessId.parse(SliceState.read(STATE.resolve("slice-202/slice.json")).orElseThrow()
                .nodes.get("worker-01").nspawn);
        Files.writeString(STATE.resolve("slice-202/slice.json"), "{ truncated by a crash");
        provider.wipe(202);
        assertThat(nspawn.alive()).as("container found by its machine name").isFalse();
        assertWiped(202);
        assertThat(c.nodes()).hasSize(2);
    }

    @Test
    void aBridgeThatIsNotOursIsRefusedAndLeftAlone() {
        Exec.of("ip", "link", "add", "spd203-mgmt", "type", "bridge").run();
        try {
            assertThatThrownBy(() -> provider.up(SlicePlan.slice(203).node("worker", 1).build(), image))
                    .isInstanceOf(VirtException.class)
                    .hasMessageContaining("bridge spd203-mgmt already exists and was not made by speedling")
                    .hasMessageContaining("leaves it alone");
            assertThat(Path.of("/sys/class/net/spd203-mgmt")).exists();
            assertThat(STATE.resolve("slice-203")).doesNotExist();
        } finally {
            Exec.of("ip", "link", "delete", "spd203-mgmt").run();
        }
    }

    static void assertWiped(int slice) throws Exception {
        assertThat(STATE.resolve("slice-" + slice)).doesNotExist();
        try (var links = Files.list(Path.of("/sys/class/net"))) {
            assertThat(links.map(l -> l.getFileName().toString())).noneMatch(n -> n.startsWith("spd" + slice));
        }
        assertThat(Files.exists(Path.of("/run/netns"))
                ? Files.list(Path.of("/run/netns")).map(n -> n.getFileName().toString()).toList() : List.<String>of())
                .noneMatch(n -> n.startsWith("spd" + slice + "-"));
        assertThat(Exec.of("nft", "list", "tables").run()).doesNotContain("speedling_s" + slice);
        assertThat(NodeCgroups.leftOver("spd" + slice + "-")).isEmpty();
    }
}
