package io.speedling.openstack.remote;

import io.speedling.core.NodeContext;
import io.speedling.core.RemoteFunction;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;

/** Waits on the node until {@code url} answers with a status below 500; returns the status. */
public record WaitHttp(String url, int timeoutSeconds) implements RemoteFunction<Integer> {
    @Override
    public Integer run(NodeContext node) throws Exception {
        HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
        long deadline = System.nanoTime() + Duration.ofSeconds(timeoutSeconds).toNanos();
        String last = "no answer";
        while (true) {
            try {
                HttpResponse<Void> r = http.send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(5))
                        .GET().build(), HttpResponse.BodyHandlers.discarding());
                if (r.statusCode() < 500) {
                    return r.statusCode();
                }
                last = "HTTP " + r.statusCode();
            } catch (java.io.IOException e) {
                last = e.toString();
            }
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException(url + " did not answer within " + timeoutSeconds + " s (" + last + ")");
            }
            Thread.sleep(100);
        }
    }
}
