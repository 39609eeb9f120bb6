package io.speedling.examples;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.File;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import javax.tools.Diagnostic;
import javax.tools.DiagnosticCollector;
import javax.tools.JavaCompiler;
import javax.tools.JavaFileObject;
import javax.tools.SimpleJavaFileObject;
import javax.tools.ToolProvider;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The README's Java examples compile against the current API: each {@code .. code:: java} block
 * becomes the body of a method (classes and records in it become local ones) with the
 * speedling packages imported and the few names the prose supplies declared ({@code key},
 * {@code node}, {@code memcached}). A renamed method or a changed signature fails here, naming
 * the README line.
 */
class ReadmeSnippetsTest {
    private static final String IMPORTS = String.join("\n",
            "import static org.assertj.core.api.Assertions.*;",
            "import io.speedling.core.*;", "import io.speedling.core.functions.*;", "import io.speedling.core.tasks.*;",
            "import io.speedling.openstack.*;", "import io.speedling.openstack.components.*;",
            "import io.speedling.openstack.junit.*;", "import io.speedling.virt.image.*;",
            "import io.speedling.virt.nodes.*;", "import io.speedling.examples.*;",
            "import java.nio.file.*;", "import java.util.*;", "import java.util.concurrent.*;",
            "import org.junit.jupiter.api.Test;", "import org.openstack4j.api.OSClient.OSClientV3;",
            "import org.openstack4j.model.common.Identifier;", "import org.openstack4j.openstack.OSFactory;", "");

    /** A block of the README: its first line number and its text. */
    record Block(int line, String code) {
    }

    static List<Block> javaBlocks(List<String> lines) {
        List<Block> out = new ArrayList<>();
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
            out.add(new Block(start + 1, code.toString()));
            i = j - 1;
        }
        return out;
    }

    @Test
    void everyJavaExampleInTheReadmeCompiles(@TempDir Path out) throws IOException {
        Path readme = Path.of("..", "README.rst");
        List<Block> blocks = javaBlocks(Files.readAllLines(readme));
        assertThat(blocks).as("java blocks in " + readme).hasSizeGreaterThanOrEqualTo(5);
        List<JavaFileObject> sources = new ArrayList<>();
        for (Block b : blocks) {
            String name = "ReadmeLine" + b.line();
            String src = IMPORTS + "class " + name + " {\n"
                    + "    @SuppressWarnings(\"unused\")\n"
                    + "    void example(Path key, Node node, Task<Void> memcached) throws Exception {\n"
                    + b.code() + "    }\n}\n";
            sources.add(new SimpleJavaFileObject(URI.create("string:///" + name + ".java"), JavaFileObject.Kind.SOURCE) {
                @Override
                public CharSequence getCharContent(boolean ignoreEncodingErrors) {
                    return src;
                }
            });
        }
        JavaCompiler javac = ToolProvider.getSystemJavaCompiler();
        assertThat(javac).as("a JDK's compiler (the tests run on a JDK)").isNotNull();
        DiagnosticCollector<JavaFileObject> found = new DiagnosticCollector<>();
        boolean ok = javac.getTask(null, null, found, List.of("-proc:none", "-d", out.toString(), "-classpath",
                System.getProperty("java.class.path")), null, sources).call();
        List<String> errors = new ArrayList<>();
        for (Diagnostic<? extends JavaFileObject> d : found.getDiagnostics()) {
            if (d.getKind() == Diagnostic.Kind.ERROR) {
                String file = d.getSource() == null ? "?" : d.getSource().getName();
                int readmeLine = Integer.parseInt(file.replaceAll("\\D", "")) + (int) d.getLineNumber()
                        - IMPORTS.split("\n").length - 4;
                errors.add("README.rst:" + readmeLine + ": " + d.getMessage(Locale.ROOT));
            }
        }
        assertThat(errors).as("README examples that do not compile" + File.separator).isEmpty();
        assertThat(ok).isTrue();
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
