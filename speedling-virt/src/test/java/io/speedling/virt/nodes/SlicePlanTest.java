package io.speedling.virt.nodes;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class SlicePlanTest {

    @Test
    void addressesFollowFromSliceAndIndex() {
        SlicePlan p = SlicePlan.slice(7).node("controller", 1).node("worker", 2).build();
        assertThat(p.nodes()).extracting(PlannedNode::name).containsExactly("controller-01", "worker-01", "worker-02");
        PlannedNode w2 = p.node("worker-02");
        assertThat(w2.index()).isEqualTo(2);
        NodeAddress mgmt = w2.primary();
        assertThat(mgmt.network()).isEqualTo("mgmt");
        assertThat(mgmt.iface()).isEqualTo("eth0");
        assertThat(mgmt.ipv4()).isEqualTo("10.231.7.12");
        assertThat(mgmt.ipv6()).isEqualTo("fd5e:ed00:0:7::c");
        assertThat(mgmt.mac()).isEqualTo("52:54:00:07:00:02");
        assertThat(mgmt.bridge()).isEqualTo("spd7-mgmt");
        assertThat(mgmt.gateway4()).isEqualTo("10.231.7.1");
        NodeAddress ext = w2.addresses().get(1);
        assertThat(ext.iface()).isEqualTo("eth1");
        assertThat(ext.ipv4()).isEqualTo("10.232.7.12");
        assertThat(ext.mac()).isEqualTo("52:54:00:07:01:02");
        assertThat(ext.bridge()).isEqualTo("spd7-ext");
        // the same plan again gives the same addresses
        assertThat(SlicePlan.slice(7).node("controller", 1).node("worker", 2).build().node("worker-02"))
                .isEqualTo(w2);
    }

    @Test
    void sliceNumberIsInTheMacAndSubnetsInHex() {
        SlicePlan p = SlicePlan.slice(200).node("storage", 1).build();
        assertThat(p.node("storage-01").primary().mac()).isEqualTo("52:54:00:c8:00:00");
        assertThat(p.node("storage-01").primary().ipv6()).isEqualTo("fd5e:ed00:0:c8::a");
        assertThat(p.subnet4(p.network("mgmt"))).isEqualTo("10.231.200.0/24");
        assertThat(p.hostAddress6(p.network("mgmt"))).isEqualTo("fd5e:ed00:0:c8::1");
    }

    @Test
    void rolesComeFromAnExtensibleMatrixWithDistroOverrides() {
        NodeMatrix m = NodeMatrix.defaults().with(new Role("db", 1024, 1, java.util.List.of("mgmt"),
                java.util.List.of(5))).override("fedora", NodeMatrix.defaults().role("worker", "debian")
                .memoryMiB(6144));
        assertThat(m.role("worker", "fedora").memoryMiB()).isEqualTo(6144);
        assertThat(m.role("worker", "debian").memoryMiB()).isEqualTo(4096);
        SlicePlan p = SlicePlan.slice(1).matrix(m).node("db", 1).build();
        assertThat(p.node("db-01").addresses()).hasSize(1);
        assertThat(p.node("db-01").role().extraDisksGiB()).containsExactly(5);
    }

    @Test
    void badInputIsNamed() {
        assertThatThrownBy(() -> SlicePlan.slice(256)).hasMessageContaining("slice 256 is outside the pools: slices are 0-255");
        assertThatThrownBy(() -> SlicePlan.slice(-1)).hasMessageContaining("slice -1 is outside the pools");
        assertThatThrownBy(() -> SlicePlan.slice(1).node("worker", 241).build())
                .hasMessageContaining("241 nodes do not fit in slice 1").hasMessageContaining("240 nodes");
        assertThatThrownBy(() -> SlicePlan.slice(1).node("compute", 1).build())
                .hasMessageContaining("unknown role 'compute': known roles are controller, worker, storage");
        assertThatThrownBy(() -> SlicePlan.slice(1).node("worker", 0))
                .hasMessageContaining("node count 0 for role worker must be at least 1");
        assertThatThrownBy(() -> SlicePlan.slice(1).build()).hasMessageContaining("slice 1 has no nodes");
        assertThatThrownBy(() -> SlicePlan.slice(1).networks(NetworkDef.management()).node("worker", 1).build())
                .hasMessageContaining("role worker joins network 'ext' but the slice has only [mgmt]");
        assertThatThrownBy(() -> new NetworkDef("mgmt", "10.231.0.0/24", "fd5e:ed00:0::/48", true))
                .hasMessageContaining("IPv4 pool '10.231.0.0/24' of network mgmt must be a /16");
        assertThatThrownBy(() -> new NetworkDef("mgmt", "10.231.1.0/16", "fd5e:ed00:0::/48", true))
                .hasMessageContaining("has host bits set; write it as 10.231.0.0/16");
        assertThatThrownBy(() -> new NetworkDef("mgmt", "10.231.0.0/16", "fd5e:ed00::/64", true))
                .hasMessageContaining("must be a /48");
        assertThatThrownBy(() -> new NetworkDef("Management", "10.231.0.0/16", "fd5e:ed00:0::/48", true))
                .hasMessageContaining("network name 'Management'");
        assertThatThrownBy(() -> new NetworkDef("x", "example.org/16", "fd5e:ed00:0::/48", true))
                .hasMessageContaining("is not a valid IPv4 prefix");
    }
}
