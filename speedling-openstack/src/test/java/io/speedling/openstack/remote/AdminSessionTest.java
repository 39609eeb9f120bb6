package io.speedling.openstack.remote;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpServer;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class AdminSessionTest {
    /** A server answering 503 {@code unavailable} times, then 200 with the number of requests it saw. */
    private static HttpServer server(int unavailable, AtomicInteger seen) throws Exception {
        HttpServer s = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        s.createContext("/", x -> {
            int n = seen.incrementAndGet();
            byte[] body = (n <= unavailable ? "{\"code\": \"503 Service Unavailable\"}" : "{\"n\": " + n + "}")
                    .getBytes(StandardCharsets.UTF_8);
            x.sendResponseHeaders(n <= unavailable ? 503 : 200, body.length);
            x.getResponseBody().write(body);
            x.close();
        });
        s.start();
        return s;
    }

    @Test
    void aRequestAnswered503IsRepeatedUntilItIsHandled() throws Exception {
        AtomicInteger seen = new AtomicInteger();
        HttpServer s = server(2, seen);
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
        HttpServer s = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        s.createContext("/", x -> {
            seen.incrementAndGet();
            x.sendResponseHeaders(500, -1);
            x.close();
        });
        s.start();
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
