package io.speedling.core.functions;

import io.speedling.core.NodeContext;
import io.speedling.core.RemoteFunction;

/**
 * Reads a whole (small) file from the node.
 *
 * @param path absolute path on the node
 */
public record ReadFile(String path) implements RemoteFunction<byte[]> {
    @Override
    public byte[] run(NodeContext node) {
        return node.readFile(path);
    }
}
