package io.speedling.openstack;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** One set of components for every topology: what differs is where clients reach the services. */
class EndpointsTest {
    @Test
    void oneControllerIsReachedAtItsOwnAddress() {
        Endpoints e = new Endpoints("10.231.1.10", List.of("10.231.1.10"));
        assertThat(e.url(9292)).isEqualTo("http://10.231.1.10:9292");
        assertThat(e.url(5000, "/v3")).isEqualTo("http://10.231.1.10:5000/v3");
        assertThat(e.memcachedServers()).isEqualTo("10.231.1.10:11211");
        assertThat(e.transportUrl("openstack", "pw")).isEqualTo("rabbit://openstack:pw@10.231.1.10:5672/");
        assertThat(e.sqlHost()).isEqualTo("10.231.1.10");
    }

    @Test
    void highlyAvailableControllersAreReachedThroughTheVirtualIpAndServeEachTheirOwn() {
        Endpoints e = new Endpoints("10.231.1.100", List.of("10.231.1.10", "10.231.1.11", "10.231.1.12"));
        assertThat(e.url(8774, "/v2.1")).isEqualTo("http://10.231.1.100:8774/v2.1");
        assertThat(e.sqlHost()).isEqualTo("10.231.1.100");
        assertThat(e.memcachedServers()).isEqualTo("10.231.1.10:11211,10.231.1.11:11211,10.231.1.12:11211");
        assertThat(e.transportUrl("u", "p")).isEqualTo("rabbit://u:p@10.231.1.10:5672,u:p@10.231.1.11:5672,"
                + "u:p@10.231.1.12:5672/");
    }

    @Test
    void rolesAreOpenAndSeveralControllersNeedAVirtualIp() {
        Inventory ha = Inventory.of(Map.of("controller-01", Set.of(Inventory.CONTROLLER, Inventory.NETWORK),
                "controller-02", Set.of(Inventory.CONTROLLER), "storage-01", Set.of(Inventory.STORAGE, "swift")));
        assertThat(ha.nodesWith("swift")).containsExactly("storage-01");
        assertThatThrownBy(ha::controller).hasMessageContaining("no virtual IP in front of them");
        assertThat(ha.virtualIp("10.231.1.100").controller()).isIn("controller-01", "controller-02");
        assertThat(ha.virtualIp("10.231.1.100").virtualIp()).contains("10.231.1.100");
        assertThat(Inventory.allInOne("controller-01").rolesOf("controller-01"))
                .containsExactlyInAnyOrder(Inventory.CONTROLLER, Inventory.COMPUTE);
        assertThatThrownBy(() -> Inventory.of(Map.of("worker-01", Set.of(Inventory.COMPUTE))))
                .hasMessageContaining("is a controller");
        assertThatThrownBy(() -> Inventory.of(Map.of("Bad_Node", Set.of(Inventory.CONTROLLER))))
                .hasMessageContaining("node name 'Bad_Node'");
        assertThatThrownBy(() -> Inventory.of(Map.of("n1", Set.of())))
                .hasMessageContaining("node n1 has no roles");
        assertThatThrownBy(() -> ha.virtualIp("vip")).hasMessage("virtual IP 'vip' is not an IPv4 address");
        assertThatThrownBy(() -> new Endpoints("h", List.of())).isInstanceOf(IllegalArgumentException.class);
    }
}
