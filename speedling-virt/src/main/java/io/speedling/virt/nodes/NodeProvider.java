package io.speedling.virt.nodes;

import io.speedling.virt.RunLock;
import io.speedling.virt.image.Image;
import java.util.Optional;

/**
 * Where nodes come from: systemd-nspawn containers ({@link NspawnProvider}) or libvirt domains
 * ({@code LibvirtProvider}). A slice is a provider's unit: its nodes, networks and a record of what
 * was made for it, so that a later run (or another process) can reuse, claim or remove exactly that.
 */
public interface NodeProvider extends AutoCloseable {
    /**
     * Wipes what an earlier run left of the slice, then creates and boots every node of {@code
     * plan} from {@code image} and waits until each answers SSH.
     */
    Cluster cycle(SlicePlan plan, Image image);

    /** The slice as an earlier run left it, if its nodes are all still running. */
    Optional<Cluster> existing(SlicePlan plan);

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

    /**
     * Holds {@code slice} for this run: a second run on the same slice, from this process or
     * another, is refused until {@link RunLock#close()} or this process's end.
     */
    RunLock lock(int slice, String holder);

    /** What the slice's record says, if there is one: who claimed it, from which image, with which nodes. */
    Optional<SliceRecord> record(int slice);

    /** Records {@code owner} as the slice's claimant (the cloud on it). */
    void claim(int slice, String owner);

    /** Releases what the provider holds open (a hypervisor connection); its slices stay as they are. */
    @Override
    default void close() {
    }
}
