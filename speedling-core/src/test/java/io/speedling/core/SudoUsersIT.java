package io.speedling.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.speedling.core.TestFunctions.WhoAmI;
import io.speedling.core.testing.LoopbackSshd;
import io.speedling.core.testing.LoopbackSshd.ClientKey;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Logging in as users other than root: one with passwordless sudo, one without. The
 * users and the sudoers drop-in are this test's own (named speedling-it-*), created
 * here and removed afterwards, including leftovers of an earlier killed run.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class SudoUsersIT {
    static final String SUDOER = "speedling-it-sudo";
    static final String PLAIN = "speedling-it-plain";
    static final Path DROP_IN = Path.of("/etc/sudoers.d/speedling-it");
    static Path work;
    static LoopbackSshd sshd;

    @BeforeAll
    static void setUp() throws Exception {
        org.junit.jupiter.api.Assumptions.assumeTrue(LoopbackSshd.hostProblem().isEmpty(),
                () -> LoopbackSshd.hostProblem().orElse(""));
        org.junit.jupiter.api.Assumptions.assumeTrue(Files.isDirectory(Path.of("/etc/sudoers.d")) && Files.isExecutable(
                Path.of("/usr/sbin/useradd")), "needs sudo (/etc/sudoers.d) and useradd to make its own users");
        removeUsers();
        work = Files.createTempDirectory("speedling-sudo-it-");
        for (String u : List.of(SUDOER, PLAIN)) {
            // '*' instead of the default locked '!': sshd refuses key logins to locked accounts
            sh("useradd", "--create-home", "--shell", "/bin/sh", "--password", "*", u);
        }
        Files.writeString(DROP_IN, SUDOER + " ALL=(ALL) NOPASSWD: ALL\n");
        sh("chmod", "0440", DROP_IN.toString());
        sshd = LoopbackSshd.start("127.0.0.3", ClientKey.generate(work));
    }

    @AfterAll
    static void tearDown() throws Exception {
        if (work == null) {
            return;  // skipped before it made anything
        }
        if (sshd != null) {
            sshd.close();
        }
        removeUsers();
        if (work != null) {
            try (Stream<Path> w = Files.walk(work)) {
                w.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
    }

    private static void removeUsers() throws Exception {
        Files.deleteIfExists(DROP_IN);
        for (String u : List.of(SUDOER, PLAIN)) {
            // userdel exits 8 while a process of the user is still ending
            for (int i = 0; i < 50 && new ProcessBuilder("id", u).start().waitFor() == 0; i++) {
                if (new ProcessBuilder("userdel", "--remove", u).start().waitFor() != 8) {
                    break;
                }
                Thread.sleep(100);
            }
            assertThat(new ProcessBuilder("id", u).start().waitFor()).as("user " + u + " removed").isNotZero();
        }
    }

    private static void sh(String... argv) throws Exception {
        Process p = new ProcessBuilder(argv).inheritIO().start();
        assertThat(p.waitFor()).as(String.join(" ", argv)).isZero();
    }

    private Fleet.Builder fleetAs(String user, boolean sudo) {
        return Fleet.builder().stateDir(work.resolve("state")).hostKeys(HostKeyPolicy.TRUST_ON_FIRST_USE)
                .ship(SudoUsersIT.class)
                .node(NodeSpec.ssh("u", sshd.target().user(user).sudo(sudo)));
    }

    @Test
    void aUserWithPasswordlessSudoGetsARootAgent() {
        try (Fleet f = fleetAs(SUDOER, true).connect()) {
            assertThat(f.node("u").call(new WhoAmI())).containsEntry("uid", "0");
        }
    }

    @Test
    void aUserWithoutPasswordlessSudoIsToldWhatToDo() {
        assertThatThrownBy(() -> fleetAs(PLAIN, true).connect())
                .isInstanceOfSatisfying(FanOutException.class, e -> assertThat(e.failures().get("u"))
                        .isInstanceOf(NodeConnectException.class)
                        .hasMessageContaining("node u")
                        .hasMessageContaining("user " + PLAIN + " cannot run the agent as root with 'sudo -n'")
                        .hasMessageContaining("NOPASSWD")
                        .hasMessageContaining("SshTarget.sudo(false)"));
    }

    @Test
    void withoutSudoTheAgentRunsAsTheLoginUser() {
        try (Fleet f = fleetAs(PLAIN, false).connect()) {
            assertThat(f.node("u").call(new WhoAmI()).get("uid")).isNotEqualTo("0");
        }
    }
}
