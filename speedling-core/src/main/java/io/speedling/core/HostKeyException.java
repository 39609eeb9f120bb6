package io.speedling.core;

/**
 * The node's SSH host key was unknown (and trust-on-first-use was not enabled) or
 * differs from the one recorded in the known_hosts file.
 */
public class HostKeyException extends NodeConnectException {
    private static final long serialVersionUID = 1L;

    public HostKeyException(String node, String message) {
        super(node, message);
    }
}
