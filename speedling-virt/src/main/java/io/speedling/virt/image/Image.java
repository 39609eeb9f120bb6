package io.speedling.virt.image;

import io.speedling.virt.internal.Mounts;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/** A built recipe: its layers in the cache, base first. The image's key is its top layer's key. */
public record Image(List<LayerInfo> layers) {
    public Image {
        layers = List.copyOf(layers);
        if (layers.isEmpty()) {
            throw new IllegalArgumentException("an image has at least its base layer");
        }
    }

    public String key() {
        return top().key();
    }

    public LayerInfo top() {
        return layers.get(layers.size() - 1);
    }

    /** The layer trees for overlayfs {@code lowerdir}, top layer first. */
    public List<Path> lowerDirs() {
        List<Path> dirs = new ArrayList<>();
        for (LayerInfo l : layers) {
            dirs.add(l.tree());
        }
        Collections.reverse(dirs);
        return dirs;
    }

    /**
     * Mounts the image at {@code target} with a writable layer of its own in {@code upper};
     * closing the result unmounts it. A node's root stays mounted beyond one method (its provider
     * unmounts it when the node is wiped); then the result is simply not closed.
     */
    public Mounted mount(Path upper, Path work, Path target) {
        Mounts.overlay(lowerDirs(), upper, work, target);
        return new Mounted(target);
    }

    /** Mounts the image read-only at {@code target}; closing the result unmounts it. */
    public Mounted mountReadOnly(Path target) {
        Mounts.overlay(lowerDirs(), null, null, target);
        return new Mounted(target);
    }

    /** An image mounted at {@link #path()}; {@link #close()} unmounts it (once). */
    public static final class Mounted implements AutoCloseable {
        private final Path path;
        private boolean closed;

        private Mounted(Path path) {
            this.path = path;
        }

        /** Where the image is mounted. */
        public Path path() {
            return path;
        }

        @Override
        public synchronized void close() {
            if (!closed) {
                closed = true;
                Mounts.unmount(path);
            }
        }
    }

    /** Sum of the build times of every layer, as recorded when each was built. */
    public double buildSeconds() {
        return layers.stream().mapToDouble(LayerInfo::buildSeconds).sum();
    }
}
