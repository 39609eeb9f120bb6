package io.speedling.examples;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.speedling.openstack.CloudSpec;
import org.junit.jupiter.api.Test;

class CloudMainTest {
    @Test
    void theDocumentedOptionsPass() {
        assertThatCode(() -> CloudMain.checkOptions(new String[] {"--name", "lab", "--slice", "3", "--services",
                "keystone,glance", "--workers", "1", "--config", "worker-01:/etc/nova/nova.conf:DEFAULT.debug=true",
                "--config", "controller-01:/etc/a.conf:s.k=v", "--compute-driver", "libvirt", "--no-verify", "--storage", "2",
                "--tempest", "smoke", "--release", "zed"}))
                .doesNotThrowAnyException();
        assertThatCode(() -> CloudMain.checkOptions(new String[] {"--wipe", "--name", "lab"}))
                .doesNotThrowAnyException();
        assertThatCode(() -> CloudMain.checkOptions(new String[0])).doesNotThrowAnyException();
    }

    @Test
    void aTypoOrAMissingValueIsRefusedNotDropped() {
        assertThatThrownBy(() -> CloudMain.checkOptions(new String[] {"--worker", "1"}))
                .hasMessageStartingWith("unknown option '--worker'; the options are [--compute-driver, --config, "
                        + "--controllers, --hosts, --name, --provider, --release, --services, --slice, --storage, --tempest, --workers] "
                        + "(each with a "
                        + "value) and [--bare, --help, --no-verify, --trust-new-hosts, --wipe]");
        assertThatThrownBy(() -> CloudMain.checkOptions(new String[] {"--name", "lab", "extra"}))
                .hasMessageStartingWith("unexpected argument 'extra'");
        assertThatThrownBy(() -> CloudMain.checkOptions(new String[] {"--workers"}))
                .hasMessage("--workers needs a value");
        assertThatThrownBy(() -> CloudMain.checkOptions(new String[] {"--services", "--no-verify"}))
                .hasMessage("--services needs a value");
    }

    @Test
    void aNameThatIsNotACloudNameIsRefusedBeforeAnyWork() {
        // a wipe with such a name once removed a directory beside the clouds' state directories
        for (String bad : new String[] {"../some-dir", "", "Foo", "a/b", "..", "-x", "x".repeat(40)}) {
            assertThatThrownBy(() -> CloudMain.cloudOf(CloudMain.checkOptions(new String[] {"--wipe", "--name", bad})))
                    .as(bad).isInstanceOf(IllegalArgumentException.class)
                    .hasMessageStartingWith("--name: cloud name '" + bad + "' must be 1-31 lower-case letters");
        }
    }

    @Test
    void aSliceOutsideThePoolsIsRefusedBeforeAnyWork() {
        for (String bad : new String[] {"300", "256", "-1", "1x", "0x1"}) {
            assertThatThrownBy(() -> CloudMain.cloudOf(CloudMain.checkOptions(new String[] {"--slice", bad})))
                    .as(bad).hasMessage("--slice " + bad + " is not a slice: give a number 0-255");
        }
    }

    @Test
    void anOptionGivenTwiceIsRefusedOnlyConfigRepeats() {
        assertThatThrownBy(() -> CloudMain.checkOptions(new String[] {"--name", "a", "--name", "b"}))
                .hasMessage("--name is given twice; give it once");
        assertThatThrownBy(() -> CloudMain.checkOptions(new String[] {"--no-verify", "--no-verify"}))
                .hasMessage("--no-verify is given twice; give it once");
        assertThat(CloudMain.checkOptions(new String[] {"--config", "controller-01:/etc/a.conf:s.k=v", "--config",
                "controller-01:/etc/a.conf:s.j=w"}).get("--config")).hasSize(2);
    }

    @Test
    void aWipeRefusesWhatItWouldIgnore() {
        assertThatThrownBy(() -> CloudMain.checkOptions(new String[] {"--wipe", "--workers", "2"}))
                .hasMessage("--workers has no meaning with --wipe (a wipe removes the whole cloud of --name on "
                        + "--slice); leave it out");
        assertThatCode(() -> CloudMain.cloudOf(CloudMain.checkOptions(new String[] {"--wipe", "--name", "lab",
                "--slice", "7"}))).doesNotThrowAnyException();
    }

    @Test
    void everyValueIsCheckedBeforeTheImage() {
        assertThatThrownBy(() -> CloudMain.cloudOf(CloudMain.checkOptions(new String[] {"--services", "keystone,"})))
                .hasMessageStartingWith("unknown service ''");
        assertThatThrownBy(() -> CloudMain.cloudOf(CloudMain.checkOptions(new String[] {"--workers", "9"})))
                .hasMessageStartingWith("workers 9 is out of range");
        assertThatThrownBy(() -> CloudMain.cloudOf(CloudMain.checkOptions(new String[] {"--controllers", "2"})))
                .hasMessageStartingWith("controllers 2 is not possible: give 1, 3 or 5");
        assertThatThrownBy(() -> CloudMain.cloudOf(CloudMain.checkOptions(new String[] {"--controllers", "three"})))
                .hasMessage("--controllers three is not a number: give 1, 3 or 5");
        assertThat(CloudMain.cloudOf(CloudMain.checkOptions(new String[] {"--controllers", "3", "--workers", "1"}))
                .topology()).isEqualTo("3 controllers+1 workers");
        assertThatThrownBy(() -> CloudMain.cloudOf(CloudMain.checkOptions(new String[] {"--compute-driver", "xen"})))
                .hasMessageContaining("xen");
        assertThatThrownBy(() -> CloudMain.cloudOf(CloudMain.checkOptions(new String[] {"--release", "2024.2"})))
                .hasMessageStartingWith("--release: unknown OpenStack release '2024.2'").hasMessageContaining("zed, 2025.1, 2026.1");
        assertThat(CloudMain.cloudOf(CloudMain.checkOptions(new String[] {"--release", "2025.1",
                "--controllers", "3"})).topology()).isEqualTo("3 controllers");
        assertThatThrownBy(() -> CloudMain.cloudOf(CloudMain.checkOptions(new String[] {"--release", "2026.1",
                "--compute-driver", "libvirt"}))).hasMessageContaining("not built for OpenStack 2026.1");
        assertThat(CloudMain.cloudOf(CloudMain.checkOptions(new String[] {"--release", "trixie"})).release().id())
                .isEqualTo("2025.1");
        assertThatThrownBy(() -> CloudMain.cloudOf(CloudMain.checkOptions(new String[] {"--provider", "qemu"})))
                .hasMessageStartingWith("--provider: unknown node provider 'qemu'");
        assertThat(CloudMain.cloudOf(CloudMain.checkOptions(new String[] {"--provider", "libvirt"})).provider())
                .isEqualTo(io.speedling.openstack.Provider.LIBVIRT);
        assertThat(CloudMain.cloudOf(CloudMain.checkOptions(new String[] {"--wipe", "--provider", "libvirt"})).provider())
                .isEqualTo(io.speedling.openstack.Provider.LIBVIRT);
    }

    @Test
    void hostsComeFromAFileAndRefuseTheOptionsOfBootedNodes(@org.junit.jupiter.api.io.TempDir java.nio.file.Path tmp)
            throws Exception {
        java.nio.file.Path file = java.nio.file.Files.writeString(tmp.resolve("lab.json"), """
                { "hosts": [ { "name": "aio", "address": "10.0.0.1", "roles": ["controller", "compute"] } ] }""");
        CloudSpec spec = CloudMain.cloudOf(CloudMain.checkOptions(new String[] {"--hosts", file.toString(),
            "--trust-new-hosts", "--services", "keystone"}));
        assertThat(spec.hosts().hostKeyPolicy()).isEqualTo(io.speedling.core.HostKeyPolicy.TRUST_ON_FIRST_USE);
        assertThat(spec.inventory().nodes()).containsExactly("aio");
        assertThatThrownBy(() -> CloudMain.cloudOf(CloudMain.checkOptions(new String[] {"--hosts", file.toString(),
            "--workers", "2"}))).hasMessageContaining("--workers has no meaning with --hosts");
        assertThatThrownBy(() -> CloudMain.cloudOf(CloudMain.checkOptions(new String[] {"--hosts", file.toString(),
            "--provider", "libvirt"}))).hasMessageContaining("--provider has no meaning with --hosts");
        assertThatThrownBy(() -> CloudMain.cloudOf(CloudMain.checkOptions(new String[] {"--trust-new-hosts"})))
                .hasMessageContaining("give that too");
        assertThatThrownBy(() -> CloudMain.cloudOf(CloudMain.checkOptions(new String[] {"--hosts",
            tmp.resolve("none.json").toString()}))).hasMessageContaining("cannot read the hosts file");
        assertThatCode(() -> CloudMain.cloudOf(CloudMain.checkOptions(new String[] {"--wipe", "--hosts",
            file.toString(), "--name", "lab"}))).doesNotThrowAnyException();
    }
}
