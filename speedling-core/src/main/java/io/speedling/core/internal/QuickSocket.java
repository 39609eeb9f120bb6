package io.speedling.core.internal;

import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import javax.net.SocketFactory;

/**
 * The controller's TCP socket to a node's sshd, tuned for the SSH handshake's many small
 * exchanges. Measured on loopback (2026-12-04, OpenSSH 9.2, sshj 0.40), a login took ~170 ms, of
 * which ~80 ms were two 40 ms stalls of TCP's delayed acknowledgement against Nagle's algorithm:
 * <ul>
 * <li>sshj sets no {@code TCP_NODELAY} before its key exchange, so its service request waited for
 * the acknowledgement of its NEWKEYS: the socket is made with {@code TCP_NODELAY} before it connects;
 * <li>sshd sets no {@code TCP_NODELAY} on a session without a terminal, so its answer to the
 * channel open waited until this side acknowledged its previous packet, which Linux delays up to
 * 40 ms: until {@link #handshakeDone()} this side asks for an immediate acknowledgement after every
 * read ({@code TCP_QUICKACK}, Linux only; elsewhere a no-op).
 * </ul>
 * With both, a login took ~80 ms. After the handshake the exchanges are requests and answers,
 * whose answers carry the acknowledgements, so the per-read system call stops.
 */
final class QuickSocket extends Socket {
    private static final java.net.SocketOption<Boolean> QUICKACK = quickAckOption();
    /** Makes these sockets: unconnected (sshj connects them itself), or connected as the other calls ask. */
    static final SocketFactory FACTORY = new SocketFactory() {
        @Override
        public Socket createSocket() throws IOException {
            return new QuickSocket();
        }

        @Override
        public Socket createSocket(String host, int port) throws IOException {
            return connected(new InetSocketAddress(host, port), null);
        }

        @Override
        public Socket createSocket(String host, int port, InetAddress localHost, int localPort) throws IOException {
            return connected(new InetSocketAddress(host, port), new InetSocketAddress(localHost, localPort));
        }

        @Override
        public Socket createSocket(InetAddress host, int port) throws IOException {
            return connected(new InetSocketAddress(host, port), null);
        }

        @Override
        public Socket createSocket(InetAddress address, int port, InetAddress localAddress, int localPort)
                throws IOException {
            return connected(new InetSocketAddress(address, port), new InetSocketAddress(localAddress, localPort));
        }

        private Socket connected(InetSocketAddress remote, InetSocketAddress local) throws IOException {
            Socket s = new QuickSocket();
            try {
                if (local != null) {
                    s.bind(local);
                }
                s.connect(remote);
                return s;
            } catch (IOException | RuntimeException e) {
                s.close();
                throw e;
            }
        }
    };

    private volatile boolean quickAck = QUICKACK != null;
    private InputStream in;

    private QuickSocket() throws IOException {
        setTcpNoDelay(true);
    }

    /** The handshake is over (or failed): reads no longer ask for immediate acknowledgements. */
    void handshakeDone() {
        quickAck = false;
    }

    @Override
    public synchronized InputStream getInputStream() throws IOException {
        if (in == null) {
            in = new FilterInputStream(super.getInputStream()) {
                @Override
                public int read() throws IOException {
                    int b = super.read();
                    acknowledge();
                    return b;
                }

                @Override
                public int read(byte[] b, int off, int len) throws IOException {
                    int n = super.read(b, off, len);
                    acknowledge();
                    return n;
                }
            };
        }
        return in;
    }

    private void acknowledge() {
        if (quickAck) {
            try {
                setOption(QUICKACK, true);
            } catch (IOException | UnsupportedOperationException e) {
                quickAck = false;  // closed, or not offered here: the stall costs time, nothing else
            }
        }
    }

    /**
     * Found by name among what this JDK's sockets offer, not named through {@code jdk.net}: the
     * agent's runtime (linked from the modules speedling-core uses) does not need that module.
     */
    @SuppressWarnings("unchecked")
    private static java.net.SocketOption<Boolean> quickAckOption() {
        try (Socket s = new Socket()) {
            for (java.net.SocketOption<?> o : s.supportedOptions()) {
                if (o.name().equals("TCP_QUICKACK") && o.type() == Boolean.class) {
                    return (java.net.SocketOption<Boolean>) o;
                }
            }
        } catch (IOException e) {
            // not offered
        }
        return null;
    }
}
