package io.speedling.openstack.components;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class TempestTest {
    @Test
    void subunitTraceLinesAreCountedWithTheSkipReasons() {
        String out = """
                {0} tempest.api.identity.v3.test_tokens.TokensV3Test.test_create_token[id-6f8e4436,smoke] [0.512s] ... ok
                {1} setUpClass (tempest.api.volume.test_backup.VolumesBackupsTest) ... SKIPPED: Cinder backup feature disabled
                {1} tempest.api.compute.servers.test_x.X.test_y[id-1,smoke] [3.1s] ... FAILED
                {0} tempest.api.network.test_ports.PortsTest.test_list_ports[id-2,smoke] [0.2s] ... ok
                some other line ... ok maybe
                ======
                Totals
                """;
        Tempest.Result r = Tempest.parse(out, 1.5);
        assertThat(r.passed()).isEqualTo(2);
        assertThat(r.failed()).containsExactly("tempest.api.compute.servers.test_x.X.test_y[id-1,smoke]");
        assertThat(r.skipped()).containsEntry("setUpClass (tempest.api.volume.test_backup.VolumesBackupsTest)",
                "Cinder backup feature disabled");
        assertThat(r.ok()).isFalse();
        assertThat(Tempest.parse("", 0).ok()).as("a run that ran nothing did not pass").isFalse();
    }

    @Test
    void theSummaryHasTheCountsEachFailureAndEachSkipAndTheDetailsHaveTheTraceback() {
        String out = """
                {1} tempest.api.compute.servers.test_x.X.test_y[id-1,smoke] [3.1s] ... FAILED

                Captured traceback:
                ~~~~~~~~~~~~~~~~~~~
                    Traceback (most recent call last):
                    AssertionError: 404 != 200
                {0} tempest.api.network.test_ports.PortsTest.test_list_ports[id-2,smoke] [0.2s] ... ok
                {1} setUpClass (tempest.api.volume.test_backup.VolumesBackupsTest) ... SKIPPED: backup disabled
                """;
        Tempest.Result r = Tempest.parse(out, 12.4);
        assertThat(r.summary()).isEqualTo("""
                1 passed, 1 failed, 1 skipped in 12 s
                failed: tempest.api.compute.servers.test_x.X.test_y[id-1,smoke]
                skipped: setUpClass (tempest.api.volume.test_backup.VolumesBackupsTest): backup disabled""");
        assertThat(r.failureDetails()).startsWith("tempest.api.compute.servers.test_x.X.test_y[id-1,smoke]\n")
                .contains("AssertionError: 404 != 200").doesNotContain("test_list_ports");
    }

    @Test
    void aSelectionIsSmokeOrARegexOnOneLine() {
        Tempest t = io.speedling.openstack.ServiceRegistry.builtIn().components(java.util.List.of("tempest"), "fake",
                io.speedling.openstack.Release.ZED)
                .stream().filter(Tempest.class::isInstance).map(Tempest.class::cast).findFirst().orElseThrow();
        assertThat(t.toBuilder().selection("smoke").build().selection()).isEqualTo("smoke");
        assertThat(t.selection()).isNull();
        assertThatThrownBy(() -> t.toBuilder().selection(" ").build())
                .hasMessageStartingWith("Tempest selection ' ': give \"smoke\"");
        assertThatThrownBy(() -> t.toBuilder().selection("a\nb").build()).hasMessageContaining("on one line");
    }

    @Test
    void onLaterReleasesTheCredentialUpdateTheirKeystoneRefusesIsExcludedWithItsReason() {
        assertThat(Tempest.excludedOn(io.speedling.openstack.Release.ZED)).isEmpty();
        String epoxy = Tempest.excludedOn(io.speedling.openstack.Release.EPOXY);
        assertThat(epoxy).contains("# Tempest 43 updates a credential's project_id and type")
                .contains("CredentialsTestJSON\\.test_credentials_create_get_update_delete");
        assertThat(java.util.regex.Pattern.compile(epoxy.lines().filter(l -> l.startsWith("^")).findFirst()
                .orElseThrow()).matcher("tempest.api.identity.admin.v3.test_credentials.CredentialsTestJSON"
                + ".test_credentials_create_get_update_delete[id-7cd59bf9-bda4-4c72-9467-d21cab278355,smoke]").find())
                .isTrue();
    }
}
