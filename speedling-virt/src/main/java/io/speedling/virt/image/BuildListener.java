package io.speedling.virt.image;

/** Progress of an image build: which layers are cached, which are built, and their output. */
public interface BuildListener {
    /** A layer was found in the cache. */
    default void cached(LayerInfo layer) {
    }

    /** A layer's build begins; {@code index} counts from 1 within the recipe of {@code total} layers. */
    default void started(String key, Step step, int index, int total) {
    }

    /** A line printed by the layer's build. */
    default void output(String key, String line) {
    }

    /** Sent every few seconds while a layer builds. */
    default void stillBuilding(String key, Step step, double seconds, String lastLine) {
    }

    /** The layer is built and in the cache. */
    default void built(LayerInfo layer) {
    }

    /** Logs progress through SLF4J (logger {@code speedling.image}); build output at debug level. */
    static BuildListener logging() {
        return LoggingBuildListener.INSTANCE;
    }
}
