package io.speedling.examples;

import java.net.URI;
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

/**
 * Compiles usage examples from the documentation against the current API: each block becomes the
 * body of a method (classes and records in it become local ones) in a class that imports every
 * speedling package and extends {@link #CONTEXT}, whose fields are the names the prose around the
 * examples supplies ({@code fleet}, {@code node}, {@code key}, ...). A renamed method or a changed
 * signature fails with the document and line of the example.
 */
final class JavaSnippets {
    private JavaSnippets() {
    }

    /** An example: where it is (file and the line of its first code line) and its code. */
    record Block(String file, int line, String code) {
    }

    static final String IMPORTS = String.join("\n",
            "import static org.assertj.core.api.Assertions.*;",
            "import io.speedling.core.*;", "import io.speedling.core.functions.*;", "import io.speedling.core.tasks.*;",
            "import io.speedling.openstack.*;", "import io.speedling.openstack.components.*;",
            "import io.speedling.openstack.junit.*;", "import io.speedling.virt.*;", "import io.speedling.virt.image.*;",
            "import io.speedling.virt.nodes.*;", "import io.speedling.examples.*;",
            "import java.nio.file.*;", "import java.time.*;", "import java.util.*;", "import java.util.concurrent.*;",
            "import org.junit.jupiter.api.Test;", "import org.openstack4j.api.OSClient.OSClientV3;",
            "import org.openstack4j.model.common.Identifier;", "import org.openstack4j.openstack.OSFactory;", "");

    /** The names examples use without declaring them. */
    static final String CONTEXT = "SnippetContext";

    private static final String CONTEXT_SOURCE = IMPORTS + "@SuppressWarnings(\"unused\")\nabstract class " + CONTEXT
            + " {\n"
            + "    Path key; Path dir; Node node; Fleet fleet; Task<Void> memcached; RunReport report; Deploy d;\n"
            + "    static final class MyFunctions { }\n"
            + "}\n";

    /** The compiler's errors, each as "file:line: message" pointing into the document. */
    static List<String> errors(List<Block> blocks, Path out) {
        List<JavaFileObject> sources = new ArrayList<>();
        sources.add(source(CONTEXT, CONTEXT_SOURCE));
        int header = IMPORTS.split("\n").length + 3;
        for (int i = 0; i < blocks.size(); i++) {
            Block b = blocks.get(i);
            sources.add(source("Example" + i, IMPORTS + "class Example" + i + " extends " + CONTEXT + " {\n"
                    + "    @SuppressWarnings(\"unused\")\n"
                    + "    void example() throws Exception {\n"
                    + b.code() + "    }\n}\n"));
        }
        JavaCompiler javac = ToolProvider.getSystemJavaCompiler();
        if (javac == null) {
            throw new IllegalStateException("no Java compiler: the tests run on a JDK");
        }
        DiagnosticCollector<JavaFileObject> found = new DiagnosticCollector<>();
        javac.getTask(null, null, found, List.of("-proc:none", "-d", out.toString(), "-classpath",
                System.getProperty("java.class.path")), null, sources).call();
        List<String> errors = new ArrayList<>();
        for (Diagnostic<? extends JavaFileObject> d : found.getDiagnostics()) {
            if (d.getKind() != Diagnostic.Kind.ERROR) {
                continue;
            }
            String name = d.getSource() == null ? "?" : d.getSource().getName();
            String digits = name.replaceAll("\\D", "");
            if (digits.isEmpty()) {
                errors.add(name + ":" + d.getLineNumber() + ": " + d.getMessage(Locale.ROOT));
                continue;
            }
            Block b = blocks.get(Integer.parseInt(digits));
            errors.add(b.file() + ":" + (b.line() + d.getLineNumber() - header - 1) + ": " + d.getMessage(Locale.ROOT));
        }
        return errors;
    }

    private static JavaFileObject source(String name, String text) {
        return new SimpleJavaFileObject(URI.create("string:///" + name + ".java"),
                JavaFileObject.Kind.SOURCE) {
            @Override
            public CharSequence getCharContent(boolean ignoreEncodingErrors) {
                return text;
            }
        };
    }
}
