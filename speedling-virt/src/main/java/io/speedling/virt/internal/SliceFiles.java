package io.speedling.virt.internal;

import io.speedling.virt.HostTool;
import io.speedling.virt.nodes.PlannedNode;
import io.speedling.virt.nodes.VirtNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;

/** The files every provider keeps in a slice directory: the SSH key, known_hosts, ssh_config, host keys. */
public final class SliceFiles {
    private SliceFiles() {
    }

    public static void ensureKey(Path dir) throws IOException {
        Path key = dir.resolve("id_ed25519");
        if (!Files.exists(key)) {
            Exec.of(HostTool.SSH_KEYGEN.require(), "-q", "-t", "ed25519", "-N", "", "-C", "speedling@" + dir.getFileName(),
                    "-f", key.toString()).run();
        }
    }

    public static void writeAccessFiles(List<VirtNode> nodes, Path dir) throws IOException {
        StringBuilder kh = new StringBuilder();
        StringBuilder cfg = new StringBuilder("# ssh -F " + dir.resolve("ssh_config") + " <node>\n");
        for (VirtNode n : nodes) {
            kh.append(n.name()).append(',').append(n.address()).append(' ').append(n.hostKey()).append('\n');
            cfg.append("Host ").append(n.name()).append('\n')
                    .append("  HostName ").append(n.address()).append('\n')
                    .append("  User root\n")
                    .append("  IdentityFile ").append(dir.resolve("id_ed25519")).append('\n')
                    .append("  IdentitiesOnly yes\n")
                    .append("  UserKnownHostsFile ").append(dir.resolve("known_hosts")).append('\n')
                    .append("  StrictHostKeyChecking yes\n");
        }
        write(dir.resolve("known_hosts"), kh.toString(), "rw-------");
        write(dir.resolve("ssh_config"), cfg.toString(), "rw-------");
    }

    /**
     * Makes node {@code n}'s own ed25519 host key in {@code dir/nodes/<node>/hostkey} (known to the
     * slice's known_hosts before the node boots); returns the private key's path, the public key
     * beside it with {@code .pub}.
     */
    public static Path newHostKey(Path dir, PlannedNode n) throws IOException {
        Path keyDir = Files.createDirectories(dir.resolve("nodes").resolve(n.name()).resolve("hostkey"));
        Path hostKey = keyDir.resolve("ssh_host_ed25519_key");
        Exec.of(HostTool.SSH_KEYGEN.require(), "-q", "-t", "ed25519", "-N", "", "-C", "root@" + n.name(), "-f",
                hostKey.toString()).run();
        return hostKey;
    }

    /** Node {@code n}'s public host key as {@code type base64} (no comment), as known_hosts holds it. */
    public static String readHostKey(Path dir, PlannedNode n) {
        try {
            String pub = Files.readString(dir.resolve("nodes").resolve(n.name()).resolve("hostkey")
                    .resolve("ssh_host_ed25519_key.pub")).trim();
            return pub.substring(0, pub.lastIndexOf(' '));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public static void copyInto(Path from, Path to, String perms) throws IOException {
        write(to, Files.readString(from), perms);
    }

    public static void write(Path to, String text, String perms) throws IOException {
        Files.createDirectories(to.getParent());
        Path tmp = to.resolveSibling("." + to.getFileName() + ".speedling");
        Files.writeString(tmp, text);
        Files.setPosixFilePermissions(tmp, PosixFilePermissions.fromString(perms));
        Files.move(tmp, to, java.nio.file.StandardCopyOption.ATOMIC_MOVE, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
    }

    public static String tail(Path file, int lines) {
        try {
            List<String> all = Files.readAllLines(file, StandardCharsets.UTF_8);
            return String.join("\n", all.subList(Math.max(0, all.size() - lines), all.size()));
        } catch (IOException | RuntimeException e) {
            return "(no console log: " + e.getMessage() + ")";
        }
    }

    /**
     * The console's lines that say something failed (a unit early in the boot scrolls out of the
     * tail), colours stripped, at most {@code max}; "" when there are none.
     */
    static String failures(Path consoleLog, int max) {
        try {
            List<String> failed = Files.readAllLines(consoleLog, StandardCharsets.UTF_8).stream()
                    .map(l -> l.replaceAll("\u001b\\[[0-9;]*m", "").strip())
                    .filter(l -> l.toLowerCase(java.util.Locale.ROOT).contains("fail")).limit(max).toList();
            return failed.isEmpty() ? "" : "its console's lines of failures:\n" + String.join("\n", failed) + "\n";
        } catch (IOException | RuntimeException e) {
            return "";
        }
    }

    /**
     * Waits until {@code node}'s SSH port sends an SSH banner, probing every {@code everyMillis};
     * on timeout, fails with the console's lines of failures and its last lines.
     */
    public static void awaitSsh(PlannedNode node, java.time.Duration timeout, long everyMillis, Path consoleLog) {
        long deadline = System.nanoTime() + timeout.toNanos();
        String addr = node.primary().ipv4();
        while (true) {
            try (java.net.Socket s = new java.net.Socket()) {
                s.connect(new java.net.InetSocketAddress(addr, 22), 1000);
                s.setSoTimeout(5000);
                byte[] b = s.getInputStream().readNBytes(4);
                if (new String(b, StandardCharsets.US_ASCII).equals("SSH-")) {
                    return;
                }
            } catch (IOException notYet) {
                // still booting
            }
            if (System.nanoTime() > deadline) {
                throw new io.speedling.virt.VirtException("node " + node.name() + " (" + addr
                        + ") did not answer SSH within " + timeout.toSeconds() + " s; " + failures(consoleLog, 12)
                        + "last lines of its console:\n" + tail(consoleLog, 30));
            }
            try {
                Thread.sleep(everyMillis);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new io.speedling.virt.VirtException("interrupted while waiting for " + node.name(), e);
            }
        }
    }
}
