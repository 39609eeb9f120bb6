package io.speedling.openstack;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.speedling.core.SpeedlingException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.util.Set;
import java.util.TreeMap;

/**
 * A deployment's passwords: generated at random the first time each is asked for, kept in a JSON
 * file of mode 0600 in the deployment's state directory and reused by reruns. Reads and writes hold
 * a lock on a file beside it, so two processes never generate two values for one name. A file with
 * wider permissions is refused, not "fixed". Values never appear in logs; {@link #redact} removes
 * them from any text that goes into a report.
 */
public final class Secrets {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz23456789";
    private static final SecureRandom RANDOM = new SecureRandom();

    private final Path file;
    private final Set<String> alsoRedacted;

    private Secrets(Path file, Set<String> alsoRedacted) {
        this.file = file;
        this.alsoRedacted = alsoRedacted;
    }

    public static Secrets open(Path file) {
        Secrets s = new Secrets(file, Set.of());
        if (Files.exists(file)) {
            s.checkMode();
        }
        return s;
    }

    public Path file() {
        return file;
    }

    private void checkMode() {
        try {
            Set<PosixFilePermission> p = Files.getPosixFilePermissions(file);
            if (!p.equals(PosixFilePermissions.fromString("rw-------"))) {
                throw new SpeedlingException("secrets file " + file + " has mode " + PosixFilePermissions.toString(p)
                        + ", but it holds the cloud's passwords and must be readable by its owner only: check who "
                        + "could read it, then chmod 600 " + file);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The secret called {@code name}, generated (24 characters) and stored on first use. */
    public synchronized String get(String name) {
        try {
            Files.createDirectories(file.getParent());
            Path lockFile = file.resolveSibling(file.getFileName() + ".lock");
            try (FileChannel ch = FileChannel.open(lockFile, StandardOpenOption.CREATE, StandardOpenOption.WRITE);
                 FileLock ignored = ch.lock()) {
                TreeMap<String, String> all = read();
                String v = all.get(name);
                if (v == null) {
                    v = generate(24);
                    all.put(name, v);
                    write(all);
                }
                return v;
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot use secrets file " + file, e);
        }
    }

    private TreeMap<String, String> read() throws IOException {
        if (!Files.exists(file)) {
            return new TreeMap<>();
        }
        checkMode();
        try {
            return JSON.readValue(file.toFile(), new TypeReference<TreeMap<String, String>>() { });
        } catch (IOException e) {
            throw new SpeedlingException("secrets file " + file + " is not valid JSON (" + e.getMessage().lines()
                    .findFirst().orElse("") + "); restore it from a backup, or remove it to generate new passwords "
                    + "and wipe the cloud that used the old ones", e);
        }
    }

    private void write(TreeMap<String, String> all) throws IOException {
        Path tmp = file.resolveSibling("." + file.getFileName() + ".tmp");
        Files.deleteIfExists(tmp);
        Files.createFile(tmp, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
        Files.write(tmp, JSON.writerWithDefaultPrettyPrinter().writeValueAsBytes(all));
        try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.WRITE)) {
            ch.force(true);
        }
        Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    }

    /**
     * These secrets, and {@code values} (e.g. a password the user gave in a config override) to be
     * redacted as well; values shorter than 4 characters are not taken (they would blank out words).
     */
    public Secrets alsoRedacting(java.util.Collection<String> values) {
        Set<String> all = new java.util.HashSet<>(alsoRedacted);
        values.stream().filter(v -> v != null && v.length() >= 4).forEach(all::add);
        return new Secrets(file, Set.copyOf(all));
    }

    /**
     * {@code text} with every stored secret replaced by "***". Never throws: when the secrets
     * cannot be read (removed, made readable by others mid-run) the whole text is withheld.
     */
    public String redact(String text) {
        if (text == null) {
            return text;
        }
        try {
            String out = text;
            for (String v : alsoRedacted) {
                out = out.replace(v, "***");
            }
            if (!Files.exists(file)) {
                return out;
            }
            for (String v : read().values()) {
                out = out.replace(v, "***");
            }
            return out;
        } catch (IOException | RuntimeException e) {
            return "(withheld: the secrets to redact it with cannot be read: " + e.getMessage().lines().findFirst()
                    .orElse("") + ")";
        }
    }

    static String generate(int n) {
        StringBuilder b = new StringBuilder(n);
        for (int i = 0; i < n; i++) {
            b.append(ALPHABET.charAt(RANDOM.nextInt(ALPHABET.length())));
        }
        return b.toString();
    }
}
