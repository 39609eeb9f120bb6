package io.speedling.openstack.components;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

class KeystoneTest {

    /** Python's own parser reads the bootstrap script as the node gets it (Java's escapes applied). */
    @Test
    void bootstrapScriptIsValidPython() throws Exception {
        Process p = new ProcessBuilder(List.of("python3", "-c",
                "import ast, sys; ast.parse(sys.stdin.read()); print('parsed')")).redirectErrorStream(true).start();
        p.getOutputStream().write(Keystone.BOOTSTRAP.getBytes(StandardCharsets.UTF_8));
        p.getOutputStream().close();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor()).as(out).isZero();
        assertThat(out).contains("parsed");
    }

    /** Quotes and backslashes in a value cannot end the SQL string the script builds. */
    @Test
    void bootstrapQuotesSqlValues() throws Exception {
        String q = Keystone.BOOTSTRAP.lines().takeWhile(l -> !l.startsWith("def sql")).reduce("", (a, b) -> a + b
                + "\n");
        Process p = new ProcessBuilder(List.of("python3", "-c", q + "import sys; print(q(sys.argv[1]))",
                "Region'One\\")).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
        assertThat(p.waitFor()).as(out).isZero();
        assertThat(out).isEqualTo("'Region''One\\\\'");
    }
}
