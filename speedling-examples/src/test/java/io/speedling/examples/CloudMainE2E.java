package io.speedling.examples;

import static org.assertj.core.api.Assertions.assertThat;

import io.speedling.virt.nodes.NspawnProvider;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The main job's command line killed hard in the middle of a deploy, and run again. Slice 244 is its own. */
@Timeout(value = 20, unit = TimeUnit.MINUTES)
class CloudMainE2E {
    private static final String NAME = "killed-e2e";
    private static final int SLICE = 244;
    private static final Path SSH_CONFIG = NspawnProvider.create().stateDir().resolve("slice-" + SLICE)
            .resolve("ssh_config");

    private static Process cloud(Path out, String... more) throws Exception {
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp", System.getProperty("java.class.path"), CloudMain.class.getName(), "--name", NAME, "--slice",
                String.valueOf(SLICE)));
        cmd.addAll(List.of(more));
        return new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(out.toFile()).start();
    }

    @Test
    void aCliKilledDuringTheDbSyncsLeavesNothingRunningOnTheNodeAndTheNextRunCompletes() throws Exception {
        Path log = Files.createTempFile("killed-cloud", ".out");
        try {
            Process p = cloud(log, "--services", "keystone,glance", "--no-verify");
            String out = "";
            // the db syncs start right after the schemas are loaded
            for (int i = 0; i < 2400 && p.isAlive() && !out.contains("ok      mariadb.schemas"); i++) {
                Thread.sleep(100);
                out = Files.readString(log, StandardCharsets.UTF_8);
            }
            assertThat(out).as("the first run's output").contains("ok      mariadb.schemas");
            p.destroyForcibly();  // SIGKILL: no shutdown hook, no goodbye to the agent
            p.waitFor(30, TimeUnit.SECONDS);
            System.out.println(Files.readString(log, StandardCharsets.UTF_8));

            // the agent sees its controller gone and stops what it started; nothing of the killed run goes on
            String left = "";
            for (int i = 0; i < 30; i++) {
                left = ssh("pgrep -af '[A]gentMain|[d]b_sync|[d]b sync' || true");  // [x] keeps the shell itself out
                if (left.isBlank()) {
                    break;
                }
                Thread.sleep(1000);
            }
            assertThat(left).as("processes of the killed run still on the node").isBlank();

            Process again = cloud(log, "--services", "keystone,glance");
            assertThat(again.waitFor(15, TimeUnit.MINUTES)).isTrue();
            String second = Files.readString(log, StandardCharsets.UTF_8);
            System.out.println(second);
            assertThat(again.exitValue()).as(second).isZero();
            assertThat(second).contains("cloud-ready name=" + NAME);
        } finally {
            Process wipe = cloud(log, "--wipe");
            wipe.waitFor(5, TimeUnit.MINUTES);
            assertThat(Files.readString(log, StandardCharsets.UTF_8)).contains("cloud-wiped name=" + NAME);
            Files.deleteIfExists(log);
        }
    }

    private static String ssh(String command) throws Exception {
        Process p = new ProcessBuilder("ssh", "-F", SSH_CONFIG.toString(), "controller-01", command)
                .redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        p.waitFor(30, TimeUnit.SECONDS);
        return out.strip();
    }
}
