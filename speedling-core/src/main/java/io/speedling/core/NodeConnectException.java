package io.speedling.core;

/**
 * A node could not be reached, authenticated, or its agent could not be started.
 * The message names the node and the address and says what to check.
 */
public class NodeConnectException extends SpeedlingException {
    private static final long serialVersionUID = 1L;
    private final String node;

    public NodeConnectException(String node, String message) {
        super(message);
        this.node = node;
    }

    public NodeConnectException(String node, String message, Throwable cause) {
        super(message, cause);
        this.node = node;
    }

    /** The name of the node that failed to connect. */
    public String node() {
        return node;
    }
}
