package io.speedling.core.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AgentRuntimeIT {
    /** The nodes of one connect ask for the runtime at once: each gets the one archive, with its own hash. */
    @Test
    void nodesAskingAtOnceGetOneArchiveWhoseHashIsItsOwn(@TempDir Path cache) throws Exception {
        AgentPayload payload = AgentPayload.build(List.of());
        ExecutorService pool = Executors.newFixedThreadPool(3);
        try {
            Callable<AgentRuntime.Archive> ask = () -> AgentRuntime.archive(payload, cache);
            List<Future<AgentRuntime.Archive>> all = pool.invokeAll(List.of(ask, ask, ask));
            AgentRuntime.Archive first = all.get(0).get();
            for (Future<AgentRuntime.Archive> f : all) {
                assertThat(f.get()).isEqualTo(first);
            }
            assertThat(AgentPayload.sha256(first.file())).isEqualTo(first.sha256());
        } finally {
            pool.shutdownNow();
        }
    }
}
