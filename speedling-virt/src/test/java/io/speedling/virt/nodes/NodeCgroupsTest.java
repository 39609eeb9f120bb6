package io.speedling.virt.nodes;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class NodeCgroupsTest {
    /** This host's kind: cgroup v1 with systemd's named hierarchy and the unified one beside it (hybrid). */
    @Test
    void onACgroupV1HostTheNodesGroupIsInSystemdsNamedHierarchy(@TempDir Path root) throws Exception {
        Files.createDirectories(root.resolve("systemd"));
        Files.createDirectories(root.resolve("unified"));
        Files.writeString(root.resolve("unified/cgroup.controllers"), "");
        String self = """
                9:name=systemd:/
                4:memory:/process_api/032e9a33
                1:cpu:/
                0::/
                """;
        assertThat(NodeCgroups.launcherGroups(self, root)).containsExactly(root.resolve("systemd"),
                root.resolve("unified"));
        assertThat(NodeCgroups.launcherGroups(self.replace("name=systemd:/", "name=systemd:/ci/job-7")
                .replace("0::/", "0::/ci/job-7"), root))
                .containsExactly(root.resolve("systemd/ci/job-7"), root.resolve("unified/ci/job-7"));
        // v1 without the unified mount
        Files.delete(root.resolve("unified/cgroup.controllers"));
        assertThat(NodeCgroups.launcherGroups(self, root)).containsExactly(root.resolve("systemd"));
    }

    @Test
    void onACgroupV2HostItIsInTheUnifiedHierarchyAndElsewhereNowhere(@TempDir Path root) throws Exception {
        Files.writeString(root.resolve("cgroup.controllers"), "cpu memory pids\n");
        assertThat(NodeCgroups.launcherGroups("0::/user.slice/user-0.slice/session-3.scope\n", root))
                .containsExactly(root.resolve("user.slice/user-0.slice/session-3.scope"));
        Files.delete(root.resolve("cgroup.controllers"));
        assertThat(NodeCgroups.launcherGroups("0::/\n", root)).isEmpty();
        assertThat(NodeCgroups.launcherGroups("", root)).isEmpty();
    }

    /** The launcher's shell enters each group it is given and then runs the command, or says why not. */
    @Test
    void theLauncherEntersItsGroupsOrSaysWhyAndStartsTheNodeAnyway(@TempDir Path dir) throws Exception {
        Path fakeGroup = dir.resolve("group");
        Path blocked = dir.resolve("file");
        Files.writeString(blocked, "not a directory");
        ProcessBuilder pb = new ProcessBuilder("sh", "-c", NodeCgroups.ENTER, "speedling-node", "sh", "-c",
                "echo started $$").redirectErrorStream(true);
        pb.environment().put("SPEEDLING_CGROUPS", fakeGroup + " " + blocked.resolve("sub"));
        Process p = pb.start();
        String out = new String(p.getInputStream().readAllBytes());
        assertThat(p.waitFor()).isZero();
        // the same process (exec), written into the group it entered
        String pid = Files.readString(fakeGroup.resolve("cgroup.procs")).strip();
        assertThat(out).contains("cannot enter control group " + blocked.resolve("sub"), "started " + pid);
    }

    @Test
    void aNodeWhoseSystemdRefusesTheLegacyHierarchyGetsTheUnifiedOne(@TempDir Path root) throws Exception {
        assertThat(NodeCgroups.systemdVersion(root)).isZero();
        assertThat(NodeCgroups.needsUnified(root)).isFalse();
        Path lib = Files.createDirectories(root.resolve("usr/lib/x86_64-linux-gnu/systemd"));
        Files.createFile(lib.resolve("libsystemd-shared-257.so"));
        Files.createFile(lib.resolve("libsystemd-core-257.so"));
        assertThat(NodeCgroups.systemdVersion(root)).isEqualTo(257);
        assertThat(NodeCgroups.needsUnified(root)).as("Debian 13's systemd boots as before").isFalse();
        Files.delete(lib.resolve("libsystemd-shared-257.so"));
        Files.createFile(lib.resolve("libsystemd-shared-262.so"));
        assertThat(NodeCgroups.needsUnified(root)).as("Debian testing's").isTrue();
    }
}
