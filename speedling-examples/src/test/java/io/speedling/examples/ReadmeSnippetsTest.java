package io.speedling.examples;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The README's Java examples compile against the current API (each {@code .. code:: java} block,
 * by {@link JavaSnippets}); a renamed method or a changed signature fails here, naming the README
 * line. Its jshell session shows the addresses its spec derives.
 */
class ReadmeSnippetsTest {
    static List<JavaSnippets.Block> javaBlocks(List<String> lines) {
        List<JavaSnippets.Block> out = new ArrayList<>();
        for (int i = 0; i < lines.size(); i++) {
            if (!lines.get(i).strip().equals(".. code:: java")) {
                continue;
            }
            int start = i + 1;
            while (start < lines.size() && lines.get(start).isBlank()) {
                start++;
            }
            StringBuilder code = new StringBuilder();
            int j = start;
            for (; j < lines.size() && (lines.get(j).isBlank() || lines.get(j).startsWith("   ")); j++) {
                code.append(lines.get(j).isBlank() ? "" : lines.get(j).substring(3)).append('\n');
            }
            out.add(new JavaSnippets.Block("README.rst", start + 1, code.toString()));
            i = j - 1;
        }
        return out;
    }

    @Test
    void everyJavaExampleInTheReadmeCompiles(@TempDir Path out) throws IOException {
        Path readme = Path.of("..", "README.rst");
        List<JavaSnippets.Block> blocks = javaBlocks(Files.readAllLines(readme));
        assertThat(blocks).as("java blocks in " + readme).hasSizeGreaterThanOrEqualTo(5);
        assertThat(JavaSnippets.errors(blocks, out)).as("README examples that do not compile").isEmpty();
    }

    /**
     * The addresses the README's jshell session shows are those of the slice its spec derives from
     * its hash (ExamplesE2E compares them with a real session; this says it in milliseconds when a
     * change of the services or the topology moves the derived slice).
     */
    @Test
    void theJshellSessionShowsTheSliceItsSpecDerives() throws IOException {
        String readme = Files.readString(Path.of("..", "README.rst"));
        String spec = "OpenStackCloud.up(CloudSpec.allInOne().name(\"js\").reuse(true))";
        assertThat(readme).as("the jshell session's spec (change this test with it)").contains(spec);
        int slice = io.speedling.openstack.CloudSpec.allInOne().name("js").reuse(true).sliceOrDerived();
        String session = readme.substring(readme.indexOf(spec), readme.indexOf("cloud.close()", readme.indexOf(spec)));
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("10\\.231\\.(\\d+)\\.").matcher(session);
        List<String> slices = new ArrayList<>();
        while (m.find()) {
            slices.add(m.group(1));
        }
        assertThat(slices).as("slices in the README's jshell session").isNotEmpty().containsOnly(String.valueOf(slice));
    }
}
