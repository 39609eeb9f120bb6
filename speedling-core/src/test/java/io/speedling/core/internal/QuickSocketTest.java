package io.speedling.core.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.StandardSocketOptions;
import org.junit.jupiter.api.Test;

class QuickSocketTest {

    @Test
    void nagleIsOffBeforeTheSocketConnects() throws Exception {
        try (Socket s = QuickSocket.FACTORY.createSocket()) {
            assertThat(s.isConnected()).isFalse();
            assertThat(s.getOption(StandardSocketOptions.TCP_NODELAY)).isTrue();
        }
    }

    @Test
    void bytesPassUnchangedDuringAndAfterTheHandshake() throws Exception {
        InetAddress lo = InetAddress.getLoopbackAddress();
        try (ServerSocket server = new ServerSocket(0, 1, lo);
                Socket s = QuickSocket.FACTORY.createSocket(lo, server.getLocalPort())) {
            assertThat(s.getOption(StandardSocketOptions.TCP_NODELAY)).isTrue();
            try (Socket peer = server.accept()) {
                OutputStream out = peer.getOutputStream();
                InputStream in = s.getInputStream();
                assertThat(s.getInputStream()).isSameAs(in);
                out.write(new byte[] {1, 2, 3});
                out.flush();
                byte[] b = new byte[3];
                assertThat(in.readNBytes(b, 0, 3)).isEqualTo(3);
                assertThat(b).containsExactly(1, 2, 3);
                ((QuickSocket) s).handshakeDone();
                out.write(4);
                out.close();
                assertThat(in.read()).isEqualTo(4);
                assertThat(in.read()).isEqualTo(-1);
            }
        }
    }
}
