package io.speedling.openstack;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.speedling.core.SpeedlingException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A wipe removes a cloud's state directory only when a deploy made it, and never reaches past it. */
class StateDirTest {
    @TempDir
    Path tmp;

    @Test
    void aNameThatLeavesTheCloudsDirectoryHasNoStateDirectory() {
        for (String bad : new String[] {"../some-dir", "", "..", "a/b", "/etc", "Foo"}) {
            assertThatThrownBy(() -> Deployer.defaultStateDir(bad)).as(bad)
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageStartingWith("cloud name '" + bad + "' must be");
            assertThatThrownBy(() -> AllInOne.of(CloudSpec.allInOne().name(bad).slice(1))).as(bad).isInstanceOf(IllegalArgumentException.class);
        }
        assertThat(Deployer.defaultStateDir("aio").toString()).endsWith("/speedling/clouds/aio");
    }

    @Test
    void aDirectoryWithoutTheMarkerIsLeftAndNamed() throws Exception {
        Path foreign = Files.createDirectories(tmp.resolve("clouds/mine"));
        Files.writeString(foreign.resolve("precious.txt"), "not speedling's");
        assertThatThrownBy(() -> Deployer.removeStateDir(foreign)).isInstanceOf(SpeedlingException.class)
                .hasMessage(foreign + " is not a cloud state directory made by speedling (no .speedling-cloud file "
                        + "in it): left as it is; remove it yourself if it is yours to remove");
        assertThat(foreign.resolve("precious.txt")).hasContent("not speedling's");
    }

    @Test
    void aLinkOrAFileIsLeftEvenWithAMarkerBehindIt() throws Exception {
        Path target = Files.createDirectories(tmp.resolve("elsewhere"));
        Files.writeString(target.resolve(Deployer.MARKER), "");
        Path link = Files.createSymbolicLink(tmp.resolve("link"), target);
        assertThatThrownBy(() -> Deployer.removeStateDir(link)).isInstanceOf(SpeedlingException.class);
        assertThat(target.resolve(Deployer.MARKER)).exists();
        Path file = Files.writeString(tmp.resolve("file"), "x");
        assertThatThrownBy(() -> Deployer.removeStateDir(file)).isInstanceOf(SpeedlingException.class);
        assertThat(file).exists();
    }

    @Test
    void aMarkedOrEmptyDirectoryGoesAndAMissingOneIsNoError() throws Exception {
        Path marked = Files.createDirectories(tmp.resolve("marked"));
        Files.writeString(marked.resolve(Deployer.MARKER), "");
        Files.writeString(marked.resolve("secrets.json"), "{}");
        Deployer.removeStateDir(marked);
        assertThat(marked).doesNotExist();
        Path empty = Files.createDirectories(tmp.resolve("empty"));
        Deployer.removeStateDir(empty);
        assertThat(empty).doesNotExist();
        Deployer.removeStateDir(tmp.resolve("never-made"));
    }
}
