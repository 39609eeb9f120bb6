package io.speedling.virt.image;

import java.nio.file.Path;

/**
 * A built layer as recorded in its {@code layer.json}: its key, its parent's key, what made it,
 * how long the build took and how big its tree is. {@code dir} is where it lives in the cache (not
 * in the file: the cache can move).
 */
public record LayerInfo(String key, String parent, String kind, String description, double buildSeconds,
                        String createdAt, long sizeBytes, Path dir) {

    /** The layer's own files: a whole root tree for a base, an overlay upper directory otherwise. */
    public Path tree() {
        return dir.resolve("tree");
    }

    public String shortKey() {
        return key.substring(0, 12);
    }

    LayerInfo at(Path where) {
        return new LayerInfo(key, parent, kind, description, buildSeconds, createdAt, sizeBytes, where);
    }
}
