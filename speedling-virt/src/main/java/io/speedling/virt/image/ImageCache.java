package io.speedling.virt.image;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.speedling.virt.HostTool;
import io.speedling.virt.VirtException;
import io.speedling.virt.internal.Mounts;
import io.speedling.virt.internal.ProcessId;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Pattern;

/**
 * Content-addressed image layers in one directory:
 *
 * <pre>
 * layers/KEY/layer.json   metadata, written before the entry is published
 * layers/KEY/tree/        the layer's files (a whole tree for a base, an overlay upper dir otherwise)
 * tmp/KEY.RANDOM/         a build in progress; never read as a layer
 * locks/KEY.lock          held while KEY is built, so concurrent builders share one build
 * tags/NAME               a tag: the key it points at
 * </pre>
 *
 * A build happens in {@code tmp/} and is renamed into {@code layers/} in one step, so an entry
 * exists completely or not at all; a killed build leaves only a {@code tmp/} directory, which the
 * next build of the same key removes (stopping the processes it had recorded there).
 */
public final class ImageCache {
    private static final Pattern TAG = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,63}");
    private static final Pattern KEY = Pattern.compile("[0-9a-f]{64}");
    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT)
            .configure(com.fasterxml.jackson.databind.DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, false)
            .addMixIn(LayerInfo.class, LayerFile.class);

    /** How {@link LayerInfo} is written to {@code layer.json}: without its place in the cache (Jackson stays out of the API). */
    private abstract static class LayerFile {
        @com.fasterxml.jackson.annotation.JsonIgnore
        abstract Path dir();
    }
    private static final ConcurrentHashMap<Path, CompletableFuture<LayerInfo>> IN_FLIGHT = new ConcurrentHashMap<>();

    private final Path dir;

    private ImageCache(Path dir) {
        this.dir = dir.toAbsolutePath().normalize();
    }

    /** The cache in {@code dir}, created if missing. */
    public static ImageCache open(Path dir) {
        ImageCache c = new ImageCache(dir);
        try {
            for (String sub : List.of("layers", "tmp", "locks", "tags", "trash", "disks")) {
                Files.createDirectories(c.dir.resolve(sub));
            }
        } catch (IOException e) {
            throw new VirtException("cannot create the image cache in " + dir + ": " + e.getMessage(), e);
        }
        return c;
    }

    /**
     * The cache named by {@code -Dspeedling.image.cache}, else {@code $SPEEDLING_IMAGE_CACHE}, else
     * {@code $XDG_CACHE_HOME/speedling/images}, else {@code ~/.cache/speedling/images}.
     */
    public static ImageCache openDefault() {
        return open(defaultDir());
    }

    public static Path defaultDir() {
        String p = System.getProperty("speedling.image.cache");
        if (p == null || p.isBlank()) {
            p = System.getenv("SPEEDLING_IMAGE_CACHE");
        }
        if (p != null && !p.isBlank()) {
            return Path.of(p);
        }
        String xdg = System.getenv("XDG_CACHE_HOME");
        Path base = xdg != null && !xdg.isBlank() ? Path.of(xdg) : Path.of(System.getProperty("user.home"), ".cache");
        return base.resolve("speedling").resolve("images");
    }

    public Path dir() {
        return dir;
    }

    public Image build(Recipe recipe) {
        return build(recipe, BuildListener.logging());
    }

    /**
     * Every layer of {@code recipe}, from the cache where present, built otherwise. Two builds of
     * one key at once (threads or processes) share one build.
     */
    public Image build(Recipe recipe, BuildListener listener) {
        List<Step> steps = recipe.steps();
        List<String> keys = recipe.keys();
        List<LayerInfo> done = new ArrayList<>();
        for (int i = 0; i < steps.size(); i++) {
            done.add(obtain(keys.get(i), i == 0 ? null : done.get(i - 1).key(), steps.get(i), List.copyOf(done),
                    i + 1, steps.size(), listener));
        }
        return new Image(done);
    }

    /**
     * The image as a VM disk of {@code sizeGiB} (sparse), with its kernel and initrd; built once per
     * image and size, atomically like a layer. The image needs a kernel: add a layer with
     * {@code linux-image-amd64}.
     */
    public BootDisk bootDisk(Image image, int sizeGiB) {
        return BootDisks.of(this, image, sizeGiB);
    }

    /** The image if every layer of {@code recipe} is already cached; builds nothing. */
    public Optional<Image> find(Recipe recipe) {
        List<LayerInfo> layers = new ArrayList<>();
        for (String k : recipe.keys()) {
            Optional<LayerInfo> l = layer(k);
            if (l.isEmpty()) {
                return Optional.empty();
            }
            layers.add(l.get());
        }
        return Optional.of(new Image(layers));
    }

    /** The image whose top layer is {@code tagOrKey} (a tag or a full key), with all its ancestors. */
    public Optional<Image> image(String tagOrKey) {
        String key = KEY.matcher(tagOrKey).matches() ? tagOrKey : tagged(tagOrKey).orElse(null);
        if (key == null) {
            return Optional.empty();
        }
        List<LayerInfo> chain = new ArrayList<>();
        for (String k = key; k != null; ) {
            Optional<LayerInfo> l = layer(k);
            if (l.isEmpty()) {
                return Optional.empty();
            }
            chain.add(0, l.get());
            k = l.get().parent();
        }
        return Optional.of(new Image(chain));
    }

    /** Writes {@code info} as a layer's {@code layer.json}. */
    static void writeLayerFile(Path file, LayerInfo info) throws IOException {
        JSON.writeValue(file.toFile(), info);
    }

    public Optional<LayerInfo> layer(String key) {
        if (!KEY.matcher(key).matches()) {
            throw new IllegalArgumentException("'" + key + "' is not a layer key (64 hex digits)");
        }
        Path d = dir.resolve("layers").resolve(key);
        Path meta = d.resolve("layer.json");
        try {
            return Optional.of(JSON.readValue(meta.toFile(), LayerInfo.class).at(d));
        } catch (IOException e) {
            if (!Files.exists(meta)) {
                return Optional.empty();
            }
            throw new VirtException("layer " + key + " in " + dir + " has unreadable metadata (" + e.getMessage()
                    + "): remove " + d + " and build again", e);
        }
    }

    /** Every layer in the cache, oldest first. */
    public List<LayerInfo> list() {
        List<LayerInfo> out = new ArrayList<>();
        try (DirectoryStream<Path> s = Files.newDirectoryStream(dir.resolve("layers"))) {
            for (Path d : s) {
                String k = d.getFileName().toString();
                if (KEY.matcher(k).matches()) {
                    layer(k).ifPresent(out::add);
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        out.sort(Comparator.comparing(LayerInfo::createdAt).thenComparing(LayerInfo::key));
        return out;
    }

    /** Points {@code tag} at the image's top layer (replacing where it pointed before). */
    public void tag(String tag, Image image) {
        tag(tag, image.key());
    }

    public void tag(String tag, String key) {
        checkTag(tag);
        if (layer(key).isEmpty()) {
            throw new VirtException("cannot tag '" + tag + "': no layer " + key + " in " + dir);
        }
        Path t = dir.resolve("tags").resolve(tag);
        Path tmp = dir.resolve("tags").resolve("." + tag + "." + UUID.randomUUID());
        try {
            Files.writeString(tmp, key + "\n");
            Files.move(tmp, t, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (IOException e) {
            try {
                Files.deleteIfExists(tmp);
            } catch (IOException ignored) {
                // nothing more to do
            }
            throw new UncheckedIOException("cannot write tag " + t, e);
        }
    }

    public Optional<String> tagged(String tag) {
        checkTag(tag);
        try {
            return Optional.of(Files.readString(dir.resolve("tags").resolve(tag)).trim());
        } catch (NoSuchFileException e) {
            return Optional.empty();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public boolean untag(String tag) {
        checkTag(tag);
        try {
            return Files.deleteIfExists(dir.resolve("tags").resolve(tag));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Tag name to key, sorted by tag. */
    public Map<String, String> tags() {
        Map<String, String> out = new java.util.TreeMap<>();
        try (DirectoryStream<Path> s = Files.newDirectoryStream(dir.resolve("tags"))) {
            for (Path t : s) {
                String name = t.getFileName().toString();
                if (TAG.matcher(name).matches()) {
                    out.put(name, Files.readString(t).trim());
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out;
    }

    private static void checkTag(String tag) {
        if (tag == null || !TAG.matcher(tag).matches()) {
            throw new IllegalArgumentException("tag '" + tag + "' is not valid: use 1-64 letters, digits, "
                    + "'.', '_' or '-', starting with a letter or digit");
        }
    }

    /**
     * Removes layers that no tag needs, that no mount on this host uses, and that were not built or
     * used within {@code keepUnusedFor}. The ancestors of every kept layer are kept. Returns what went.
     */
    public List<LayerInfo> prune(Duration keepUnusedFor) {
        List<LayerInfo> all = list();
        Map<String, LayerInfo> byKey = new LinkedHashMap<>();
        all.forEach(l -> byKey.put(l.key(), l));
        Set<String> keep = new HashSet<>();
        Instant cutoff = Instant.now().minus(keepUnusedFor);
        for (LayerInfo l : all) {
            boolean tagged = tags().containsValue(l.key());
            if (tagged || lastUsed(l).isAfter(cutoff) || Mounts.inUse(l.tree())) {
                for (String k = l.key(); k != null && keep.add(k); ) {
                    LayerInfo p = byKey.get(k);
                    k = p == null ? null : p.parent();
                }
            }
        }
        List<LayerInfo> removed = new ArrayList<>();
        for (LayerInfo l : all) {
            if (!keep.contains(l.key())) {
                try (KeyLock ignored = lockKey(l.key())) {
                    Path trash = dir.resolve("trash").resolve(l.key() + "." + UUID.randomUUID());
                    Files.move(l.dir(), trash, StandardCopyOption.ATOMIC_MOVE);
                    Mounts.removeTree(trash);
                    removed.add(l);
                } catch (IOException e) {
                    throw new UncheckedIOException("cannot remove layer " + l.key(), e);
                }
            }
        }
        return removed;
    }

    private Instant lastUsed(LayerInfo l) {
        try {
            return Files.getLastModifiedTime(l.dir().resolve("used")).toInstant();
        } catch (IOException e) {
            return Instant.parse(l.createdAt());
        }
    }

    private void touch(LayerInfo l) {
        Path used = l.dir().resolve("used");
        try {
            if (!Files.exists(used)) {
                Files.createFile(used);
            }
            Files.setLastModifiedTime(used, FileTime.from(Instant.now()));
        } catch (IOException ignored) {
            // best effort: only prune reads it
        }
    }

    private LayerInfo obtain(String key, String parentKey, Step step, List<LayerInfo> parents, int index, int total,
                             BuildListener listener) {
        Optional<LayerInfo> hit = layer(key);
        if (hit.isPresent()) {
            touch(hit.get());
            listener.cached(hit.get());
            return hit.get();
        }
        Path id = dir.resolve("layers").resolve(key);
        CompletableFuture<LayerInfo> mine = new CompletableFuture<>();
        CompletableFuture<LayerInfo> theirs = IN_FLIGHT.putIfAbsent(id, mine);
        if (theirs != null) {
            try {
                return theirs.join();
            } catch (CompletionException e) {
                throw e.getCause() instanceof RuntimeException r ? r : e;
            }
        }
        try {
            LayerInfo built = buildLocked(key, parentKey, step, parents, index, total, listener);
            mine.complete(built);
            return built;
        } catch (RuntimeException | Error e) {
            mine.completeExceptionally(e);
            throw e;
        } finally {
            IN_FLIGHT.remove(id, mine);
        }
    }

    /** The key's build lock, held across processes (a file lock) for as long as it is open. */
    KeyLock lockKey(String key) throws IOException {
        FileChannel ch = FileChannel.open(dir.resolve("locks").resolve(key + ".lock"),
                StandardOpenOption.CREATE, StandardOpenOption.WRITE);
        try {
            return new KeyLock(ch, ch.lock());
        } catch (IOException | RuntimeException e) {
            ch.close();
            throw e;
        }
    }

    record KeyLock(FileChannel channel, FileLock lock) implements AutoCloseable {
        @Override
        public void close() throws IOException {
            try {
                lock.release();
            } finally {
                channel.close();
            }
        }
    }

    private LayerInfo buildLocked(String key, String parentKey, Step step, List<LayerInfo> parents, int index,
                                  int total, BuildListener listener) {
        try (KeyLock ignored = lockKey(key)) {
            Optional<LayerInfo> hit = layer(key);
            if (hit.isPresent()) {
                // another process built it while this one waited for the lock
                touch(hit.get());
                listener.cached(hit.get());
                return hit.get();
            }
            removeStaleBuilds(key);
            Path tmp = dir.resolve("tmp").resolve(key + "." + UUID.randomUUID().toString().substring(0, 8));
            Files.createDirectories(tmp.resolve("tree"));
            listener.started(key, step, index, total);
            long t0 = System.nanoTime();
            try {
                new LayerBuilder(tmp, key, step, new Image0(parents), listener).build();
                double secs = (System.nanoTime() - t0) / 1e9;
                LayerInfo info = new LayerInfo(key, parentKey, step.kind(), step.describe(), secs,
                        Instant.now().toString(), sizeOf(tmp.resolve("tree")), null);
                writeLayerFile(tmp.resolve("layer.json"), info);
                Files.deleteIfExists(tmp.resolve(LayerBuilder.PIDS));
                Path target = dir.resolve("layers").resolve(key);
                try {
                    Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE);
                } catch (AtomicMoveNotSupportedException e) {
                    throw new VirtException("cannot publish layer " + key + ": " + dir + " does not support an atomic rename");
                }
                LayerInfo published = info.at(target);
                touch(published);
                listener.built(published);
                return published;
            } catch (RuntimeException | IOException e) {
                Mounts.removeTree(tmp);
                String what = "building layer " + index + "/" + total + " (" + step.describe() + ") failed";
                if (e instanceof VirtException v) {
                    throw new VirtException(what + ": " + v.getMessage(), v);
                }
                throw new VirtException(what + ": " + e, e);
            }
        } catch (IOException e) {
            throw new VirtException("cannot lock layer " + key + " in " + dir + ": " + e.getMessage(), e);
        }
    }

    /** Builds that died (kill -9, a lost machine) leave tmp dirs; with the key's lock held, any is stale. */
    private void removeStaleBuilds(String key) throws IOException {
        try (DirectoryStream<Path> s = Files.newDirectoryStream(dir.resolve("tmp"), key + ".*")) {
            for (Path stale : s) {
                Path pids = stale.resolve(LayerBuilder.PIDS);
                if (Files.exists(pids, LinkOption.NOFOLLOW_LINKS)) {
                    for (String line : Files.readAllLines(pids)) {
                        if (!line.isBlank()) {
                            killTree(ProcessId.parse(line));
                        }
                    }
                }
                Mounts.removeTree(stale);
            }
        }
    }

    private static void killTree(ProcessId p) {
        List<ProcessId> all = new ArrayList<>();
        collect(p, all);
        for (ProcessId q : all) {
            q.signal("KILL");
        }
        for (ProcessId q : all) {
            q.awaitExit(5000);
        }
    }

    private static void collect(ProcessId p, List<ProcessId> into) {
        if (!p.alive()) {
            return;
        }
        into.add(p);
        for (ProcessId c : p.children()) {
            collect(c, into);
        }
    }

    static long sizeOf(Path tree) throws IOException {
        long[] total = {0};
        Files.walkFileTree(tree, new java.nio.file.SimpleFileVisitor<>() {
            @Override
            public java.nio.file.FileVisitResult visitFile(Path file, java.nio.file.attribute.BasicFileAttributes a) {
                if (a.isRegularFile()) {
                    total[0] += a.size();
                }
                return java.nio.file.FileVisitResult.CONTINUE;
            }
        });
        return total[0];
    }

    /** The parent layers of a layer being built (maybe none). */
    record Image0(List<LayerInfo> layers) {
        Image image() {
            return new Image(layers);
        }
    }

    static void requireTools(Step step) {
        List<HostTool> need = new ArrayList<>();
        if (step instanceof Step.Debootstrap d) {
            need.add(d.tool().equals("mmdebstrap") ? HostTool.MMDEBSTRAP : HostTool.DEBOOTSTRAP);
        } else if (step instanceof Step.Archive) {
            need.add(HostTool.TAR);
        } else {
            need.add(HostTool.SYSTEMD_NSPAWN);
        }
        for (HostTool t : need) {
            t.require();
        }
    }
}
