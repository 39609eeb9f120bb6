package io.speedling.openstack.remote;

import io.speedling.core.NodeContext;
import io.speedling.core.RemoteFunction;
import io.speedling.core.SpeedlingException;
import java.net.InetSocketAddress;
import java.net.Socket;

/**
 * Waits on the node until {@code host:port} takes a TCP connection (a virtual IP held by some
 * node, a port listening); returns the milliseconds it waited. A failure names the address and the
 * last error.
 */
public record WaitTcp(String host, int port, int timeoutSeconds) implements RemoteFunction<Long> {
    @Override
    public Long run(NodeContext node) throws Exception {
        long t0 = System.nanoTime();
        long deadline = t0 + timeoutSeconds * 1_000_000_000L;
        String last = "no answer";
        while (System.nanoTime() < deadline) {
            try (Socket s = new Socket()) {
                s.connect(new InetSocketAddress(host, port), 1000);
                return (System.nanoTime() - t0) / 1_000_000;
            } catch (java.io.IOException e) {
                last = e.toString();
            }
            Thread.sleep(100);
        }
        throw new SpeedlingException(host + ":" + port + " took no connection from " + node.nodeName() + " within "
                + timeoutSeconds + " s (last: " + last + ")");
    }
}
