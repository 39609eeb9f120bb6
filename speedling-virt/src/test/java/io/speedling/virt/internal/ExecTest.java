package io.speedling.virt.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.speedling.virt.VirtException;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class ExecTest {
    @Test
    void aHostCommandOverItsLimitIsKilledWithWhatItStartedAndNamed() {
        assertThatThrownBy(() -> Exec.of("sh", "-c", "echo begun; sleep 300 & sleep 300").timeout(Duration.ofMillis(500))
                .run()).isInstanceOf(VirtException.class)
                .hasMessageStartingWith("'sh -c echo begun; sleep 300 & sleep 300' did not finish within 500 ms; it and "
                        + "what it started were killed").hasMessageContaining("Its last lines:\nbegun");
        assertThat(Exec.of("echo", "fine").run()).isEqualTo("fine\n");
    }
}
