package io.speedling.virt.internal;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.speedling.virt.VirtException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * What a provider has created for one slice, written before each thing is created so that a run
 * killed at any point leaves a record the next run cleans from. Only what is recorded here (and
 * still carries the provider's marks) is ever removed.
 */
public final class SliceState {
    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT)
            .configure(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, false);

    public int slice;
    public String provider = "nspawn";
    public String imageKey;
    public List<String> bridges = new ArrayList<>();
    public String nftTable;
    public Map<String, NodeState> nodes = new LinkedHashMap<>();
    /** libvirt objects (domains, networks) by name, recorded before each is defined. */
    public List<String> domains = new ArrayList<>();
    public List<String> networks = new ArrayList<>();
    public String uri;
    /** The cloud (or other user) that claimed the slice, null when nobody did. */
    public String owner;

    public static final class NodeState {
        public String machine;
        public List<String> hostVeths = new ArrayList<>();
        public String root;
        public String nspawn;
        public String leader;
        public String address;
    }

    public static Optional<SliceState> read(Path file) {
        try {
            return Optional.of(JSON.readValue(Files.readAllBytes(file), SliceState.class));
        } catch (NoSuchFileException e) {
            return Optional.empty();
        } catch (IOException e) {
            throw new VirtException("cannot read " + file + " (" + e.getMessage() + "); it records what speedling "
                    + "created for this slice: fix or remove it, then wipe the slice", e);
        }
    }

    /** Writes the record atomically and durably: a unique temp file, synced, then renamed over the old one. */
    public void write(Path file) {
        Path tmp = null;
        try {
            Files.createDirectories(file.getParent());
            tmp = Files.createTempFile(file.getParent(), "." + file.getFileName(), ".tmp");
            try (java.nio.channels.FileChannel ch = java.nio.channels.FileChannel.open(tmp,
                    java.nio.file.StandardOpenOption.WRITE, java.nio.file.StandardOpenOption.TRUNCATE_EXISTING)) {
                ch.write(java.nio.ByteBuffer.wrap(JSON.writeValueAsBytes(this)));
                ch.force(true);
            }
            Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (IOException e) {
            if (tmp != null) {
                try {
                    Files.deleteIfExists(tmp);
                } catch (IOException ignored) {
                    // the failure below says what went wrong
                }
            }
            throw new VirtException("cannot write " + file + ": " + e.getMessage(), e);
        }
    }
}
