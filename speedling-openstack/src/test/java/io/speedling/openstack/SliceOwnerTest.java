package io.speedling.openstack;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.speedling.core.SpeedlingException;
import io.speedling.virt.nodes.NspawnProvider;
import io.speedling.virt.nodes.SliceRecord;
import io.speedling.virt.internal.SliceState;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A slice's record says which cloud it holds; no other cloud takes it over. */
class SliceOwnerTest {
    @TempDir
    Path tmp;

    private NspawnProvider sliceHeldBy(String owner) {
        SliceState s = new SliceState();
        s.slice = 5;
        s.owner = owner;
        s.imageKey = "a".repeat(64);
        s.nodes.put("controller-01", new SliceState.NodeState());
        s.write(tmp.resolve("slice-5/slice.json"));
        return NspawnProvider.create(tmp);
    }

    @Test
    void anotherCloudOnAClaimedSliceIsRefusedNamingTheOwnerAndTheWipe() {
        NspawnProvider p = sliceHeldBy("aio");
        assertThatThrownBy(() -> AllInOne.of(CloudSpec.allInOne().name("other").slice(5)).provider(p).checkSlice())
                .isInstanceOf(SpeedlingException.class)
                .hasMessage("slice 5 holds cloud 'aio', not 'other'; it is left as it is: wipe it first "
                        + "(speedling-examples/bin/cloud --wipe --name aio --slice 5) or give this cloud another slice "
                        + "(--slice)");
        assertThatThrownBy(() -> AllInOne.of(CloudSpec.allInOne().name("other").slice(5)).provider(p).wipeOwn()).hasMessageContaining("holds cloud");
        assertThat(tmp.resolve("slice-5/slice.json")).exists();
        AllInOne.of(CloudSpec.allInOne().name("aio").slice(5)).provider(p).checkSlice();
    }

    @Test
    void nodesOfAnotherTopologyOrImageAreNamed() {
        SliceRecord r = new SliceRecord(5, "aio", "a".repeat(64), List.of("controller-01"));
        assertThat(r.difference(List.of("controller-01"), "a".repeat(64))).isNull();
        assertThat(r.difference(List.of("controller-01", "worker-01"), "a".repeat(64)))
                .isEqualTo("it has nodes [controller-01], not [controller-01, worker-01]");
        assertThat(r.difference(List.of("controller-01"), "b".repeat(64)))
                .isEqualTo("its nodes run image aaaaaaaaaaaa, not bbbbbbbbbbbb");
    }

    @Test
    void anUnclaimedSliceIsRefusedToACloudThatNeverRanThere() {
        NspawnProvider p = sliceHeldBy(null);
        assertThatThrownBy(() -> AllInOne.of(CloudSpec.allInOne().name("never-ran-here").slice(5)).provider(p).checkSlice())
                .hasMessageContaining("slice 5 holds nodes [controller-01] that no cloud claimed");
    }
}
