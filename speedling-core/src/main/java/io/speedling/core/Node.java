package io.speedling.core;

import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;

/**
 * A handle on one connected node. Get nodes from a {@link Fleet}; calls on one
 * node run concurrently on its agent and complete in any order.
 *
 * <pre>{@code
 * Node n = fleet.node("controller-01");
 * CommandResult r = n.call(Sh.of("uname -r"));            // wait for the result
 * CompletableFuture<CommandResult> f = n.submit(Sh.of("apt-get -q update"));   // or don't
 * n.send(StreamSource.of(Path.of("image.qcow2")), "/var/lib/images/x.qcow2", FileSpec.mode(0644));
 * }</pre>
 */
public interface Node extends AutoCloseable {

    String name();

    Set<String> roles();

    /** The node's free-form data from the inventory. */
    Map<String, Object> data();

    /**
     * Sends the function to the node and returns at once. The future fails with
     * {@link RemoteCallException} when the function threw, {@link NodeLostException}
     * when the node went away. Cancelling the future interrupts the remote call.
     */
    <R> CompletableFuture<R> submit(RemoteFunction<R> function);

    /**
     * Runs the function on the node and waits for its result. An interrupt while waiting (a task
     * over its time limit) cancels the call on the node, killing what it started, and throws
     * naming the node and the function.
     */
    default <R> R call(RemoteFunction<R> function) {
        CompletableFuture<R> f = submit(function);
        try {
            return Futures.join(f);
        } catch (SpeedlingException e) {
            if (f.isCancelled() && Thread.currentThread().isInterrupted()) {
                throw new SpeedlingException("call of " + function.getClass().getSimpleName() + " on node " + name()
                        + " cancelled while it ran; it was stopped on the node", e);
            }
            throw e;
        }
    }

    /**
     * Streams the source to a file on this node ({@code {node}} in the path becomes this
     * node's name). For the same data on many nodes use {@link NodeGroup#send}, which reads
     * the source once.
     */
    default CompletableFuture<StreamResult> send(StreamSource source, String path, FileSpec spec) {
        return NodeGroup.of(this).sendAsync(source, path, spec).get(name());
    }

    /** False once the connection dropped, heartbeats stopped or the node was closed. */
    boolean isAlive();

    /** Stops the agent and closes the connection. Calls still in flight fail. */
    @Override
    void close();
}
