package io.speedling.examples;

import io.speedling.core.CommandResult;
import io.speedling.core.FileSpec;
import io.speedling.core.Fleet;
import io.speedling.core.HostKeyPolicy;
import io.speedling.core.NodeContext;
import io.speedling.core.NodeSpec;
import io.speedling.core.RemoteFunction;
import io.speedling.core.SshTarget;
import io.speedling.core.StreamSource;
import io.speedling.core.functions.Sh;
import io.speedling.core.tasks.RunReport;
import io.speedling.core.tasks.Task;
import io.speedling.core.tasks.TaskGraph;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Connects to nodes, fans calls out to them, streams a file to all of them and runs
 * a small task graph over them.
 *
 * <pre>
 *   CoreDemo                                  three loopback sshd nodes started here
 *   CoreDemo -i KEY [--trust-new-hosts] [--state DIR] user@host[:port] ...
 * </pre>
 */
public final class CoreDemo {

    /** A remote function of our own: facts about the node. */
    public record Facts() implements RemoteFunction<Map<String, String>> {
        @Override
        public Map<String, String> run(NodeContext node) {
            return Map.of(
                    "kernel", node.run("uname", "-r").check().stdout().trim(),
                    "cpus", Integer.toString(Runtime.getRuntime().availableProcessors()),
                    "java", Runtime.version().toString(),
                    "user", System.getProperty("user.name"));
        }
    }

    /** Per-node arguments: each node writes its own greeting. */
    public record Greet(String path, String text) implements RemoteFunction<Boolean> {
        @Override
        public Boolean run(NodeContext node) {
            node.log().info("writing {}", path);
            return node.writeFile(path, (text + "\n").getBytes(), FileSpec.mode(0644));
        }
    }

    public static void main(String[] args) throws Exception {
        io.speedling.core.Fleet.preferJdkCrypto();  // a tool of its own: the JVM is ours to tune
        Path key = null;
        Path state = null;
        boolean tofu = false;
        List<String> hosts = new ArrayList<>();
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "-i" -> key = Path.of(args[++i]);
                case "--state" -> state = Path.of(args[++i]);
                case "--trust-new-hosts" -> tofu = true;
                case "-h", "--help" -> {
                    System.out.println("usage: demo [-i KEY] [--trust-new-hosts] [--state DIR] [user@host[:port] ...]");
                    return;
                }
                default -> hosts.add(args[i]);
            }
        }
        LoopbackNodes loopback = null;
        Fleet.Builder b = Fleet.builder().ship(CoreDemo.class);
        try {
            if (hosts.isEmpty()) {
                System.out.println("no nodes given: starting three sshd nodes on 127.0.0.2-4");
                loopback = new LoopbackNodes(3);
                b.nodes(loopback.specs()).knownHosts(loopback.knownHosts())
                        .stateDir(loopback.dir().resolve("state"))
                        .agentDir(loopback.dir().resolve("agent").toString() + "/{node}");
            } else {
                int n = 1;
                for (String h : hosts) {
                    b.node(NodeSpec.ssh("node-" + n++, parse(h, key)));
                }
                if (state != null) {
                    b.stateDir(state);
                }
                if (tofu) {
                    b.hostKeys(HostKeyPolicy.TRUST_ON_FIRST_USE);
                }
            }
            run(b);
        } finally {
            if (loopback != null) {
                loopback.close();
            }
        }
    }

    static SshTarget parse(String s, Path key) {
        String user = "root";
        int at = s.indexOf('@');
        if (at >= 0) {
            user = s.substring(0, at);
            s = s.substring(at + 1);
        }
        int port = 22;
        int colon = s.lastIndexOf(':');
        if (colon >= 0) {
            port = Integer.parseInt(s.substring(colon + 1));
            s = s.substring(0, colon);
        }
        SshTarget t = SshTarget.of(s).user(user).port(port);
        return key == null ? t : t.identity(key);
    }

    static void run(Fleet.Builder b) throws Exception {
        long t0 = System.nanoTime();
        try (Fleet fleet = b.connect()) {
            double bootstrap = (System.nanoTime() - t0) / 1e9;
            System.out.printf("connected %d nodes and started their agents in %.2f s%n", fleet.nodes().size(),
                    bootstrap);

            fleet.all().call(new Facts()).forEach((n, f) -> System.out.println("  " + n + ": " + new java.util.TreeMap<>(f)));

            Path tmp = Files.createTempDirectory("speedling-demo-");
            try {
                fleet.all().callEach(n -> new Greet(tmp.resolve("hello-" + n.name()).toString(), "hello " + n.name()));

                Path blob = tmp.resolve("blob.bin");
                try (InputStream zeros = InputStream.nullInputStream();
                        var out = Files.newOutputStream(blob)) {
                    byte[] mib = new byte[1 << 20];
                    for (int i = 0; i < 64; i++) {
                        mib[0] = (byte) i;
                        out.write(mib);
                    }
                }
                long s0 = System.nanoTime();
                fleet.all().send(StreamSource.of(blob), tmp.resolve("blob-copy.bin").toString(), FileSpec.mode(0600));
                System.out.printf("streamed 64 MiB to %d nodes in %.2f s%n", fleet.nodes().size(),
                        (System.nanoTime() - s0) / 1e9);

                TaskGraph g = TaskGraph.builder().build();
                Task<Map<String, CommandResult>> disks = g.task("disk-space", ctx -> fleet.all().call(Sh.checked("df -h / | tail -1")));
                Task<Map<String, CommandResult>> load = g.task("load", ctx -> fleet.all().call(Sh.checked("cat /proc/loadavg")));
                Task<String> summary = g.task("summary", ctx -> "disks " + ctx.want(disks).size() + ", load "
                        + ctx.want(load).size(), disks, load);
                RunReport report = g.run(summary);
                System.out.println("task graph: " + report.summary() + " -> " + summary.future().join());
            } finally {
                try (var w = Files.walk(tmp)) {
                    w.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
                }
            }
            System.out.printf("demo-ok nodes=%d bootstrap_s=%.2f%n", fleet.nodes().size(), bootstrap);
        }
    }
}
