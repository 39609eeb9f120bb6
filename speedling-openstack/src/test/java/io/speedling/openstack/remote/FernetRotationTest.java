package io.speedling.openstack.remote;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.speedling.core.Fleet;
import io.speedling.core.NodeSpec;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class FernetRotationTest {

    @Test
    void theStagedKeyBecomesThePrimaryAndTheOldestSecondaryGoesBeyondThreeKeys() {
        Map<String, String> deployed = Map.of("0", "staged", "1", "primary");
        Map<String, String> once = FernetRotation.rotate(deployed, "new1", 3);
        assertThat(once).containsExactlyInAnyOrderEntriesOf(Map.of("0", "new1", "1", "primary", "2", "staged"));
        Map<String, String> twice = FernetRotation.rotate(once, "new2", 3);
        // as keystone-manage fernet_rotate: key 1, the oldest secondary, is purged
        assertThat(twice).containsExactlyInAnyOrderEntriesOf(Map.of("0", "new2", "2", "staged", "3", "new1"));
        assertThat(FernetRotation.rotate(twice, "new3", 5)).containsOnlyKeys("0", "2", "3", "4");
    }

    @Test
    void aRepositoryWithoutStagedAndPrimaryKeyOrWithAStrangeFileIsRefused() {
        assertThatThrownBy(() -> FernetRotation.rotate(Map.of("1", "k"), "n", 3))
                .hasMessageContaining("needs a staged key 0 and a primary key").hasMessageContaining("[1]");
        assertThatThrownBy(() -> FernetRotation.rotate(Map.of("0", "a", "1", "b", "x.tmp", "c"), "n", 3))
                .hasMessageContaining("'x.tmp' is not a number");
        assertThatThrownBy(() -> FernetRotation.rotate(Map.of("0", "a", "1", "b"), "n", 1))
                .hasMessageContaining("max_active_keys 1");
    }

    @Test
    void newKeysAreThirtyTwoBytesInUrlSafeBase64() {
        String k = FernetRotation.newKey();
        assertThat(java.util.Base64.getUrlDecoder().decode(k)).hasSize(32);
        assertThat(FernetRotation.newKey()).isNotEqualTo(k);
    }

    /** On a node (here: this process's local node): written, rotated twice, and the deploy's step leaves it. */
    @Test
    void aRotatedRepositoryIsWrittenExactlyAndTheDeploysKeyStepLeavesIt(@TempDir Path tmp) throws Exception {
        String dir = tmp.resolve("fernet-keys").toString();
        String me = System.getProperty("user.name");
        try (Fleet f = Fleet.builder().node(NodeSpec.local("here")).connect()) {
            var node = f.node("here");
            assertThat(node.call(new FernetRotation.Read(dir))).as("no repository yet").isEmpty();
            assertThat(node.call(new FernetKeys(List.of(dir), me, "seed"))).isTrue();
            Map<String, String> deployed = node.call(new FernetRotation.Read(dir));
            assertThat(deployed).containsOnlyKeys("0", "1");
            Map<String, String> twice = FernetRotation.rotate(FernetRotation.rotate(deployed, "a", 3), "b", 3);
            assertThat(node.call(new FernetRotation.Write(dir, me, twice))).isTrue();
            assertThat(node.call(new FernetRotation.Write(dir, me, twice))).as("written again: no change").isFalse();
            assertThat(node.call(new FernetRotation.Read(dir))).isEqualTo(twice).containsOnlyKeys("0", "2", "3");
            assertThat(node.call(new FernetKeys(List.of(dir), me, "seed"))).as("a rerun keeps rotated keys").isFalse();
            assertThat(node.call(new FernetRotation.Read(dir))).isEqualTo(twice);
            assertThat(java.nio.file.attribute.PosixFilePermissions.toString(Files.getPosixFilePermissions(
                    Path.of(dir, "3")))).isEqualTo("rw-------");
        }
    }
}
