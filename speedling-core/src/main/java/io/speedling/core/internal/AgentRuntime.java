package io.speedling.core.internal;

import io.speedling.core.SpeedlingException;
import java.io.BufferedOutputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.lang.module.ModuleDescriptor;
import java.lang.module.ModuleFinder;
import java.lang.module.ModuleReference;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.spi.ToolProvider;
import java.util.stream.Stream;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;
import org.apache.commons.compress.compressors.gzip.GzipCompressorOutputStream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A Java runtime for nodes that have none: linked with jlink from the controller's own JDK, holding
 * only the JDK modules the agent's class path needs, packed as a {@code .tar.gz} and cached by
 * content under the state directory ({@code runtimes/}). A node gets it once and keeps it beside
 * the agent's jars as {@code rt-KEY}; the key names the JDK build, the architecture and the modules,
 * so a later connect finds it and uploads nothing.
 *
 * <p>The modules: a modular jar (jackson, SLF4J) needs what its {@code module-info} requires
 * without {@code static} (jackson-databind's use of {@code java.desktop} and {@code java.sql} is
 * optional and checked at run time); the other jars and class directories (speedling's and the
 * caller's) need what {@code jdeps} finds in them. Both are remembered per class path, so jdeps
 * runs once per version of the code on a machine.
 */
public final class AgentRuntime {
    private static final Logger LOG = LoggerFactory.getLogger("speedling.runtime");
    /** Modules every runtime holds besides the computed ones: logging keeps the JDK's own archive whole. */
    private static final List<String> ALWAYS = List.of("java.base", "java.logging");
    /**
     * No class-data archive from jlink: its plugin prints to this JVM's standard output (into a
     * user's terminal), and the node makes the same archive in about a second when it unpacks the
     * runtime, which also keeps 3 MiB out of the upload.
     */
    private static final List<String> JLINK_OPTIONS = List.of("--strip-debug", "--no-header-files", "--no-man-pages",
            "--compress=2");
    private static final Map<String, CompletableFuture<String>> KEYS = new ConcurrentHashMap<>();
    private static final Map<String, CompletableFuture<Archive>> ARCHIVES = new ConcurrentHashMap<>();

    /** A packed runtime: its key, the file, the file's SHA-256 and size. */
    public record Archive(String key, Path file, String sha256, long size) {
    }

    private AgentRuntime() {
    }

    /**
     * The key of the runtime for {@code payload}: computed once per class path and process (jdeps
     * only when the class path is new on this machine).
     */
    public static String key(AgentPayload payload, Path cacheDir) {
        return join(KEYS.computeIfAbsent(payload.classPathHash() + "|" + cacheDir,
                k -> CompletableFuture.supplyAsync(() -> computeKey(payload, cacheDir))));
    }

    /** The packed runtime for {@code payload}, linked now unless the cache has it. */
    public static Archive archive(AgentPayload payload, Path cacheDir) {
        String key = key(payload, cacheDir);
        return join(ARCHIVES.computeIfAbsent(key + "|" + cacheDir,
                k -> CompletableFuture.supplyAsync(() -> build(key, modules(payload, cacheDir), cacheDir))));
    }

    private static <T> T join(CompletableFuture<T> f) {
        try {
            return f.join();
        } catch (CompletionException e) {
            if (e.getCause() instanceof RuntimeException r) {
                throw r;
            }
            throw e;
        }
    }

    private static String computeKey(AgentPayload payload, Path cacheDir) {
        StringBuilder sb = new StringBuilder();
        sb.append(System.getProperty("java.vm.version")).append('|').append(System.getProperty("java.home"))
                .append('|').append(System.getProperty("os.arch")).append('|').append(JLINK_OPTIONS).append('|')
                .append(modules(payload, cacheDir));
        return AgentPayload.sha256(sb.toString().getBytes(StandardCharsets.UTF_8)).substring(0, 24);
    }

    /** The JDK modules the class path needs, sorted; remembered in the cache per class path. */
    static List<String> modules(AgentPayload payload, Path cacheDir) {
        Path remembered = cacheDir.resolve("modules-" + payload.classPathHash());
        try {
            if (Files.isRegularFile(remembered)) {
                return List.of(Files.readString(remembered).strip().split(","));
            }
            long t0 = System.nanoTime();
            Set<String> modules = new TreeSet<>(ALWAYS);
            Set<String> system = new java.util.HashSet<>();
            ModuleFinder.ofSystem().findAll().forEach(r -> system.add(r.descriptor().name()));
            List<Path> plain = new ArrayList<>();
            Path tmp = Files.createTempDirectory("speedling-jdeps");
            try {
                for (AgentPayload.Entry e : payload.entries()) {
                    Path jar = e.packed() == null ? e.source() : Files.write(tmp.resolve(e.hash() + ".jar"), e.packed());
                    Optional<ModuleDescriptor> d = descriptor(jar);
                    if (d.isPresent() && !d.get().isAutomatic()) {
                        for (ModuleDescriptor.Requires r : d.get().requires()) {
                            if (!r.modifiers().contains(ModuleDescriptor.Requires.Modifier.STATIC)
                                    && system.contains(r.name())) {
                                modules.add(r.name());
                            }
                        }
                    } else {
                        plain.add(jar);
                    }
                }
                if (!plain.isEmpty()) {
                    modules.addAll(jdeps(plain));
                }
            } finally {
                deleteTree(tmp);
            }
            String list = String.join(",", modules);
            Files.createDirectories(cacheDir);
            Path tmpFile = Files.createTempFile(cacheDir, ".modules-", ".tmp");
            Files.writeString(tmpFile, list + "\n");
            Files.move(tmpFile, remembered, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            LOG.debug("agent runtime modules {} found in {} ms", list, (System.nanoTime() - t0) / 1_000_000);
            return List.copyOf(modules);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot work out the agent runtime's modules in " + cacheDir + ": "
                    + e.getMessage(), e);
        }
    }

    private static Optional<ModuleDescriptor> descriptor(Path jar) {
        try {
            return ModuleFinder.of(jar).findAll().stream().findFirst().map(ModuleReference::descriptor);
        } catch (RuntimeException e) {
            return Optional.empty();  // not a valid module: jdeps reads it as a plain jar
        }
    }

    private static List<String> jdeps(List<Path> jars) {
        List<String> args = new ArrayList<>(List.of("--ignore-missing-deps", "--print-module-deps",
                "--multi-release", String.valueOf(Runtime.version().feature())));
        jars.forEach(j -> args.add(j.toString()));
        String out = runTool("jdeps", args);
        List<String> modules = new ArrayList<>();
        for (String m : out.strip().lines().reduce((a, b) -> b).orElse("").split(",")) {
            if (!m.isBlank()) {
                modules.add(m.strip());
            }
        }
        return modules;
    }

    private static String runTool(String name, List<String> args) {
        ToolProvider tool = ToolProvider.findFirst(name).orElseThrow(() -> new SpeedlingException("this JVM ("
                + System.getProperty("java.home") + ") has no " + name + ", which a node without Java needs to be given"
                + " a runtime: run speedling on a full JDK 17+ (Debian: openjdk-17-jdk-headless), or install a Java"
                + " 17+ runtime on the node (Debian: apt-get install openjdk-17-jre-headless)"));
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        int rc;
        try (PrintStream p = new PrintStream(out, true, StandardCharsets.UTF_8)) {
            rc = tool.run(p, p, args.toArray(String[]::new));
        }
        String text = out.toString(StandardCharsets.UTF_8);
        if (rc != 0) {
            throw new SpeedlingException(name + " failed (exit " + rc + ") making the agent's runtime from "
                    + System.getProperty("java.home") + ": " + text.strip() + "\nA JDK with its jmods is needed "
                    + "(Debian: openjdk-17-jdk-headless); or install a Java 17+ runtime on the node");
        }
        return text;
    }

    /**
     * The runtime of {@code key}, linked once: the nodes of one connect ask for it in parallel, and
     * every process of the machine shares the cache. Linked and hashed under a lock (this JVM's and a
     * file lock across processes): two threads linking at once each replaced the other's archive, whose
     * bytes differ, and sent one archive with the other's SHA-256 (both nodes refused it, seen in CI).
     */
    private static Archive build(String key, List<String> modules, Path cacheDir) {
        synchronized (AgentRuntime.class) {
            try {
                Files.createDirectories(cacheDir);
                try (java.nio.channels.FileChannel ch = java.nio.channels.FileChannel.open(cacheDir.resolve(
                        "rt-" + key + ".lock"), java.nio.file.StandardOpenOption.CREATE,
                        java.nio.file.StandardOpenOption.WRITE); java.nio.channels.FileLock ignored = ch.lock()) {
                    return buildLocked(key, modules, cacheDir);
                }
            } catch (IOException e) {
                throw new UncheckedIOException("cannot make the agent runtime in " + cacheDir + ": " + e.getMessage(), e);
            }
        }
    }

    private static Archive buildLocked(String key, List<String> modules, Path cacheDir) {
        Path file = cacheDir.resolve("rt-" + key + ".tar.gz");
        try {
            if (!Files.isRegularFile(file)) {
                long t0 = System.nanoTime();
                Path work = Files.createTempDirectory(cacheDir, ".rt-");
                try {
                    Path image = work.resolve("image");
                    List<String> args = new ArrayList<>(List.of("--add-modules", String.join(",", modules)));
                    args.addAll(JLINK_OPTIONS);
                    args.addAll(List.of("--output", image.toString()));
                    runTool("jlink", args);
                    Path packed = work.resolve("rt.tar.gz");
                    pack(image, packed);
                    Files.move(packed, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
                } finally {
                    deleteTree(work);
                }
                LOG.info("agent runtime {} linked ({}; {} MiB packed) in {} ms", key, String.join(",", modules),
                        Files.size(file) >> 20, (System.nanoTime() - t0) / 1_000_000);
            }
            return new Archive(key, file, AgentPayload.sha256(file), Files.size(file));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot make the agent runtime in " + cacheDir + ": " + e.getMessage(), e);
        }
    }

    /** A tar.gz of {@code dir} with its files' modes (bin/java stays executable), entries sorted. */
    private static void pack(Path dir, Path target) throws IOException {
        try (OutputStream o = new BufferedOutputStream(Files.newOutputStream(target), 1 << 16);
                GzipCompressorOutputStream gz = new GzipCompressorOutputStream(o);
                TarArchiveOutputStream tar = new TarArchiveOutputStream(gz);
                Stream<Path> walk = Files.walk(dir)) {
            tar.setLongFileMode(TarArchiveOutputStream.LONGFILE_POSIX);
            for (Path p : walk.sorted().toList()) {
                if (p.equals(dir)) {
                    continue;
                }
                String name = dir.relativize(p).toString();
                TarArchiveEntry e;
                if (Files.isSymbolicLink(p)) {
                    e = new TarArchiveEntry(name, TarArchiveEntry.LF_SYMLINK);
                    e.setLinkName(Files.readSymbolicLink(p).toString());
                } else {
                    e = new TarArchiveEntry(p.toFile(), name);
                }
                e.setMode(mode(p));
                tar.putArchiveEntry(e);
                if (Files.isRegularFile(p, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
                    Files.copy(p, tar);
                }
                tar.closeArchiveEntry();
            }
            tar.finish();
        }
    }

    private static int mode(Path p) throws IOException {
        if (Files.isSymbolicLink(p)) {
            return 0120777;
        }
        int type = Files.isDirectory(p) ? 040000 : 0100000;
        return type | (Files.isExecutable(p) || Files.isDirectory(p) ? 0755 : 0644);
    }

    private static void deleteTree(Path dir) throws IOException {
        if (!Files.exists(dir, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
            return;
        }
        try (Stream<Path> walk = Files.walk(dir)) {
            for (Path p : walk.sorted(java.util.Comparator.reverseOrder()).toList()) {
                Files.delete(p);
            }
        }
    }
}
