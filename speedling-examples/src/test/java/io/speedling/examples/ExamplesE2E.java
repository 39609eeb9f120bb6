package io.speedling.examples;

import static org.assertj.core.api.Assertions.assertThat;

import io.speedling.openstack.Deployer;
import io.speedling.virt.nodes.NspawnProvider;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** The README's plain-Java and jshell examples, run for real. */
class ExamplesE2E {
    private static final Path MODULE = Path.of("").toAbsolutePath();

    @Test
    void aComponentOfTheCallersOwnIsDeployedWithTheBuiltInOnes() {
        String out = CustomComponentExample.run("custom-e2e", 241, List.of("alice", "bob"));
        assertThat(out).isEqualTo("alice: project alice\nbob: project bob\n");
        assertThat(Deployer.defaultStateDir("custom-e2e")).doesNotExist();
    }

    @Test
    void theShortestExampleDeploysUsesAndRemovesACloud() {
        java.io.PrintStream out = System.out;
        java.io.ByteArrayOutputStream buf = new java.io.ByteArrayOutputStream();
        System.setOut(new java.io.PrintStream(buf, true, StandardCharsets.UTF_8));
        try {
            AllInOneExample.main(new String[] {"keystone"});
        } finally {
            System.setOut(out);
        }
        String printed = buf.toString(StandardCharsets.UTF_8);
        out.print(printed);
        assertThat(printed).containsPattern("keystone: +http://10\\.231\\.\\d+\\.10:5000/v3")
                .contains("catalog:     identity").contains("admin:       Credentials[example-admin: admin@admin");
        assertThat(Deployer.defaultStateDir("example")).doesNotExist();
    }

    /** A JVM that ends (here: SIGTERM) while it holds a cloud open removes the cloud on its way out. */
    @Test
    void aCloudLeftOpenIsRemovedWhenItsJvmIsTerminated() throws Exception {
        String name = "held-e2e";
        int slice = 243;
        Path nodes = VIRT_STATE.resolve("slice-" + slice);
        Path log = Files.createTempFile("held-cloud", ".out");
        Process p = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-cp",
                System.getProperty("java.class.path"), HoldsACloud.class.getName(), name, String.valueOf(slice))
                .redirectErrorStream(true).redirectOutput(log.toFile()).start();
        try {
            String out = "";
            for (int i = 0; i < 1200 && p.isAlive() && !out.contains("holding " + name); i++) {
                Thread.sleep(500);
                out = Files.readString(log, StandardCharsets.UTF_8);
            }
            System.out.println(out);
            assertThat(out).as("the program came up").contains("holding " + name + " http://10.231." + slice
                    + ".10:5000/v3");
            assertThat(nodes).isDirectory();
            assertThat(Deployer.defaultStateDir(name)).isDirectory();
            p.destroy();  // SIGTERM: shutdown hooks run
            assertThat(p.waitFor(2, TimeUnit.MINUTES)).as("the program ended").isTrue();
            System.out.println(Files.readString(log, StandardCharsets.UTF_8).substring(out.length()));
            assertThat(Files.readString(log, StandardCharsets.UTF_8)).contains("the JVM ends with cloud " + name
                    + " open: closing it");
            assertThat(nodes).doesNotExist();
            assertThat(Deployer.defaultStateDir(name)).doesNotExist();
        } finally {
            if (p.isAlive()) {
                p.destroyForcibly();
                p.waitFor(1, TimeUnit.MINUTES);
            }
            if (Files.exists(nodes)) {
                NspawnProvider.create().wipe(slice);
            }
            io.speedling.virt.internal.Mounts.removeTree(Deployer.defaultStateDir(name));
            deleteQuietly(log);
        }
    }

    /** Every "jshell> " line of README.rst's session, run by jshell with the module's classpath. */
    @Test
    void theReadmeJshellSessionWorksAsWritten() throws Exception {
        List<String> lines = Files.readAllLines(MODULE.resolveSibling("README.rst"));
        List<String> session = new ArrayList<>();
        List<String> expected = new ArrayList<>();
        for (String l : lines) {
            String s = l.strip();
            if (s.startsWith("jshell> ")) {
                session.add(s.substring("jshell> ".length()));
            } else if (!session.isEmpty() && s.matches("\\$\\d+ ==> \".*\"")) {
                expected.add(s.substring(s.indexOf("==> ") + 4));
            }
        }
        assertThat(session).as("README.rst has a jshell session").hasSizeGreaterThanOrEqualTo(3);
        java.util.Set<String> slicesBefore = listing(VIRT_STATE);
        java.util.Set<String> cloudsBefore = listing(CLOUD_STATE);
        Path script = Files.createTempFile("readme-session", ".jsh");
        Path log = Files.createTempFile("readme-session", ".out");
        try {
            session.add("/exit");
            Files.write(script, session);
            Process p = new ProcessBuilder("jshell", "--feedback", "normal", "--class-path",
                    System.getProperty("java.class.path"), "-R-Dorg.slf4j.simpleLogger.defaultLogLevel=warn",
                    "--startup", "DEFAULT", "--startup", MODULE.resolve("jshell/speedling.jsh").toString())
                    .redirectInput(script.toFile())  // typed in, as a user would: values are echoed
                    .redirectErrorStream(true).redirectOutput(log.toFile()).start();
            if (!p.waitFor(15, TimeUnit.MINUTES)) {
                p.destroyForcibly();
            }
            String out = Files.readString(log, StandardCharsets.UTF_8);
            System.out.println(out);
            assertThat(out).doesNotContain("Exception", "|  Error:");
            for (String e : expected) {
                assertThat(out).contains(e);
            }
        } finally {
            deleteQuietly(script);
            deleteQuietly(log);
            // a session that failed before cloud.close() leaves its node: remove what appeared during the test
            for (String slice : listing(VIRT_STATE)) {
                if (!slicesBefore.contains(slice) && slice.startsWith("slice-")) {
                    NspawnProvider.create().wipe(Integer.parseInt(slice.substring("slice-".length())));
                }
            }
            for (String cloud : listing(CLOUD_STATE)) {
                if (!cloudsBefore.contains(cloud)) {
                    io.speedling.virt.internal.Mounts.removeTree(CLOUD_STATE.resolve(cloud));
                }
            }
        }
    }

    private static final Path VIRT_STATE = Path.of(System.getProperty("user.home"), ".local", "state", "speedling",
            "virt");
    private static final Path CLOUD_STATE = Deployer.defaultStateDir("x").getParent();

    private static java.util.Set<String> listing(Path dir) throws IOException {
        if (!Files.isDirectory(dir)) {
            return java.util.Set.of();
        }
        try (var s = Files.list(dir)) {
            return s.map(p -> p.getFileName().toString()).collect(java.util.stream.Collectors.toSet());
        }
    }

    private static void deleteQuietly(Path p) {
        try {
            Files.deleteIfExists(p);
        } catch (IOException ignored) {
            // a temp file
        }
    }
}
