package io.speedling.core;

/**
 * A remote function threw on its node. The remote exception is never
 * deserialized into a class on the controller: its type name, message and stack
 * trace arrive as text.
 */
public class RemoteCallException extends SpeedlingException {
    private static final long serialVersionUID = 1L;
    private final String node;
    private final String function;
    private final String remoteType;
    private final String remoteMessage;
    private final String remoteStackTrace;

    public RemoteCallException(String node, String function, String remoteType, String remoteMessage,
            String remoteStackTrace) {
        super("node " + node + ": " + function + " failed: " + remoteType
                + (remoteMessage == null ? "" : ": " + remoteMessage));
        this.node = node;
        this.function = function;
        this.remoteType = remoteType;
        this.remoteMessage = remoteMessage;
        this.remoteStackTrace = remoteStackTrace;
    }

    public String node() {
        return node;
    }

    /** Simple name of the remote function's type. */
    public String function() {
        return function;
    }

    /** Fully qualified name of the exception type thrown on the node. */
    public String remoteType() {
        return remoteType;
    }

    public String remoteMessage() {
        return remoteMessage;
    }

    /** The stack trace printed on the node, including causes. */
    public String remoteStackTrace() {
        return remoteStackTrace;
    }
}
