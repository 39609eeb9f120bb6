package io.speedling.core.internal;

import io.speedling.core.FileSpec;
import io.speedling.core.SpeedlingException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.GroupPrincipal;
import java.nio.file.attribute.PosixFileAttributeView;
import java.nio.file.attribute.PosixFileAttributes;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.UserPrincipal;
import java.nio.file.attribute.UserPrincipalLookupService;
import java.nio.file.attribute.UserPrincipalNotFoundException;
import java.util.EnumSet;
import java.util.Set;
import java.util.concurrent.ThreadLocalRandom;

/**
 * A file written to a temporary name beside its target and renamed over it once
 * complete, with owner, group and mode set before the rename. Readers see the old
 * file or the new one, never a part; an aborted write leaves nothing behind.
 */
public final class AtomicFile implements AutoCloseable {
    private final Path target;
    private final Path temp;
    private final FileSpec spec;
    private final FileChannel out;
    private long bytes;
    private boolean done;

    public AtomicFile(String path, FileSpec spec) {
        this.target = Path.of(path).toAbsolutePath();
        this.spec = spec;
        Path dir = target.getParent();
        try {
            Files.createDirectories(dir);
            this.temp = dir.resolve("." + target.getFileName() + ".speedling-"
                    + Long.toHexString(ThreadLocalRandom.current().nextLong()));
            // owner-only until commit() sets the real owner and mode: a config holding passwords is never
            // readable by others, not even while it is being written
            this.out = FileChannel.open(Files.createFile(temp, java.nio.file.attribute.PosixFilePermissions
                    .asFileAttribute(java.nio.file.attribute.PosixFilePermissions.fromString("rw-------"))),
                    java.nio.file.StandardOpenOption.WRITE);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create " + target + ": " + e.getMessage(), e);
        }
    }

    public void write(byte[] b, int off, int len) {
        write(ByteBuffer.wrap(b, off, len));
    }

    /** Writes the buffer's remaining bytes (a direct buffer's without a copy in the heap). */
    public void write(ByteBuffer b) {
        try {
            while (b.hasRemaining()) {
                bytes += out.write(b);
            }
        } catch (IOException e) {
            abort();
            throw new UncheckedIOException("writing " + target + " failed: " + e.getMessage(), e);
        }
    }

    /** Sets owner, group and mode and renames into place. Returns the bytes written. */
    public long commit() {
        try {
            out.close();
            applySpec(temp, spec);
            try {
                Files.move(temp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } catch (AtomicMoveNotSupportedException e) {
                throw new IOException("cannot rename atomically into " + target, e);
            }
            done = true;
            return bytes;
        } catch (IOException e) {
            abort();
            throw new UncheckedIOException("finishing " + target + " failed: " + e.getMessage(), e);
        } catch (RuntimeException e) {
            abort();
            throw e;
        }
    }

    public void abort() {
        if (done) {
            return;
        }
        done = true;
        try {
            out.close();
        } catch (IOException ignored) {
            // deleting it next
        }
        try {
            Files.deleteIfExists(temp);
        } catch (IOException ignored) {
            // a stray temp file is named .NAME.speedling-* and is never read as the target
        }
    }

    @Override
    public void close() {
        abort();
    }

    /**
     * Writes the content unless the target already holds exactly it with the wanted
     * owner, group and mode.
     *
     * @return true when something changed
     */
    public static boolean write(String path, byte[] content, FileSpec spec) {
        Path p = Path.of(path);
        if (Files.isRegularFile(p, LinkOption.NOFOLLOW_LINKS) && matches(p, content, spec)) {
            return false;
        }
        AtomicFile f = new AtomicFile(path, spec);
        f.write(content, 0, content.length);
        f.commit();
        return true;
    }

    private static boolean matches(Path p, byte[] content, FileSpec spec) {
        try {
            PosixFileAttributes a = Files.readAttributes(p, PosixFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
            if (a.size() != content.length || toMode(a.permissions()) != spec.mode()) {
                return false;
            }
            if (spec.owner() != null && !a.owner().getName().equals(spec.owner())) {
                return false;
            }
            if (spec.group() != null && !a.group().getName().equals(spec.group())) {
                return false;
            }
            return java.util.Arrays.equals(Files.readAllBytes(p), content);
        } catch (IOException e) {
            return false;
        }
    }

    static void applySpec(Path file, FileSpec spec) throws IOException {
        PosixFileAttributeView view = Files.getFileAttributeView(file, PosixFileAttributeView.class);
        UserPrincipalLookupService users = FileSystems.getDefault().getUserPrincipalLookupService();
        if (spec.owner() != null) {
            UserPrincipal u;
            try {
                u = users.lookupPrincipalByName(spec.owner());
            } catch (UserPrincipalNotFoundException e) {
                throw new SpeedlingException("cannot give " + file.getFileName() + " to user '" + spec.owner()
                        + "': no such user on this node; create the user first (install its package)");
            }
            view.setOwner(u);
        }
        if (spec.group() != null) {
            GroupPrincipal g;
            try {
                g = users.lookupPrincipalByGroupName(spec.group());
            } catch (UserPrincipalNotFoundException e) {
                throw new SpeedlingException("cannot give " + file.getFileName() + " to group '" + spec.group()
                        + "': no such group on this node; create the group first (install its package)");
            }
            view.setGroup(g);
        }
        view.setPermissions(toPerms(spec.mode()));
    }

    private static final PosixFilePermission[] BITS = {
        PosixFilePermission.OTHERS_EXECUTE, PosixFilePermission.OTHERS_WRITE, PosixFilePermission.OTHERS_READ,
        PosixFilePermission.GROUP_EXECUTE, PosixFilePermission.GROUP_WRITE, PosixFilePermission.GROUP_READ,
        PosixFilePermission.OWNER_EXECUTE, PosixFilePermission.OWNER_WRITE, PosixFilePermission.OWNER_READ,
    };

    static Set<PosixFilePermission> toPerms(int mode) {
        Set<PosixFilePermission> s = EnumSet.noneOf(PosixFilePermission.class);
        for (int i = 0; i < 9; i++) {
            if ((mode & (1 << i)) != 0) {
                s.add(BITS[i]);
            }
        }
        return s;
    }

    static int toMode(Set<PosixFilePermission> perms) {
        int m = 0;
        for (int i = 0; i < 9; i++) {
            if (perms.contains(BITS[i])) {
                m |= 1 << i;
            }
        }
        return m;
    }
}
