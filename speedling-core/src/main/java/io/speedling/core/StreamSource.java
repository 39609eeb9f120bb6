package io.speedling.core;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Objects;

/**
 * Where a stream sent to nodes comes from: a file or an {@link InputStream}. It is
 * read once, whatever the number of nodes, in bounded memory.
 */
public final class StreamSource {
    private final String description;
    private final Path file;
    private final InputStream in;

    private StreamSource(String description, Path file, InputStream in) {
        this.description = description;
        this.file = file;
        this.in = in;
    }

    public static StreamSource of(Path file) {
        Objects.requireNonNull(file, "file");
        if (!Files.isRegularFile(file)) {
            throw new SpeedlingException("cannot send " + file + ": it is not a readable regular file");
        }
        return new StreamSource(file.toString(), file, null);
    }

    /** A stream to read once; the caller keeps ownership and closes it. */
    public static StreamSource of(InputStream in, String description) {
        return new StreamSource(description, null, Objects.requireNonNull(in, "in"));
    }

    public static StreamSource of(byte[] bytes, String description) {
        return of(new java.io.ByteArrayInputStream(bytes), description);
    }

    /** Opens the source for its single read. */
    public InputStream open() {
        if (in != null) {
            return in;
        }
        try {
            return Files.newInputStream(file);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + file, e);
        }
    }

    /** Whether {@link #open()} returns a stream the caller owns (a file) rather than the given one. */
    boolean ownsStream() {
        return file != null;
    }

    @Override
    public String toString() {
        return description;
    }
}
