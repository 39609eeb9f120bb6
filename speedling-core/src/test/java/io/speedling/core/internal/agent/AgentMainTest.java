package io.speedling.core.internal.agent;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class AgentMainTest {
    @Test
    void theHostNameInHelloIsWhatHostnamePrints() throws Exception {
        Process p = new ProcessBuilder("hostname").redirectErrorStream(true).start();
        String printed = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
        assertThat(p.waitFor()).isZero();
        assertThat(AgentMain.hostname()).isEqualTo(printed).isNotBlank();
    }
}
