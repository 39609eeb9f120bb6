package io.speedling.openstack;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class OpenStackImageTest {
    /** nova-compute's unit as Debian 13's package ships it (openstack-pkg-tools 138). */
    private static final String TRIXIE_NOVA_COMPUTE = """
            [Unit]
            Description=OpenStack Nova Compute (nova-compute)
            After=libvirtd.service postgresql.service mysql.service keystone.service rabbitmq-server.service ntp.service network-online.target local-fs.target remote-fs.target
            Wants=libvirtd.service postgresql.service mysql.service keystone.service rabbitmq-server.service ntp.service network-online.target

            [Service]
            ExecStart=/etc/init.d/nova-compute systemd-start
            """;
    /** The same unit from Debian 12: it wants nothing but the network. */
    private static final String BOOKWORM_NOVA_API = """
            [Unit]
            After=mysql.service postgresql.service rabbitmq-server.service keystone.service network-online.target
            Wants=network-online.target
            """;

    @Test
    void unitsThatWantOtherNodesServicesGetACopyWithoutThoseWantsAndTheirOrderingKept(@TempDir Path root)
            throws Exception {
        Path lib = Files.createDirectories(root.resolve("usr/lib/systemd/system"));
        Path etc = Files.createDirectories(root.resolve("etc/systemd/system"));
        Files.writeString(lib.resolve("nova-compute.service"), TRIXIE_NOVA_COMPUTE);
        Files.writeString(lib.resolve("nova-api.service"), BOOKWORM_NOVA_API);
        Files.writeString(lib.resolve("ovn-central.service"), "[Unit]\nWants=ovn-northd.service\n");
        String script = rooted(OpenStackImage.unwantScript(List.of("nova-compute", "nova-api", "ovn-central",
                "absent")), root);

        sh(script);

        String copy = Files.readString(etc.resolve("nova-compute.service"));
        assertThat(copy).startsWith("# written by speedling: ")
                .contains("\nWants= network-online.target\n")
                .contains(TRIXIE_NOVA_COMPUTE.lines().filter(l -> l.startsWith("After=")).findFirst().orElseThrow())
                .contains("ExecStart=/etc/init.d/nova-compute systemd-start");
        assertThat(etc.resolve("nova-api.service")).as("a unit that wants only the network is left to its package")
                .doesNotExist();
        assertThat(etc.resolve("ovn-central.service")).as("OVN's own composition stays").doesNotExist();
        assertThat(etc.resolve("absent.service")).doesNotExist();

        sh(script);
        assertThat(Files.readString(etc.resolve("nova-compute.service"))).as("a second run writes the same")
                .isEqualTo(copy);
    }

    @Test
    void unitsThatOnlyInstallAliasesKeepThemAndTheOthersAreDisabled(@TempDir Path root) throws Exception {
        Path lib = Files.createDirectories(root.resolve("usr/lib/systemd/system"));
        Files.writeString(lib.resolve("ovn-ovsdb-server-nb.service"), "[Unit]\n[Install]\nAlias=ovn-nb-ovsdb.service\n");
        Files.writeString(lib.resolve("ovn-central.service"), "[Unit]\n[Install]\nWantedBy=multi-user.target\n");
        Path bin = Files.createDirectories(root.resolve("bin"));
        Path calls = root.resolve("calls");
        Files.writeString(bin.resolve("systemctl"), "#!/bin/sh\necho \"$*\" >> " + calls + "\n");
        bin.resolve("systemctl").toFile().setExecutable(true);
        String script = rooted(OpenStackImage.disableScript(List.of("ovn-ovsdb-server-nb", "ovn-central",
                "ceph-mon.target")), root);

        sh("PATH=" + bin + ":$PATH\n" + script);

        assertThat(Files.readAllLines(calls)).containsExactly("disable ovn-central", "disable ceph-mon.target");
    }

    /** {@code script} with the unit directories it reads and writes moved under {@code root}. */
    private static String rooted(String script, Path root) {
        return script.replace("f=/lib/systemd/system", "f=" + root.resolve("lib/systemd/system"))
                .replace("/usr/lib/systemd/system", root.resolve("usr/lib/systemd/system").toString())
                .replace("/etc/systemd/system", root.resolve("etc/systemd/system").toString());
    }

    private static void sh(String script) throws Exception {
        Process p = new ProcessBuilder("sh", "-c", "set -e\n" + script).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(30, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).as(out).isZero();
    }
}
