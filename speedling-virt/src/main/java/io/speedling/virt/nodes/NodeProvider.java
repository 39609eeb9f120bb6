package io.speedling.virt.nodes;

/** What a {@link Cluster} asks of the provider that made it. */
public interface NodeProvider {
    /** Boots the slice's nodes again after {@link #stop(int)} and waits until they answer SSH. */
    Cluster start(SlicePlan plan);

    /** Shuts the slice's nodes down cleanly, keeping their disks. */
    void stop(int slice);

    /**
     * Cuts one node off at once, as a power failure would (nothing shuts down cleanly), keeping its
     * disk; {@link #start} boots it again.
     */
    void powerOff(int slice, String node);

    /** Removes the slice's nodes, networks and files; a slice that does not exist is a no-op. */
    void wipe(int slice);
}
