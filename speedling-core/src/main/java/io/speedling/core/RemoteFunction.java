package io.speedling.core;

/**
 * A function that runs on a node: the unit of remote work (the original's
 * {@code do_*} functions).
 *
 * <p>Make it a small record. Its components are its arguments; they and the result
 * travel as JSON, so both must be plain data that Jackson can write and read. The
 * result type is taken from the type argument, and the controller reads results
 * only as that type.
 *
 * <pre>{@code
 * record DiskFree(String path) implements RemoteFunction<Long> {
 *     public Long run(NodeContext node) throws Exception {
 *         return java.nio.file.Files.getFileStore(java.nio.file.Path.of(path)).getUsableSpace();
 *     }
 * }
 * long free = fleet.node("controller-01").call(new DiskFree("/var/lib"));
 * }</pre>
 *
 * <p>The class must be on the agent's class path: ship its jar or class directory
 * with {@link Fleet.Builder#ship(Class...)}.
 *
 * @param <R> the result type; use {@link Void} for none
 */
@FunctionalInterface
public interface RemoteFunction<R> {
    /** Runs on the node, in the agent (as root unless the node says otherwise). */
    R run(NodeContext node) throws Exception;
}
