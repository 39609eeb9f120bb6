package io.speedling.core;

/**
 * The connection to a node's agent dropped or the agent stopped answering
 * heartbeats. Every call in flight on that node fails with this exception.
 */
public class NodeLostException extends SpeedlingException {
    private static final long serialVersionUID = 1L;
    private final String node;

    public NodeLostException(String node, String message, Throwable cause) {
        super(message, cause);
        this.node = node;
    }

    /** The name of the lost node. */
    public String node() {
        return node;
    }
}
