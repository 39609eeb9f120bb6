package io.speedling.virt;

import io.speedling.core.SpeedlingException;

/** A failure in speedling-virt: an image build, a node provider, or the host setup they need. */
public class VirtException extends SpeedlingException {
    public VirtException(String message) {
        super(message);
    }

    public VirtException(String message, Throwable cause) {
        super(message, cause);
    }
}
