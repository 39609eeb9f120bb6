package io.speedling.core.functions;

import io.speedling.core.FileSpec;
import io.speedling.core.NodeContext;
import io.speedling.core.RemoteFunction;
import java.nio.charset.StandardCharsets;

/**
 * Writes a small file atomically with owner and mode (large files: use
 * {@code NodeGroup.send}). Returns whether anything changed.
 *
 * @param path absolute path on the node
 * @param content the bytes to write
 * @param spec owner, group and mode
 */
public record WriteFile(String path, byte[] content, FileSpec spec) implements RemoteFunction<Boolean> {

    public static WriteFile text(String path, String text, FileSpec spec) {
        return new WriteFile(path, text.getBytes(StandardCharsets.UTF_8), spec);
    }

    @Override
    public Boolean run(NodeContext node) {
        return node.writeFile(path, content, spec);
    }
}
