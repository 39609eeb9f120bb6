package io.speedling.openstack.remote;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpServer;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.IntUnaryOperator;
import org.junit.jupiter.api.Test;

class AdminSessionTest {
    /** A server answering its {@code n}th request with status {@code status(n)} and the body {"n": n}. */
    private static HttpServer server(AtomicInteger seen, IntUnaryOperator status) throws Exception {
        HttpServer s = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        s.createContext("/", x -> {
            int n = seen.incrementAndGet();
            byte[] body = ("{\"n\": " + n + "}").getBytes(StandardCharsets.UTF_8);
            x.sendResponseHeaders(status.applyAsInt(n), body.length);
            x.getResponseBody().write(body);
            x.close();
        });
        s.start();
        return s;
    }

    @Test
    void aRequestAnswered503IsRepeatedUntilItIsHandled() throws Exception {
        AtomicInteger seen = new AtomicInteger();
        HttpServer s = server(seen, n -> n <= 2 ? 503 : 200);
        try {
            var r = AdminSession.send(HttpClient.newHttpClient(), HttpRequest.newBuilder(
                    URI.create("http://127.0.0.1:" + s.getAddress().getPort() + "/v2.0/networks"))
                    .POST(HttpRequest.BodyPublishers.ofString("{}")).build());
            assertThat(r.statusCode()).isEqualTo(200);
            assertThat(r.body()).isEqualTo("{\"n\": 3}");
            assertThat(seen).hasValue(3);
        } finally {
            s.stop(0);
        }
    }

    @Test
    void otherErrorsAreAnsweredAtOnce() throws Exception {
        AtomicInteger seen = new AtomicInteger();
        HttpServer s = server(seen, n -> 500);
        try {
            var r = AdminSession.send(HttpClient.newHttpClient(), HttpRequest.newBuilder(
                    URI.create("http://127.0.0.1:" + s.getAddress().getPort() + "/")).GET().build());
            assertThat(r.statusCode()).isEqualTo(500);
            assertThat(seen).hasValue(1);
        } finally {
            s.stop(0);
        }
    }
}
