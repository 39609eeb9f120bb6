package io.speedling.core.internal;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.speedling.core.RemoteFunction;
import io.speedling.core.SpeedlingException;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.CodeSource;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Stream;
import org.apache.commons.compress.archivers.zip.ZipArchiveEntry;
import org.apache.commons.compress.archivers.zip.ZipArchiveOutputStream;
import org.slf4j.Logger;

/**
 * The agent's class path as content-addressed jars: jars are shipped as they are,
 * class directories are packed into a jar with fixed timestamps and sorted entries,
 * so the same content always gives the same SHA-256 and a node that has it already
 * gets nothing uploaded.
 */
public final class AgentPayload {
    /** Fixed entry time: packing is a function of content only. */
    private static final long EPOCH_1980 = 315_532_800_000L + 86_400_000L;
    private static final Map<String, Entry> JAR_CACHE = new ConcurrentHashMap<>();

    /** One class path entry on the node, stored as {@code HASH.jar}. */
    public record Entry(String hash, Path source, byte[] packed, long size) {
        public InputStream open() throws IOException {
            return packed != null ? new java.io.ByteArrayInputStream(packed) : Files.newInputStream(source);
        }
    }

    private final List<Entry> entries;
    private final Set<Path> sources;
    private final String classPathHash;
    private final Map<Class<?>, Boolean> shipped = new ConcurrentHashMap<>();

    private AgentPayload(List<Entry> entries, Set<Path> sources) {
        this.entries = List.copyOf(entries);
        this.sources = Set.copyOf(sources);
        StringBuilder sb = new StringBuilder();
        entries.forEach(e -> sb.append(e.hash()).append('\n'));
        this.classPathHash = sha256(sb.toString().getBytes(java.nio.charset.StandardCharsets.US_ASCII)).substring(0, 32);
    }

    /** The core jar and its protocol dependencies, plus the given extra jars and directories. */
    public static AgentPayload build(List<Path> extra) {
        Set<Path> paths = new LinkedHashSet<>();
        for (Class<?> c : List.of(RemoteFunction.class, ObjectMapper.class, JsonFactory.class, JsonProperty.class,
                Logger.class)) {
            paths.add(codeSource(c));
        }
        for (Path p : extra) {
            paths.add(p.toAbsolutePath().normalize());
        }
        Map<String, Entry> byHash = new LinkedHashMap<>();
        for (Path p : paths) {
            Entry e = entry(p);
            byHash.putIfAbsent(e.hash(), e);
        }
        return new AgentPayload(new ArrayList<>(byHash.values()), paths);
    }

    /** Where a class was loaded from: a jar file or a class directory. */
    public static Path codeSource(Class<?> c) {
        CodeSource cs = c.getProtectionDomain().getCodeSource();
        if (cs == null || cs.getLocation() == null) {
            throw new SpeedlingException("cannot ship " + c.getName() + ": it has no code source (a JDK class?)");
        }
        try {
            return Path.of(cs.getLocation().toURI()).toAbsolutePath().normalize();
        } catch (URISyntaxException e) {
            throw new SpeedlingException("cannot ship " + c.getName() + " from " + cs.getLocation(), e);
        }
    }

    public List<Entry> entries() {
        return entries;
    }

    /** Whether the class would be found on the agent's class path. */
    public boolean ships(Class<?> c) {
        return shipped.computeIfAbsent(c, k -> {
            CodeSource cs = k.getProtectionDomain().getCodeSource();
            return cs == null || sources.contains(codeSource(k));
        });
    }

    /** A short hash of the whole class path, naming the agent's class-data-sharing archive. */
    public String classPathHash() {
        return classPathHash;
    }

    private static Entry entry(Path p) {
        if (Files.isDirectory(p)) {
            byte[] jar = packDirectory(p);
            return new Entry(sha256(jar), p, jar, jar.length);
        }
        if (!Files.isRegularFile(p)) {
            throw new SpeedlingException("cannot ship " + p + " to the agent: no such jar or directory");
        }
        try {
            long size = Files.size(p);
            long mtime = Files.getLastModifiedTime(p).toMillis();
            String key = p + "|" + size + "|" + mtime;
            return JAR_CACHE.computeIfAbsent(key, k -> new Entry(sha256(p), p, null, size));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + p, e);
        }
    }

    static byte[] packDirectory(Path dir) {
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        try (ZipArchiveOutputStream zip = new ZipArchiveOutputStream(buf);
                Stream<Path> walk = Files.walk(dir)) {
            List<Path> files = walk.filter(Files::isRegularFile).sorted().toList();
            for (Path f : files) {
                String name = dir.relativize(f).toString().replace('\\', '/');
                ZipArchiveEntry ze = new ZipArchiveEntry(name);
                ze.setTime(EPOCH_1980);
                zip.putArchiveEntry(ze);
                Files.copy(f, zip);
                zip.closeArchiveEntry();
            }
            zip.finish();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot pack " + dir + " for the agent: " + e.getMessage(), e);
        }
        return buf.toByteArray();
    }

    static String sha256(byte[] data) {
        return HexFormat.of().formatHex(digest().digest(data));
    }

    static String sha256(Path file) {
        MessageDigest md = digest();
        byte[] buf = new byte[1 << 16];
        try (InputStream in = Files.newInputStream(file)) {
            int n;
            while ((n = in.read(buf)) > 0) {
                md.update(buf, 0, n);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + file, e);
        }
        return HexFormat.of().formatHex(md.digest());
    }

    private static MessageDigest digest() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
