package io.speedling.core;

import java.nio.file.Path;
import java.util.Objects;

/**
 * How to reach a node over SSH. Immutable; change it with the {@code with}-style
 * methods.
 *
 * <pre>{@code
 * SshTarget target = SshTarget.of("10.0.0.5").user("stack").identity(Path.of("id_ed25519"))
 *         .jump(SshTarget.of("bastion"));
 * }</pre>
 *
 * @param host address or host name
 * @param port SSH port
 * @param user login user; when it is not root the agent is started with {@code sudo -n}
 * @param identity private key file; null uses {@code ~/.ssh/id_ed25519} or {@code ~/.ssh/id_rsa}
 * @param sudo whether to run the agent as root (through {@code sudo -n} for a non-root user)
 * @param java the java command on the node, null for {@code java} on its PATH
 * @param jump a bastion to tunnel through, or null
 */
public record SshTarget(String host, int port, String user, Path identity, boolean sudo, String java,
        SshTarget jump) {

    public SshTarget {
        Objects.requireNonNull(host, "host");
        Objects.requireNonNull(user, "user");
        if (port < 1 || port > 65535) {
            throw new IllegalArgumentException("SSH port of " + host + " must be 1..65535, got " + port);
        }
    }

    /** Port 22, user root, default key, agent as root. */
    public static SshTarget of(String host) {
        return new SshTarget(host, 22, "root", null, true, null, null);
    }

    public SshTarget port(int p) {
        return new SshTarget(host, p, user, identity, sudo, java, jump);
    }

    public SshTarget user(String u) {
        return new SshTarget(host, port, u, identity, sudo, java, jump);
    }

    public SshTarget identity(Path key) {
        return new SshTarget(host, port, user, key, sudo, java, jump);
    }

    public SshTarget sudo(boolean asRoot) {
        return new SshTarget(host, port, user, identity, asRoot, java, jump);
    }

    public SshTarget java(String javaCommand) {
        return new SshTarget(host, port, user, identity, sudo, javaCommand, jump);
    }

    public SshTarget jump(SshTarget bastion) {
        return new SshTarget(host, port, user, identity, sudo, java, bastion);
    }

    @Override
    public String toString() {
        return user + "@" + host + ":" + port + (jump == null ? "" : " via " + jump);
    }
}
