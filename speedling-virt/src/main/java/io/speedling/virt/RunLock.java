package io.speedling.virt;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * An exclusive hold on something two runs must not use at once (a slice, a cloud's state): a
 * lock on a file, held by this process until {@link #close()} and dropped by the kernel when the
 * process ends however it ends, so a killed run never leaves a stale lock. The file names the
 * holder (pid, what for, since when) so the one refused can say who holds it.
 *
 * <pre>{@code
 * try (RunLock lock = RunLock.acquire(dir.resolve("slice-1.lock"), "slice 1", "cloud aio", "use another --slice")) {
 *     // boot and deploy
 * }
 * }</pre>
 */
public final class RunLock implements AutoCloseable {
    /** Held in this JVM: a file lock cannot be taken twice by one process, so this answers for it. */
    private static final Map<Path, String> HELD = new ConcurrentHashMap<>();

    private final Path file;
    private final FileChannel channel;
    private final FileLock lock;

    private RunLock(Path file, FileChannel channel, FileLock lock) {
        this.file = file;
        this.channel = channel;
        this.lock = lock;
    }

    /**
     * Takes the lock at once or refuses.
     *
     * @param what what the lock guards, for messages ("slice 1")
     * @param holder who takes it, written into the file ("cloud aio")
     * @param advice what a refused caller can do instead
     * @throws VirtException naming what is held, by whom and since when, and the advice
     */
    public static RunLock acquire(Path file, String what, String holder, String advice) {
        Path key = file.toAbsolutePath().normalize();
        String note = "pid " + ProcessHandle.current().pid() + " (" + holder + ") since "
                + Instant.now().truncatedTo(ChronoUnit.SECONDS);
        String inJvm = HELD.putIfAbsent(key, note);
        if (inJvm != null) {
            throw new VirtException(what + " is in use by " + inJvm + " in this process; " + advice);
        }
        FileChannel ch = null;
        try {
            Files.createDirectories(key.getParent());
            ch = FileChannel.open(key, StandardOpenOption.CREATE, StandardOpenOption.READ, StandardOpenOption.WRITE);
            FileLock l = ch.tryLock();
            if (l == null) {
                String by = new String(Files.readAllBytes(key), StandardCharsets.UTF_8).strip();
                throw new VirtException(what + " is in use by another speedling run" + (by.isEmpty() ? "" : ": " + by)
                        + "; wait for it to end, or " + advice);
            }
            ch.truncate(0);
            ch.write(ByteBuffer.wrap((note + "\n").getBytes(StandardCharsets.UTF_8)), 0);
            return new RunLock(key, ch, l);
        } catch (IOException e) {
            HELD.remove(key);
            close(ch);
            throw new UncheckedIOException("cannot lock " + key + " for " + what, e);
        } catch (RuntimeException e) {
            HELD.remove(key);
            close(ch);
            throw e;
        }
    }

    /**
     * Removes a lock file nobody else holds (this process may): what a wipe does so that lock files
     * do not outlive what they guarded. A file another process holds is left.
     */
    public static void removeIfFree(Path file) {
        Path key = file.toAbsolutePath().normalize();
        if (!Files.exists(key)) {
            return;
        }
        try {
            if (HELD.containsKey(key)) {
                Files.deleteIfExists(key);
                return;
            }
            try (FileChannel ch = FileChannel.open(key, StandardOpenOption.WRITE)) {
                FileLock l = ch.tryLock();
                if (l != null) {
                    Files.deleteIfExists(key);
                    l.release();
                }
            }
        } catch (IOException | java.nio.channels.OverlappingFileLockException e) {
            // left for a later wipe: it is a few bytes in speedling's own state directory
        }
    }

    public Path file() {
        return file;
    }

    /** Releases the hold (the file stays: removing it would race with the next run's lock). */
    @Override
    public void close() {
        try {
            if (lock.isValid()) {
                channel.truncate(0);
                lock.release();
            }
        } catch (IOException e) {
            // the channel closes below, which releases the lock as well
        } finally {
            close(channel);
            HELD.remove(file);
        }
    }

    private static void close(FileChannel ch) {
        if (ch != null) {
            try {
                ch.close();
            } catch (IOException ignored) {
                // closing releases the lock; nothing more to do
            }
        }
    }
}
