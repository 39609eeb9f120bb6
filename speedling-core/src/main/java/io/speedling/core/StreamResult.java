package io.speedling.core;

/**
 * A stream landed on a node.
 *
 * @param node the node's name
 * @param path the file written
 * @param bytes how many bytes were written
 */
public record StreamResult(String node, String path, long bytes) {
}
