package io.speedling.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(value = 20, unit = TimeUnit.SECONDS)
class FanOutTest {
    @Test
    void anInterruptedJoinCancelsWhatStillRunsAndThrowsInsteadOfWaitingOn() throws Exception {
        Map<String, CompletableFuture<String>> fs = new LinkedHashMap<>();
        fs.put("n1", CompletableFuture.completedFuture("done"));
        fs.put("n2", new CompletableFuture<>());
        fs.put("n3", new CompletableFuture<>());
        FanOut<String> out = new FanOut<>("Sh", fs);
        AtomicReference<Throwable> thrown = new AtomicReference<>();
        Thread t = new Thread(() -> {
            try {
                out.join();
            } catch (Throwable e) {
                thrown.set(e);
            }
        });
        t.start();
        Thread.sleep(100);
        t.interrupt();
        t.join(5000);
        assertThat(t.isAlive()).isFalse();
        assertThat(thrown.get()).isInstanceOf(SpeedlingException.class)
                .hasMessage("interrupted while waiting for Sh; cancelled it on n2, n3");
        assertThat(fs.get("n2")).isCancelled();
        assertThat(fs.get("n3")).isCancelled();
    }

    @Test
    void anInterruptedFuturesJoinCancelsTheFuture() {
        CompletableFuture<String> f = new CompletableFuture<>();
        Thread.currentThread().interrupt();
        assertThatThrownBy(() -> Futures.join(f)).hasMessage("interrupted while waiting; the work waited for was "
                + "cancelled");
        assertThat(Thread.interrupted()).isTrue();
        assertThat(f).isCancelled();
    }
}
