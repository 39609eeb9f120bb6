package io.speedling.openstack.components;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SwiftTest {
    @Test
    void threeRingsWithOneDevicePerStorageNodeInOnePythonProcess(@TempDir Path dir) throws Exception {
        String py = Swift.ringScript(List.of("10.0.0.1", "10.0.0.2"), 2);
        assertThat(py.split("b = RingBuilder\\(10, 2, 1\\)", -1)).hasSize(4);
        assertThat(py).contains("'ip': '10.0.0.2', 'port': 6200,", "'ip': '10.0.0.1', 'port': 6202,",
                "b.get_ring().save('object.ring.gz')", "shutil.chown(f, 'swift', 'swift')");
        Path f = Files.writeString(dir.resolve("rings.py"), py, StandardCharsets.UTF_8);
        Process p = new ProcessBuilder("python3", "-c", "import ast, sys; ast.parse(open(sys.argv[1]).read())",
                f.toString()).redirectErrorStream(true).start();
        assertThat(p.waitFor(30, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).as(new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8)).isZero();
    }
}
