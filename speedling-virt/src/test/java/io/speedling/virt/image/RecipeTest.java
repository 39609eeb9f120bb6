package io.speedling.virt.image;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.speedling.virt.HostTool;
import io.speedling.virt.MissingHostToolException;
import java.net.URI;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class RecipeTest {
    static final Recipe BASE = Recipe.debootstrap("bookworm").include("openssh-server", "sudo");

    @Test
    void keysDependOnInputsOnly() {
        Recipe a = BASE.packages("curl").script("x", "echo one");
        Recipe b = BASE.packages("curl").script("renamed", "echo one");
        assertThat(a.keys()).isEqualTo(b.keys()).hasSize(3);
        assertThat(a.keys()).allMatch(k -> k.matches("[0-9a-f]{64}"));
        assertThat(a.keys()).doesNotHaveDuplicates();
    }

    @Test
    void aChangedLayerChangesItselfAndItsChildrenButNotItsParents() {
        Recipe a = BASE.packages("curl").script("x", "echo one").files("f", Map.of("/etc/x", "1"), 0644);
        Recipe b = BASE.packages("curl").script("x", "echo two").files("f", Map.of("/etc/x", "1"), 0644);
        assertThat(b.keys().subList(0, 2)).isEqualTo(a.keys().subList(0, 2));
        assertThat(b.keys().get(2)).isNotEqualTo(a.keys().get(2));
        assertThat(b.keys().get(3)).isNotEqualTo(a.keys().get(3));
    }

    @Test
    void everyBaseInputIsPartOfTheKey() {
        String k = BASE.key();
        assertThat(BASE.mirror("http://127.0.0.1/debian").key()).isNotEqualTo(k);
        assertThat(BASE.include("curl").key()).isNotEqualTo(k);
        assertThat(BASE.variant("buildd").key()).isNotEqualTo(k);
        assertThat(BASE.mmdebstrap().key()).isNotEqualTo(k);
        assertThat(Recipe.debootstrap("trixie").include("openssh-server", "sudo").key()).isNotEqualTo(k);
        assertThat(BASE.components("main", "contrib").key()).isNotEqualTo(k);
    }

    @Test
    void fileModesAndContentsArePartOfTheKey() {
        String k = BASE.files("f", Map.of("/etc/x", "1"), 0644).key();
        assertThat(BASE.files("f", Map.of("/etc/x", "1"), 0600).key()).isNotEqualTo(k);
        assertThat(BASE.files("f", Map.of("/etc/x", "2"), 0644).key()).isNotEqualTo(k);
        assertThat(BASE.files("f", Map.of("/etc/y", "1"), 0644).key()).isNotEqualTo(k);
    }

    @Test
    void packageOrderDoesNotMatter() {
        assertThat(BASE.packages("curl", "vim", "curl").key()).isEqualTo(BASE.packages("vim", "curl").key());
    }

    @Test
    void lengthPrefixingKeepsAdjacentInputsApart() {
        assertThat(BASE.packages("ab", "cde").key()).isNotEqualTo(BASE.packages("abc", "de").key());
    }

    @Test
    void archiveKeyIsItsChecksum() {
        String sha = "a".repeat(64);
        assertThat(Recipe.archive(URI.create("http://127.0.0.1/a.tar"), sha).key())
                .isEqualTo(Recipe.archive(URI.create("file:///srv/a.tar"), sha).key());
    }

    @Test
    void badInputIsNamed() {
        assertThatThrownBy(() -> Recipe.debootstrap("Bookworm Stable"))
                .hasMessageContaining("'Bookworm Stable' is not a Debian suite name");
        assertThatThrownBy(() -> BASE.packages("curl; rm -rf /"))
                .hasMessageContaining("'curl; rm -rf /' is not a Debian package name");
        assertThatThrownBy(() -> BASE.mirror("ftp.debian.org"))
                .hasMessageContaining("mirror 'ftp.debian.org' is not an http, https or file URL");
        assertThatThrownBy(() -> Recipe.archive(URI.create("file:///x.tar"), "1234"))
                .hasMessageContaining("sha256 '1234'").hasMessageContaining("64 hex digits");
        assertThatThrownBy(() -> BASE.files("f", Map.of("etc/x", "1"), 0644))
                .hasMessageContaining("'etc/x' must be absolute");
        assertThatThrownBy(() -> BASE.files("f", Map.of("/etc/../x", "1"), 0644))
                .hasMessageContaining("'..'");
        assertThatThrownBy(() -> BASE.packages("curl").include("vim"))
                .hasMessageContaining("set base options before adding layers");
        assertThatThrownBy(() -> Recipe.of(List.of(new Step.Script("s", "true"))))
                .hasMessageContaining("starts with a base layer");
        assertThatThrownBy(() -> BASE.script("big", "x".repeat(130 * 1024)))
                .hasMessageContaining("script 'big' is larger than");
    }

    @Test
    void missingToolNamesItsPackage() {
        assertThat(new MissingHostToolException(HostTool.SYSTEMD_NSPAWN).getMessage())
                .isEqualTo("systemd-nspawn is not installed on this host: install the Debian package "
                        + "'systemd-container' (apt-get install systemd-container)");
    }

    @Test
    void packagesScriptKeepsServicesFromStarting() {
        String s = LayerBuilder.packagesScript(new Step.Packages(List.of("mariadb-server"),
                "mariadb-server mysql-server/root_password password x"));
        assertThat(s).contains("exit 101").contains("trap 'rm -f /usr/sbin/policy-rc.d; speedling_py3compile_restore' EXIT")
                .contains("debconf-set-selections").contains("--no-install-recommends")
                .contains("install mariadb-server");
        assertThat(s).doesNotContain("sources.list.d/speedling-").contains("if ! ls /var/lib/apt/lists");
        // Python is compiled once, after the packages (their own py3compile calls are stubbed meanwhile)
        assertThat(s.indexOf("--add /usr/bin/py3compile")).isLessThan(s.indexOf("install mariadb-server"));
        assertThat(s.indexOf("compileall")).isGreaterThan(s.indexOf("install mariadb-server"))
                .isLessThan(s.indexOf("apt-get clean"));
    }

    @Test
    void onlyTheMovingSuitesAcceptAnExpiredReleaseFile() {
        assertThat(((Step.Debootstrap) Recipes.base("forky").steps().get(0)).rolling()).isTrue();
        assertThat(((Step.Debootstrap) Recipes.base("sid").steps().get(0)).rolling()).isTrue();
        assertThat(((Step.Debootstrap) Recipes.base("trixie").steps().get(0)).rolling()).isFalse();
        assertThat(((Step.Debootstrap) Recipes.base("bookworm").steps().get(0)).rolling()).isFalse();
    }

    @Test
    void aPackageFromAnotherSuiteAddsThatSuitePinnedBelowTheImagesOwn() throws Exception {
        Step.Packages p = new Step.Packages(List.of("ovn-host/sid", "openvswitch-switch", "ovn-central/sid"), "");
        assertThat(p.otherSuites()).containsExactly("sid");
        String s = LayerBuilder.packagesScript(p);
        assertThat(s).contains("/etc/apt/sources.list.d/speedling-sid.list")
                .contains("Pin: release n=sid\\nPin-Priority: 100").contains("apt-get -q update\n")
                .contains("install openvswitch-switch ovn-central/sid ovn-host/sid");
        assertThatThrownBy(() -> new Step.Packages(List.of("ovn-host/../x"), "")).hasMessageContaining(
                "is not a Debian package name");
        // the script runs: against a tree whose sources name a mirror, it writes that mirror for the suite
        java.nio.file.Path root = java.nio.file.Files.createTempDirectory("speedling-suite");
        try {
            java.nio.file.Files.createDirectories(root.resolve("etc/apt/sources.list.d"));
            java.nio.file.Files.createDirectories(root.resolve("etc/apt/preferences.d"));
            java.nio.file.Files.writeString(root.resolve("etc/apt/sources.list"), "deb http://mirror.example/debian forky main\n");
            String head = s.substring(s.indexOf("m=$("), s.indexOf("apt-get -q update")).replace("/etc/apt", root + "/etc/apt");
            Process sh = new ProcessBuilder("sh", "-euc", head).redirectErrorStream(true).start();
            assertThat(sh.waitFor()).as(new String(sh.getInputStream().readAllBytes())).isZero();
            assertThat(java.nio.file.Files.readString(root.resolve("etc/apt/sources.list.d/speedling-sid.list")))
                    .isEqualTo("deb http://mirror.example/debian sid main\n");
            assertThat(java.nio.file.Files.readString(root.resolve("etc/apt/preferences.d/speedling-sid")))
                    .isEqualTo("Package: *\nPin: release n=sid\nPin-Priority: 100\n");
        } finally {
            try (var w = java.nio.file.Files.walk(root)) {
                w.sorted(java.util.Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
            }
        }
    }
}
