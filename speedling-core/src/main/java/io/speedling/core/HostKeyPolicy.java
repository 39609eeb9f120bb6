package io.speedling.core;

/** How an SSH node's host key is checked against the known_hosts file. */
public enum HostKeyPolicy {
    /** The key must already be in known_hosts (the default). */
    STRICT,
    /**
     * An unknown host's key is recorded on first contact; a changed key is still
     * refused. Ask for it explicitly, for nodes you have just created.
     */
    TRUST_ON_FIRST_USE
}
