package io.speedling.virt.internal;

import io.speedling.virt.RunLock;
import io.speedling.virt.VirtException;
import io.speedling.virt.nodes.SlicePlan;
import io.speedling.virt.nodes.SliceRecord;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/**
 * A provider's slices on disk, the same for every provider: one directory per slice under the
 * provider's state directory with its record ({@code slice.json}), and a lock file per slice.
 */
public final class SliceBook {
    private final Path stateDir;

    public SliceBook(Path stateDir) {
        this.stateDir = stateDir.toAbsolutePath().normalize();
    }

    public Path stateDir() {
        return stateDir;
    }

    public Path dir(int slice) {
        return stateDir.resolve("slice-" + SlicePlan.requireSlice(slice));
    }

    public Path stateFile(int slice) {
        return dir(slice).resolve("slice.json");
    }

    public Optional<SliceState> state(int slice) {
        return SliceState.read(stateFile(slice));
    }

    /** Holds the slice until the lock is closed or this process ends; a second holder is refused naming the first. */
    public RunLock lock(int slice, String holder) {
        return RunLock.acquire(stateDir.resolve("locks").resolve("slice-" + SlicePlan.requireSlice(slice) + ".lock"),
                "slice " + slice, holder, "give another slice (--slice)");
    }

    /** What the slice's record says, if there is one. */
    public Optional<SliceRecord> record(int slice) {
        return state(slice).map(s -> new SliceRecord(slice, s.owner, s.imageKey, List.copyOf(s.nodes.keySet())));
    }

    /** Records {@code owner} as the slice's claimant. */
    public void claim(int slice, String owner) {
        SliceState s = state(slice).orElseThrow(() -> new VirtException("slice " + slice
                + " has no nodes to claim; create them first"));
        s.owner = owner;
        s.write(stateFile(slice));
    }
}
