package io.speedling.core.internal;

import java.util.concurrent.CompletableFuture;

/** One file being streamed to one node. */
public interface Upload {
    /** Writes the next chunk; blocks while the node is behind. The array is shared, never modify it. */
    void write(byte[] chunk);

    /** Ends the stream; the future completes with the byte count once the file is in place. */
    CompletableFuture<Long> finish();

    /** Drops the partial file. */
    void abort();
}
