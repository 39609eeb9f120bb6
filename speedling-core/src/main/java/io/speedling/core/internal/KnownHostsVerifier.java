package io.speedling.core.internal;

import io.speedling.core.HostKeyPolicy;
import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.PublicKey;
import java.util.Base64;
import net.schmizz.sshj.common.Buffer;
import net.schmizz.sshj.common.KeyType;
import net.schmizz.sshj.transport.verification.OpenSSHKnownHosts;

/**
 * Checks host keys against an OpenSSH known_hosts file. Unknown keys are refused
 * unless trust-on-first-use was asked for; changed keys are always refused. What
 * went wrong is kept so the caller can say it plainly.
 */
final class KnownHostsVerifier extends OpenSSHKnownHosts {
    /** One lock for appends from concurrent connects in this JVM. */
    private static final Object WRITE_LOCK = new Object();

    private final HostKeyPolicy policy;
    private volatile String problem;

    private KnownHostsVerifier(File file, HostKeyPolicy policy) throws IOException {
        super(file);
        this.policy = policy;
    }

    static KnownHostsVerifier open(Path file, HostKeyPolicy policy) throws IOException {
        Path parent = file.toAbsolutePath().getParent();
        if (parent != null) {
            Files.createDirectories(parent);
        }
        synchronized (WRITE_LOCK) {
            return new KnownHostsVerifier(file.toFile(), policy);
        }
    }

    /** Why the last verification failed, or null. */
    String problem() {
        return problem;
    }

    @Override
    protected boolean hostKeyUnverifiableAction(String hostname, PublicKey key) {
        if (policy != HostKeyPolicy.TRUST_ON_FIRST_USE) {
            problem = "its host key (" + describe(key) + ") is not in " + khFile
                    + ". Add the key to that file (for example: ssh-keyscan" + scanArgs(hostname) + " >> " + khFile
                    + ") or connect with HostKeyPolicy.TRUST_ON_FIRST_USE if you just created this node";
            return false;
        }
        try {
            HostEntry e = new HostEntry(null, hostname, KeyType.fromKey(key), key);
            synchronized (WRITE_LOCK) {
                entries().add(e);
                write(e);
            }
            return true;
        } catch (IOException ex) {
            problem = "its host key could not be recorded in " + khFile + ": " + ex.getMessage();
            return false;
        }
    }

    @Override
    protected boolean hostKeyChangedAction(String hostname, PublicKey key) {
        problem = "its host key CHANGED: it now offers " + describe(key) + ", which differs from the key recorded in "
                + khFile + ". If the node was re-created on purpose, remove the old entry (ssh-keygen -R '"
                + hostname + "' -f " + khFile + ") and connect again; otherwise the connection may be intercepted";
        return false;
    }

    private static String scanArgs(String hostname) {
        if (hostname.startsWith("[")) {
            int end = hostname.indexOf("]:");
            return " -p " + hostname.substring(end + 2) + " " + hostname.substring(1, end);
        }
        return " " + hostname;
    }

    static String describe(PublicKey key) {
        try {
            byte[] blob = new Buffer.PlainBuffer().putPublicKey(key).getCompactData();
            byte[] d = MessageDigest.getInstance("SHA-256").digest(blob);
            return KeyType.fromKey(key) + " SHA256:" + Base64.getEncoder().withoutPadding().encodeToString(d);
        } catch (NoSuchAlgorithmException e) {
            return KeyType.fromKey(key).toString();
        }
    }
}
