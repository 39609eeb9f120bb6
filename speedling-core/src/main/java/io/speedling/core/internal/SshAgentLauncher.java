package io.speedling.core.internal;

import io.speedling.core.HostKeyException;
import io.speedling.core.NodeConnectException;
import io.speedling.core.NodeSpec;
import io.speedling.core.SshTarget;
import java.io.BufferedOutputStream;
import java.io.BufferedReader;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.ConnectException;
import java.net.NoRouteToHostException;
import java.net.SocketTimeoutException;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import net.schmizz.sshj.DefaultConfig;
import net.schmizz.sshj.SSHClient;
import net.schmizz.sshj.connection.channel.direct.Session;
import net.schmizz.sshj.transport.TransportException;
import net.schmizz.sshj.userauth.UserAuthException;
import net.schmizz.sshj.userauth.keyprovider.KeyProvider;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;
import org.slf4j.Logger;

/**
 * Connects to a node with sshj, makes sure the agent's jars are in the node's cache
 * (uploading only the missing ones), and starts the agent on one exec channel.
 *
 * <p>A cached start is one exec: a short shell script checks the cache and execs
 * java. The controller writes INIT at once and reads the first four bytes: a frame
 * length means the agent is up; the text {@code SPEE(DLING-...)} means the script
 * had something to say (missing jars, no java) and exited.
 */
public final class SshAgentLauncher {
    static final String AGENT_MAIN = "io.speedling.core.internal.agent.AgentMain";
    /** The agent's logging settings: also given to the warm-up run, so the archive holds the classes they load. */
    private static final String AGENT_PROPERTIES = " -Dslf4j.internal.verbosity=WARN"
            + " -Dslf4j.provider=io.speedling.core.internal.agent.AgentLogging";
    private static final int MARKER = ('S' << 24) | ('P' << 16) | ('E' << 8) | 'E';
    private static final java.util.concurrent.ScheduledExecutorService TIMER = Threads.scheduler("speedling-timeout");

    /**
     * sshj's defaults put chacha20-poly1305 first, which runs in pure Java; AES-GCM on the JDK's
     * provider ({@link JdkGcm}) uses the CPU's AES instructions and is several times faster. Weak
     * ciphers and MACs (CBC, RC4, 3DES, MD5) are left out.
     */
    private static final DefaultConfig CONFIG = new DefaultConfig();

    static {
        List<net.schmizz.sshj.common.Factory.Named<net.schmizz.sshj.transport.cipher.Cipher>> ciphers =
                new ArrayList<>(List.of(JdkGcm.factory("aes128-gcm@openssh.com", 128),
                        JdkGcm.factory("aes256-gcm@openssh.com", 256)));
        ciphers.addAll(prefer(CONFIG.getCipherFactories(), List.of("aes128-ctr", "aes256-ctr",
                "chacha20-poly1305@openssh.com")));
        CONFIG.setCipherFactories(ciphers);
        CONFIG.setMACFactories(prefer(CONFIG.getMACFactories(), List.of("hmac-sha2-256-etm@openssh.com",
                "hmac-sha2-512-etm@openssh.com", "hmac-sha2-256", "hmac-sha2-512", "hmac-sha1-etm@openssh.com")));
    }

    private static <T extends net.schmizz.sshj.common.Factory.Named<?>> List<T> prefer(List<T> available,
            List<String> order) {
        List<T> out = new ArrayList<>();
        for (String name : order) {
            for (T f : available) {
                if (f.getName().equals(name)) {
                    out.add(f);
                }
            }
        }
        return out;
    }

    private SshAgentLauncher() {
    }

    /**
     * Makes sshj use the JDK's crypto instead of BouncyCastle's for everything, key exchange and
     * signatures included (the ciphers use the JDK's anyway, see {@link JdkGcm}). A process-wide
     * sshj setting, so only when asked ({@link io.speedling.core.Fleet#preferJdkCrypto()}).
     */
    public static void preferJdkCrypto() {
        net.schmizz.sshj.common.SecurityUtils.setRegisterBouncyCastle(false);
        net.schmizz.sshj.common.SecurityUtils.setSecurityProvider(null);
    }

    public static AgentNode launch(NodeSpec spec, AgentOptions options) {
        SshTarget t = spec.ssh();
        Logger log = NodeLog.of(spec.name());
        List<SSHClient> clients = new ArrayList<>();
        boolean ok = false;
        try {
            SSHClient client = connect(spec.name(), t, options, clients);
            String dir = options.agentDir().replace("{node}", spec.name());
            AgentNode node = null;
            String runtime = null;  // the key of a runtime shipped to a node without Java 17+
            boolean jarsSent = false;
            boolean runtimeSent = false;
            while (node == null) {
                Started s = start(spec, client, options, dir, runtime, log);
                if (s.node != null) {
                    node = s.node;
                } else if (!jarsSent && s.missing != null) {
                    upload(spec.name(), client, options, dir, s.missing, log);
                    jarsSent = true;
                } else if (runtime == null && s.noJava && t.java() == null && options.runtimeCache() != null) {
                    runtime = AgentRuntime.key(options.payload(), options.runtimeCache());
                } else if (runtime != null && !runtimeSent && s.noRuntime) {
                    uploadRuntime(spec.name(), client, options, dir, log);
                    runtimeSent = true;
                } else {
                    throw new NodeConnectException(spec.name(), "node " + spec.name() + " (" + t
                            + "): the agent did not start: " + s.message);
                }
            }
            ok = true;
            return node;
        } finally {
            for (SSHClient c : clients) {
                if (c.getSocket() instanceof QuickSocket q) {
                    q.handshakeDone();
                }
            }
            if (!ok) {
                closeAll(clients);
            }
        }
    }

    private static SSHClient connect(String node, SshTarget t, AgentOptions options, List<SSHClient> clients) {
        SSHClient jump = t.jump() == null ? null : connect(node, t.jump(), options, clients);
        SSHClient client = new SSHClient(CONFIG);
        clients.add(client);
        KnownHostsVerifier verifier;
        try {
            verifier = KnownHostsVerifier.open(options.knownHosts(), options.hostKeys());
        } catch (IOException e) {
            throw new NodeConnectException(node, "node " + node + ": cannot read known_hosts file "
                    + options.knownHosts() + ": " + e.getMessage(), e);
        }
        client.addHostKeyVerifier(verifier);
        client.setConnectTimeout((int) options.connectTimeout().toMillis());
        client.setSocketFactory(QuickSocket.FACTORY);
        String where = t.user() + "@" + t.host() + ":" + t.port() + (jump == null ? "" : " via " + t.jump().host());
        try {
            if (jump != null) {
                client.connectVia(jump.newDirectConnection(t.host(), t.port()));
            } else {
                client.connect(t.host(), t.port());
            }
        } catch (TransportException e) {
            if (verifier.problem() != null) {
                throw new HostKeyException(node, "node " + node + " (" + where + ") refused: " + verifier.problem());
            }
            throw new NodeConnectException(node, "node " + node + ": SSH handshake with " + where + " failed: "
                    + e.getMessage(), e);
        } catch (ConnectException | NoRouteToHostException | SocketTimeoutException | UnknownHostException e) {
            throw new NodeConnectException(node, "node " + node + ": cannot reach " + t.host() + ":" + t.port()
                    + " (" + e.getClass().getSimpleName() + ": " + e.getMessage()
                    + "). Check that the node is up, sshd listens on that port and the address is right", e);
        } catch (IOException e) {
            throw new NodeConnectException(node, "node " + node + ": connecting to " + where + " failed: "
                    + e.getMessage(), e);
        }
        List<Path> keys = new ArrayList<>();
        if (t.identity() != null) {
            keys.add(t.identity());
        } else {
            Path ssh = Path.of(System.getProperty("user.home"), ".ssh");
            for (String k : List.of("id_ed25519", "id_ecdsa", "id_rsa")) {
                if (Files.isRegularFile(ssh.resolve(k))) {
                    keys.add(ssh.resolve(k));
                }
            }
        }
        if (keys.isEmpty()) {
            throw new NodeConnectException(node, "node " + node + ": no SSH key to log in to " + where
                    + "; give one with SshTarget.identity(path)");
        }
        try {
            List<KeyProvider> providers = new ArrayList<>();
            for (Path k : keys) {
                providers.add(client.loadKeys(k.toString()));
            }
            client.authPublickey(t.user(), providers);
        } catch (UserAuthException e) {
            throw new NodeConnectException(node, "node " + node + ": " + where + " did not accept the key(s) "
                    + keys + " for user " + t.user() + "; add the public key to ~" + t.user()
                    + "/.ssh/authorized_keys there", e);
        } catch (IOException e) {
            throw new NodeConnectException(node, "node " + node + ": logging in to " + where + " failed: "
                    + e.getMessage(), e);
        }
        return client;
    }

    /**
     * The outcome of one start attempt: a node, or the jars it lacks, or a message; {@code noJava}
     * when the node has no Java 17+ of its own, {@code noRuntime} when it lacks the shipped runtime.
     */
    record Started(AgentNode node, List<String> missing, String message, boolean noJava, boolean noRuntime) {
        Started(AgentNode node, List<String> missing, String message) {
            this(node, missing, message, false, false);
        }
    }

    private static Started start(NodeSpec spec, SSHClient client, AgentOptions options, String dir, String runtime,
            Logger log) {
        String name = spec.name();
        Session session;
        Session.Command cmd;
        try {
            session = client.startSession();
            cmd = session.exec(startScript(spec.ssh(), options, dir, runtime));
        } catch (IOException e) {
            throw new NodeConnectException(name, "node " + name + ": cannot open an exec channel: " + e.getMessage(), e);
        }
        StderrTail stderr = new StderrTail(cmd.getErrorStream(), log, name);
        ScheduledFuture<?> timeout = TIMER.schedule(() -> closeQuietly(session),
                options.bootstrapTimeout().toMillis(), TimeUnit.MILLISECONDS);
        try {
            Frames.Writer out = new Frames.Writer(new BufferedOutputStream(cmd.getOutputStream(), 1 << 16));
            DataInputStream in = new DataInputStream(new java.io.BufferedInputStream(cmd.getInputStream(), 1 << 16));
            Wire.Init init = new Wire.Init(name, spec.roles(), spec.data(), NodeLog.threshold(log),
                    options.heartbeat().toMillis(), options.heartbeatTimeout().toMillis());
            try {
                out.write(Frames.INIT, 0, Json.MAPPER.writeValueAsBytes(init));
            } catch (IOException e) {
                // the script may already have exited; what it printed says why
            }
            int first;
            try {
                first = in.readInt();
            } catch (IOException e) {
                String why = stderr.awaitText();
                closeQuietly(session);
                if (timeout.isDone()) {
                    return new Started(null, null, "no answer within " + options.bootstrapTimeout().toSeconds()
                            + " s" + why);
                }
                return new Started(null, null, explain(spec.ssh(), exitStatus(cmd), why));
            }
            if (first == MARKER) {
                String line = "SPEE" + readBoundedLine(in, 4096);
                closeQuietly(session);
                return scriptMessage(spec, line);
            }
            if (first < 0 || first > Frames.MAX_FRAME) {
                // not a frame's length but text: the JVM itself printed to the stdout the protocol runs on
                String text = new String(java.nio.ByteBuffer.allocate(4).putInt(first).array(),
                        StandardCharsets.ISO_8859_1) + readBoundedLine(in, 4096);
                closeQuietly(session);
                return new Started(null, null, "the agent's JVM printed '" + NodeLog.clean(text).trim()
                        + "' to its standard output, which carries speedling's protocol; remove or quiet the option"
                        + " in Fleet.builder().jvmOptions(...) that prints it (-XX:CompileCommand needs"
                        + " -XX:CompileCommand=quiet)");
            }
            Frames.Frame hello = Frames.readAfterLength(in, first);
            if (hello.type() != Frames.HELLO) {
                closeQuietly(session);
                return new Started(null, null, "expected HELLO from the agent, got frame type " + hello.type());
            }
            timeout.cancel(false);
            Wire.Hello h = Json.MAPPER.readValue(hello.payload(), Wire.Hello.class);
            log.debug("[{}] agent up: pid {} user {} java {}", name, h.pid(), h.user(), h.javaVersion());
            Runnable disconnect = () -> {
                closeQuietly(session);
                closeQuietly(client);
            };
            return new Started(new AgentNode(spec, out, in, h, options, disconnect, stderr::recent), null, null);
        } catch (IOException e) {
            closeQuietly(session);
            throw new NodeConnectException(name, "node " + name + ": starting the agent failed: " + e.getMessage()
                    + stderr.awaitText(), e);
        } finally {
            timeout.cancel(false);
        }
    }

    /**
     * One line of at most {@code max} bytes: a broken or hostile node that sends endless bytes
     * instead of a greeting is read no further than that.
     */
    static String readBoundedLine(InputStream in, int max) throws IOException {
        java.io.ByteArrayOutputStream b = new java.io.ByteArrayOutputStream();
        int c;
        while (b.size() < max && (c = in.read()) >= 0 && c != '\n') {
            b.write(c);
        }
        return NodeLog.clean(b.toString(StandardCharsets.UTF_8));
    }

    static Started scriptMessage(NodeSpec spec, String line) {
        String[] w = line.trim().split("\\s+");
        int need = switch (w[0]) {
            case "SPEEDLING-OLDJAVA" -> 3;
            case "SPEEDLING-NODIR" -> 2;
            default -> 1;
        };
        if (w.length < need) {
            return new Started(null, null, "the start script's message was cut short: " + line);
        }
        switch (w[0]) {
            case "SPEEDLING-NEED":
                return new Started(null, List.of(w).subList(1, w.length), "jars still missing after upload");
            case "SPEEDLING-NOJAVA":
                return new Started(null, null, "no java on the node (looked for '" + javaCommand(spec.ssh())
                        + "'). Install a Java 17+ runtime there (Debian: apt-get install openjdk-17-jre-headless)"
                        + " or name one with SshTarget.java(path)" + SHIP_HINT, true, false);
            case "SPEEDLING-OLDJAVA":
                return new Started(null, null, w[2] + " on the node is Java " + w[1]
                        + "; the agent needs Java 17 or newer. Install openjdk-17-jre-headless or name another"
                        + " java with SshTarget.java(path)" + SHIP_HINT, true, false);
            case "SPEEDLING-NORUNTIME":
                return new Started(null, null, "the runtime shipped to the node is missing after its upload", false,
                        true);
            case "SPEEDLING-NODIR":
                return new Started(null, null, "cannot create the agent cache directory " + w[1]
                        + " on the node; check the user's home directory and disk space");
            default:
                return new Started(null, null, "unexpected output from the start script: " + line);
        }
    }

    private static final String SHIP_HINT = " (or leave Fleet.Builder.shipRuntime on and the java unnamed: the"
            + " controller then ships a runtime)";

    private static String javaCommand(SshTarget t) {
        return t.java() == null ? "java" : t.java();
    }

    private static String explain(SshTarget t, Integer exit, String stderr) {
        String s = stderr.toLowerCase(java.util.Locale.ROOT);
        if (s.contains("sudo:") && (s.contains("password") || s.contains("not in the sudoers")
                || s.contains("not allowed"))) {
            return "user " + t.user() + " cannot run the agent as root with 'sudo -n' (passwordless sudo is needed)."
                    + " Grant it (e.g. '" + t.user() + " ALL=(ALL) NOPASSWD: ALL' in /etc/sudoers.d/), log in as root,"
                    + " or use SshTarget.sudo(false) to run the agent as " + t.user() + stderr;
        }
        if (s.contains("sudo: command not found") || s.contains("sudo: not found")) {
            return "sudo is not installed on the node; install it or log in as root" + stderr;
        }
        if (s.contains("unsupportedclassversionerror")) {
            return "the node's java is older than Java 17; install openjdk-17-jre-headless" + stderr;
        }
        return "the agent exited" + (exit == null ? "" : " with status " + exit) + " before it said hello" + stderr;
    }

    private static Integer exitStatus(Session.Command cmd) {
        try {
            cmd.join(2, TimeUnit.SECONDS);
        } catch (IOException e) {
            return null;
        }
        return cmd.getExitStatus();
    }

    /**
     * The script that starts the agent: with {@code runtime} (a shipped runtime's key) its java,
     * else the node's own ({@link SshTarget#java()} or {@code java} on the PATH).
     */
    static String startScript(SshTarget t, AgentOptions options, String dir, String runtime) {
        AgentPayload p = options.payload();
        StringBuilder hashes = new StringBuilder();
        StringBuilder cp = new StringBuilder();
        for (AgentPayload.Entry e : p.entries()) {
            hashes.append(' ').append(e.hash());
            cp.append(cp.length() == 0 ? "" : ":").append("$d/").append(e.hash()).append(".jar");
        }
        boolean sudo = t.sudo() && !t.user().equals("root");
        String jvm = String.join(" ", options.jvmOptions());
        String findJava = runtime != null
                // a shipped runtime keeps its own class-data archive beside it: each archive belongs to one JVM
                ? "j=\"$d/rt-" + runtime + "/bin/java\"; [ -x \"$j\" ] || { echo SPEEDLING-NORUNTIME; exit 0; }\n"
                + "a=\"$d/rt-" + runtime + "/cds-" + p.classPathHash() + ".jsa\"\n"
                : "j=$(command -v " + shellQuote(javaCommand(t)) + ") || { echo SPEEDLING-NOJAVA; exit 0; }\n"
                + "a=\"$d/cds-" + p.classPathHash() + ".jsa\"\n"
                // the version is read until a class-data archive shows that a java ran the agent here
                // (an older java put in its place later still fails clearly: see explain)
                + "if [ ! -s \"$a\" ]; then r=$(readlink -f \"$j\"); r=\"${r%/bin/java}/release\"\n"
                + "if [ -r \"$r\" ]; then v=$(sed -n 's/^JAVA_VERSION=\"\\([0-9]*\\).*/\\1/p' \"$r\");"
                + " if [ -n \"$v\" ] && [ \"$v\" -lt 17 ]; then echo \"SPEEDLING-OLDJAVA $v $j\"; exit 0; fi; fi; fi\n";
        return "d=" + dirExpr(dir) + "\n"
                // a cached start runs no program before java but command -v (a shell builtin)
                + "[ -d \"$d\" ] || mkdir -p \"$d\" 2>/dev/null || { echo \"SPEEDLING-NODIR $d\"; exit 0; }\n"
                + "n=''; for h in" + hashes + "; do [ -s \"$d/$h.jar\" ] || n=\"$n $h\"; done\n"
                + "[ -z \"$n\" ] || { echo \"SPEEDLING-NEED$n\"; exit 0; }\n"
                + findJava
                + "cp=\"" + cp + "\"\n"
                + "x=''\n"
                + "if [ -s \"$a\" ]; then x=\"-XX:SharedArchiveFile=$a -Xlog:cds=off -Xlog:cds+dynamic=off\";\n"
                + "elif mkdir \"$a.lock\" 2>/dev/null; then\n"
                // one background run per node dumps a class-data-sharing archive for the next start
                + "  ( nice \"$j\" " + jvm + " -XX:ArchiveClassesAtExit=\"$a.$$\"" + AGENT_PROPERTIES + " -cp \"$cp\" "
                + AGENT_MAIN
                + " --warmup && mv -f \"$a.$$\" \"$a\"; rm -f \"$a.$$\"; rmdir \"$a.lock\" ) </dev/null >/dev/null 2>&1 &\n"
                + "fi\n"
                + "exec " + (sudo ? "sudo -n -- " : "") + "\"$j\" " + jvm + " $x"
                + AGENT_PROPERTIES + " -cp \"$cp\" " + AGENT_MAIN + "\n";
    }

    private static String dirExpr(String dir) {
        if (dir.startsWith("~/")) {
            return "\"$HOME\"/" + shellQuote(dir.substring(2));
        }
        return shellQuote(dir);
    }

    static String shellQuote(String s) {
        return "'" + s.replace("'", "'\\''") + "'";
    }

    /** What a script fed by {@link #feed} printed, its exit status and the tail of its stderr. */
    private record Fed(String out, Integer exit, String stderr) {
    }

    /** Writes what the caller sends to a script's standard input. */
    private interface Feeder {
        void write(OutputStream in) throws IOException;
    }

    /**
     * Runs {@code script} on the node, writes {@code input} to its standard input and reads what it
     * prints; a node that stops reading (or never answers) ends it at the bootstrap limit, not never.
     */
    private static Fed feed(String name, SSHClient client, AgentOptions options, String script, Feeder input,
            String what, Logger log) {
        ScheduledFuture<?> limit = null;
        java.util.concurrent.atomic.AtomicBoolean overdue = new java.util.concurrent.atomic.AtomicBoolean();
        try (Session session = client.startSession()) {
            limit = TIMER.schedule(() -> {
                overdue.set(true);
                closeQuietly(session);
            }, options.bootstrapTimeout().toMillis(), TimeUnit.MILLISECONDS);
            Session.Command cmd = session.exec(script);
            StderrTail stderr = new StderrTail(cmd.getErrorStream(), log, name);
            try (OutputStream o = cmd.getOutputStream()) {
                input.write(o);
            }
            String out = NodeLog.clean(new String(cmd.getInputStream().readAllBytes(), StandardCharsets.UTF_8));
            cmd.join(options.bootstrapTimeout().toMillis(), TimeUnit.MILLISECONDS);
            if (overdue.get()) {
                // the limit closed the channel: what the node saw was cut short, whatever it then said
                throw new IOException("cut short");
            }
            return new Fed(out, cmd.getExitStatus(), out.contains("SPEEDLING-UPLOADED") ? "" : stderr.awaitText());
        } catch (IOException e) {
            throw new NodeConnectException(name, "node " + name + ": uploading " + what + (overdue.get()
                    ? " did not finish within " + options.bootstrapTimeout().toSeconds() + " s" : " failed: "
                    + e.getMessage()), e);
        } finally {
            if (limit != null) {
                limit.cancel(false);
            }
        }
    }

    private static void upload(String name, SSHClient client, AgentOptions options, String dir, List<String> missing,
            Logger log) {
        long t0 = System.nanoTime();
        List<AgentPayload.Entry> send = options.payload().entries().stream()
                .filter(e -> missing.contains(e.hash())).toList();
        String script = "set -e; d=" + dirExpr(dir) + "; t=$(mktemp -d \"$d/.upload.XXXXXX\");"
                + " trap 'rm -rf \"$t\"' EXIT; tar -x -C \"$t\" -f -; cd \"$t\"; sha256sum --quiet -c SHA256SUMS;"
                + " for f in *.jar; do mv -f \"$f\" \"$d/$f\"; done; echo SPEEDLING-UPLOADED";
        long bytes = send.stream().mapToLong(AgentPayload.Entry::size).sum();
        Fed fed = feed(name, client, options, script, o -> {
            try (TarArchiveOutputStream tar = new TarArchiveOutputStream(new BufferedOutputStream(o, 1 << 16))) {
                StringBuilder sums = new StringBuilder();
                for (AgentPayload.Entry e : send) {
                    TarArchiveEntry te = new TarArchiveEntry(e.hash() + ".jar");
                    te.setSize(e.size());
                    te.setMode(0644);
                    tar.putArchiveEntry(te);
                    try (InputStream in = e.open()) {
                        in.transferTo(tar);
                    }
                    tar.closeArchiveEntry();
                    sums.append(e.hash()).append("  ").append(e.hash()).append(".jar\n");
                }
                byte[] s = sums.toString().getBytes(StandardCharsets.US_ASCII);
                TarArchiveEntry te = new TarArchiveEntry("SHA256SUMS");
                te.setSize(s.length);
                tar.putArchiveEntry(te);
                tar.write(s);
                tar.closeArchiveEntry();
                tar.finish();
            }
        }, "the agent", log);
        if (!fed.out().contains("SPEEDLING-UPLOADED")) {
            throw new NodeConnectException(name, "node " + name + ": uploading the agent's jars to " + dir
                    + " failed (exit " + fed.exit() + ")" + fed.stderr()
                    + "\nThe node needs tar and sha256sum, and space in that directory");
        }
        log.debug("[{}] uploaded {} jar(s), {} bytes, in {} ms", name, send.size(), bytes,
                (System.nanoTime() - t0) / 1_000_000);
    }

    /**
     * Sends the runtime ({@link AgentRuntime}) to a node without Java: checked against its SHA-256,
     * unpacked beside the agent's jars as {@code rt-KEY}, and tried once before it counts as there.
     */
    private static void uploadRuntime(String name, SSHClient client, AgentOptions options, String dir, Logger log) {
        AgentRuntime.Archive rt = AgentRuntime.archive(options.payload(), options.runtimeCache());
        long t0 = System.nanoTime();
        String target = "$d/rt-" + rt.key();
        String script = "set -e; d=" + dirExpr(dir) + "; t=$(mktemp -d \"$d/.runtime.XXXXXX\");"
                + " trap 'rm -rf \"$t\"' EXIT; cat > \"$t/rt.tar.gz\";"
                + " echo '" + rt.sha256() + "  '\"$t/rt.tar.gz\" | sha256sum --status -c"
                + " || { echo \"SPEEDLING-BADSUM $(wc -c < \"$t/rt.tar.gz\")\"; exit 0; };"
                + " mkdir \"$t/rt\"; tar -xzf \"$t/rt.tar.gz\" -C \"$t/rt\";"
                // the JDK's own class-data archive, made here (about a second): the agent's archive builds on it
                + " \"$t/rt/bin/java\" -Xshare:dump >/dev/null 2>&1 || true;"
                + " v=$(\"$t/rt/bin/java\" -Xshare:auto -version 2>&1) || { echo \"SPEEDLING-RTFAIL $v\"; exit 0; };"
                + " mv -T \"$t/rt\" \"" + target + "\" 2>/dev/null || [ -x \"" + target + "/bin/java\" ];"
                + " echo SPEEDLING-UPLOADED";
        Feeder archive = o -> Files.copy(rt.file(), o);
        Fed fed = feed(name, client, options, script, archive, "a Java runtime", log);
        if (fed.out().contains("SPEEDLING-BADSUM")) {
            // seen once in CI (2026-12-02): one of two nodes fed at once received other bytes; sent again
            log.warn("[{}] the Java runtime arrived with another SHA-256 ({} of {} bytes); sending it again", name,
                    received(fed), rt.size());
            fed = feed(name, client, options, script, archive, "a Java runtime", log);
        }
        if (fed.out().contains("SPEEDLING-BADSUM")) {
            throw new NodeConnectException(name, "node " + name + ": the Java runtime arrived twice with another "
                    + "SHA-256 than " + rt.file() + " (" + rt.size() + " bytes; the node received "
                    + received(fed) + ")"
                    + "\nCheck the node's free space in " + dir + " and that nothing rewrites " + rt.file());
        }
        if (fed.out().contains("SPEEDLING-RTFAIL")) {
            throw new NodeConnectException(name, "node " + name + ": the Java runtime linked from "
                    + System.getProperty("java.home") + " does not run there: "
                    + fed.out().substring(fed.out().indexOf("SPEEDLING-RTFAIL") + 16).strip()
                    + "\nInstall a Java 17+ runtime on the node (Debian: apt-get install openjdk-17-jre-headless)");
        }
        if (!fed.out().contains("SPEEDLING-UPLOADED")) {
            throw new NodeConnectException(name, "node " + name + ": uploading a Java runtime to " + dir
                    + " failed (exit " + fed.exit() + ")" + fed.stderr() + "\nThe node needs tar, gzip and sha256sum, and "
                    + (rt.size() >> 20) * 3 + " MiB free in that directory");
        }
        log.info("[{}] no Java 17+ on the node: shipped runtime {} ({} MiB) in {} ms", name, rt.key(),
                rt.size() >> 20, (System.nanoTime() - t0) / 1_000_000);
    }

    /** The size the node reported after {@code SPEEDLING-BADSUM}. */
    private static String received(Fed fed) {
        return fed.out().substring(fed.out().indexOf("SPEEDLING-BADSUM") + 16).strip().split("[^0-9]", 2)[0];
    }

    private static void closeQuietly(AutoCloseable c) {
        try {
            c.close();
        } catch (Exception ignored) {
            // closing on an error path: the first error is the one worth reporting
        }
    }

    private static void closeAll(List<SSHClient> clients) {
        for (int i = clients.size() - 1; i >= 0; i--) {
            closeQuietly(clients.get(i));
        }
    }

    /** Drains a stderr stream: logs each line under the node and keeps the last ones for error messages. */
    static final class StderrTail {
        private final Deque<String> lines = new ArrayDeque<>();
        private final Thread thread;

        StderrTail(InputStream err, Logger log, String node) {
            thread = Threads.start("speedling-stderr-" + node, () -> {
                try (BufferedReader r = new BufferedReader(new InputStreamReader(err, StandardCharsets.UTF_8))) {
                    String line;
                    while ((line = r.readLine()) != null) {
                        line = NodeLog.clean(line);
                        log.warn("[{}] agent stderr: {}", node, line);
                        synchronized (lines) {
                            lines.addLast(line);
                            if (lines.size() > 20) {
                                lines.removeFirst();
                            }
                        }
                    }
                } catch (IOException ignored) {
                    // the channel closed
                }
            });
        }

        /** Recent stderr lines, waiting briefly for the stream to end first. */
        String awaitText() {
            try {
                thread.join(2000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            return recent();
        }

        String recent() {
            synchronized (lines) {
                return lines.isEmpty() ? "" : "\nnode stderr:\n  " + String.join("\n  ", lines);
            }
        }
    }
}
