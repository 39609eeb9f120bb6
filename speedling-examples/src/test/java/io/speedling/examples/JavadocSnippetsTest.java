package io.speedling.examples;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The usage examples in the library's Javadoc compile against the current API: every
 * {@code <pre>{@code ...}</pre>} block of every module's main sources (plain {@code <pre>} blocks
 * are text: usage lines, file layouts), compiled by {@link JavaSnippets}.
 */
class JavadocSnippetsTest {
    /** The {@code <pre>{@code} blocks of one source file, without the comment's leading asterisks. */
    static List<JavaSnippets.Block> blocks(Path top, Path file) throws IOException {
        List<String> lines = Files.readAllLines(file);
        List<JavaSnippets.Block> out = new ArrayList<>();
        for (int i = 0; i < lines.size(); i++) {
            if (!lines.get(i).strip().equals("* <pre>{@code")) {
                continue;
            }
            StringBuilder code = new StringBuilder();
            int j = i + 1;
            for (; j < lines.size() && !lines.get(j).strip().equals("* }</pre>"); j++) {
                code.append(lines.get(j).replaceFirst("^\\s*\\* ?", "")).append('\n');
            }
            out.add(new JavaSnippets.Block(top.relativize(file).toString(), i + 2, code.toString()));
            i = j;
        }
        return out;
    }

    @Test
    void everyJavaExampleInTheJavadocCompiles(@TempDir Path out) throws IOException {
        Path top = Path.of("..").toAbsolutePath().normalize();
        List<JavaSnippets.Block> blocks = new ArrayList<>();
        for (String module : List.of("speedling-core", "speedling-virt", "speedling-openstack", "speedling-examples")) {
            try (Stream<Path> files = Files.walk(top.resolve(module).resolve("src/main/java"))) {
                for (Path f : files.filter(p -> p.toString().endsWith(".java")).sorted().toList()) {
                    blocks.addAll(blocks(top, f));
                }
            }
        }
        assertThat(blocks).as("Java examples in the Javadoc").hasSizeGreaterThanOrEqualTo(20);
        assertThat(JavaSnippets.errors(blocks, out)).as("Javadoc examples that do not compile").isEmpty();
    }
}
