package io.speedling.examples;

import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class CloudMainTest {
    @Test
    void theDocumentedOptionsPass() {
        assertThatCode(() -> CloudMain.checkOptions(new String[] {"--name", "lab", "--slice", "3", "--services",
                "keystone,glance", "--workers", "1", "--config", "worker-01:/etc/nova/nova.conf:DEFAULT.debug=true",
                "--config", "controller-01:/etc/a.conf:s.k=v", "--compute-driver", "libvirt", "--no-verify"}))
                .doesNotThrowAnyException();
        assertThatCode(() -> CloudMain.checkOptions(new String[] {"--wipe", "--name", "lab"}))
                .doesNotThrowAnyException();
        assertThatCode(() -> CloudMain.checkOptions(new String[0])).doesNotThrowAnyException();
    }

    @Test
    void aTypoOrAMissingValueIsRefusedNotDropped() {
        assertThatThrownBy(() -> CloudMain.checkOptions(new String[] {"--worker", "1"}))
                .hasMessageStartingWith("unknown option '--worker'; the options are [--compute-driver, --config, "
                        + "--name, --services, --slice, --workers] (each with a value) and [--help, --no-verify, --wipe]");
        assertThatThrownBy(() -> CloudMain.checkOptions(new String[] {"--name", "lab", "extra"}))
                .hasMessageStartingWith("unexpected argument 'extra'");
        assertThatThrownBy(() -> CloudMain.checkOptions(new String[] {"--workers"}))
                .hasMessage("--workers needs a value");
        assertThatThrownBy(() -> CloudMain.checkOptions(new String[] {"--services", "--no-verify"}))
                .hasMessage("--services needs a value");
    }
}
