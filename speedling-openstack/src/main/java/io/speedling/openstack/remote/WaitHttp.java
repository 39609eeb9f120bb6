package io.speedling.openstack.remote;

import io.speedling.core.Cmd;
import io.speedling.core.CommandResult;
import io.speedling.core.NodeContext;
import io.speedling.core.RemoteFunction;
import io.speedling.core.SpeedlingException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;

/**
 * Waits on the node until {@code url} answers with a status below 500; returns the status. When
 * {@code unit} is given, a unit that failed ends the wait at once, and a failure names the unit,
 * the node and the last lines of the unit's journal.
 *
 * @param unit the systemd unit serving {@code url}, or null
 */
public record WaitHttp(String url, int timeoutSeconds, String unit) implements RemoteFunction<Integer> {
    public WaitHttp(String url, int timeoutSeconds) {
        this(url, timeoutSeconds, null);
    }

    private static final long UNIT_CHECK_NANOS = 4_000_000_000L;

    @Override
    public Integer run(NodeContext node) throws Exception {
        HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(Duration.ofSeconds(2)).build();
        long deadline = System.nanoTime() + Duration.ofSeconds(timeoutSeconds).toNanos();
        // every few seconds, not more: a deploy has up to ten waits at once, each systemctl run ~20 ms of CPU
        long nextUnitCheck = System.nanoTime() + UNIT_CHECK_NANOS;
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
            if (unit != null && System.nanoTime() > nextUnitCheck) {
                nextUnitCheck = System.nanoTime() + UNIT_CHECK_NANOS;
                if (node.run(Cmd.of("systemctl", "is-failed", "--quiet", unit).timeout(Duration.ofSeconds(10)))
                        .exitCode() == 0) {
                    throw failure(node, "failed while " + url + " was awaited (" + last + ")");
                }
            }
            if (System.nanoTime() > deadline) {
                throw failure(node, "did not answer " + url + " within " + timeoutSeconds + " s (" + last + ")");
            }
            Thread.sleep(100);
        }
    }

    private RuntimeException failure(NodeContext node, String what) {
        if (unit == null) {
            return new IllegalStateException(url + " " + what);
        }
        CommandResult j = node.run(Cmd.of("journalctl", "--no-pager", "-o", "cat", "-n", "15", "-u", unit)
                .timeout(Duration.ofSeconds(10)));
        return new SpeedlingException("service " + unit + " on node " + node.nodeName() + " " + what
                + "; the last lines of its journal (journalctl -u " + unit + "):\n" + j.stdout().strip());
    }
}
