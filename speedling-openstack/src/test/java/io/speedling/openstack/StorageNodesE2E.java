package io.speedling.openstack;

import static org.assertj.core.api.Assertions.assertThat;

import io.speedling.core.functions.Sh;
import io.speedling.openstack.junit.SpeedlingCloud;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * Block and object storage on two storage nodes beside the controller, as a test class asks for
 * them (every service, so the image is the all-in-one's): each storage node holds one Ceph OSD and
 * Swift's account, container and object servers, the pools and rings keep one copy per storage
 * node, and the verification (run when the cloud comes up) made, read and deleted a volume and an
 * object through them with Ceph healthy. The cloud is {@link ControllerAndWorkerE2E}'s (the same
 * annotation: one deploy serves both classes).
 */
@Order(E2eOrder.CONTROLLER_AND_WORKERS)
@SpeedlingCloud(workers = 1, storage = 2, verify = true, config = ControllerAndWorkerE2E.WORKER_OVERRIDE)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class StorageNodesE2E {

    @Test
    @Order(1)
    void eachStorageNodeHoldsAnOsdAndSwiftsServersAndEveryPoolAndRingACopyOnEach(OpenStackCloud cloud) {
        assertThat(cloud.fleet().nodes()).extracting(io.speedling.core.Node::name)
                .containsExactlyInAnyOrder("controller-01", "worker-01", "storage-01", "storage-02");
        String ip1 = cloud.fleet().node("storage-01").data().get("mgmt_ipv4").toString();
        String ip2 = cloud.fleet().node("storage-02").data().get("mgmt_ipv4").toString();
        List<String> ctl = cloud.controller().call(Sh.checked("""
                ceph osd tree | awk '$3 == "host" {h=$4} $4 ~ /^osd\\./ {print h, $4, $5}'
                for p in volumes images vms; do ceph osd pool get $p size; done | sort -u
                for r in account container object; do
                  python3 -c "from swift.common.ring import Ring; r = Ring('/etc/swift', ring_name='$r'); \\
                print('$r', r.replica_count, sorted(d['ip'] for d in r.devs if d))"
                done
                systemctl is-active ceph-osd@0 ceph-osd@1 swift-account swift-container swift-object || true
                """)).stdout().lines().toList();
        String devs = "['" + String.join("', '", List.of(ip1, ip2).stream().sorted().toList()) + "']";
        assertThat(ctl).containsExactly("storage-01 osd.0 up", "storage-02 osd.1 up", "size: 2",
                "account 2.0 " + devs, "container 2.0 " + devs, "object 2.0 " + devs,
                "inactive", "inactive", "inactive", "inactive", "inactive");
        for (String n : List.of("storage-01", "storage-02")) {
            String osd = "ceph-osd@" + (n.endsWith("1") ? 0 : 1);
            assertThat(cloud.fleet().node(n).call(Sh.checked("systemctl is-active " + osd
                    + " swift-account swift-container swift-object")).stdout().lines().toList())
                    .as("services on " + n).containsOnly("active").hasSize(4);
        }
    }

    @Test
    @Order(2)
    void aChangedCephConfRestartsTheCephDaemonsOfItsNodeOnlyAndTheClusterIsHealthyWhenTheDeployEnds(
            OpenStackCloud cloud) {
        CloudSpec tuned = cloud.spec().name(cloud.name())
                .config("storage-02:/etc/ceph/ceph.conf:osd.osd_max_backfills=2");
        DeployResult r = Deployer.of(OpenStackCloud.allInOne(tuned).cloud(), cloud.stateDir()).deploy(cloud.fleet());
        Map<String, String> restarted = r.serviceActions().entrySet().stream()
                .filter(e -> !e.getValue().equals("running"))
                .collect(Collectors.toMap(Map.Entry::getKey, Map.Entry::getValue));
        assertThat(restarted).isEqualTo(Map.of("storage-02:ceph-osd@1", "restarted"));
        // the OSDs and pools were waited for again after the restart (a skipped check takes milliseconds):
        // the deploy returns a usable cluster
        assertThat(r.report().tasks()).anyMatch(t -> t.name().equals("ceph.ready") && t.workMs() > 100);
        assertThat(cloud.controller().call(Sh.checked("ceph osd tree | grep -c ' up '; ceph health")).stdout())
                .isEqualTo("2\nHEALTH_OK\n");
        String osdSection = cloud.fleet().node("storage-02").call(Sh.checked(
                "sed -n '/^\\[osd\\]/,/^\\[/p' /etc/ceph/ceph.conf")).stdout();
        assertThat(osdSection).contains("osd_max_backfills = 2");
    }
}
