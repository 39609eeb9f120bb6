package io.speedling.core;

/**
 * Root of every exception speedling throws. Unchecked; subtypes tell the phase
 * (connecting, calling, running tasks) and the message names the node, task or
 * component involved and says what to do about it.
 */
public class SpeedlingException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public SpeedlingException(String message) {
        super(message);
    }

    public SpeedlingException(String message, Throwable cause) {
        super(message, cause);
    }
}
