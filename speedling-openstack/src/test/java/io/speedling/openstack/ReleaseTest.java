package io.speedling.openstack;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.speedling.openstack.components.Neutron;
import io.speedling.virt.image.Recipe;
import io.speedling.virt.image.Step;
import org.junit.jupiter.api.Test;

class ReleaseTest {
    @Test
    void aReleaseIsNamedByItsIdCodenameOrSuiteAndAnUnknownOneListsTheKnown() {
        assertThat(Release.of("2025.1")).isSameAs(Release.EPOXY);
        assertThat(Release.of(" Epoxy ")).isSameAs(Release.EPOXY);
        assertThat(Release.of("trixie")).isSameAs(Release.EPOXY);
        assertThat(Release.of("ZED")).isSameAs(Release.ZED);
        assertThat(Release.of("forky")).isSameAs(Release.GAZPACHO);
        assertThat(Release.GAZPACHO.bestEffort()).isTrue();
        assertThat(Release.ofSuite("bookworm")).contains(Release.ZED);
        assertThat(Release.ofSuite("bullseye")).isEmpty();
        assertThatThrownBy(() -> Release.of("2024.2")).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("unknown OpenStack release '2024.2'")
                .hasMessageContaining("zed, 2025.1, 2026.1")
                .hasMessageContaining("2025.1 (Epoxy, Debian trixie)");
        assertThatThrownBy(() -> CloudSpec.allInOne().release("yoga")).hasMessageContaining("zed, 2025.1, 2026.1");
    }

    @Test
    void zedSpecsKeepTheirHashAndImageWhileAnotherReleaseIsAnotherCloudOnItsOwnSuite() {
        CloudSpec zed = CloudSpec.allInOne().release("zed").services("nova");
        assertThat(zed.release()).isSameAs(Release.ZED);
        assertThat(CloudSpec.allInOne().release()).as("the default").isSameAs(Release.EPOXY);
        assertThat(zed.release("zed")).isEqualTo(zed);
        assertThat(zed.release("zed").hash()).isEqualTo(zed.hash());
        CloudSpec epoxy = zed.release("2025.1");
        assertThat(epoxy.hash()).isNotEqualTo(zed.hash());
        assertThat(epoxy.toString()).contains(" 2025.1 ");

        Recipe zedImage = AllInOne.of(zed).recipe();
        Recipe epoxyImage = AllInOne.of(epoxy).recipe();
        assertThat(zedImage.steps().get(0).describe()).contains("bookworm");
        assertThat(epoxyImage.steps().get(0).describe()).contains("trixie");
        // Debian 13 has no Java 17: the agent runs on its 21
        assertThat(epoxyImage.steps().stream().map(Step::describe)).anyMatch(s -> s.contains("openjdk-21-jre-headless"));
        assertThat(zedImage.steps().stream().map(Step::describe)).anyMatch(s -> s.contains("openjdk-17-jre-headless"));
    }

    @Test
    void neutronRunsLinuxbridgeOnZedAndOvnFromEpoxyWithItsOwnPackagesAndUnits() {
        Cloud zed = CloudSpec.allInOne().release("zed").services("neutron").cloud();
        Cloud epoxy = CloudSpec.allInOne().services("neutron").release("2025.1").cloud();
        assertThat(zed.release()).isSameAs(Release.ZED);
        assertThat(epoxy.release()).isSameAs(Release.EPOXY);
        assertThat(zed.component(Neutron.class).ovn()).isFalse();
        assertThat(epoxy.component(Neutron.class).ovn()).isTrue();
        assertThat(zed.packages()).contains("neutron-linuxbridge-agent").doesNotContain("ovn-central");
        assertThat(epoxy.packages()).contains("neutron-server", "ovn-central", "ovn-host", "openvswitch-switch",
                "neutron-ovn-metadata-agent", "haproxy").doesNotContain("neutron-linuxbridge-agent",
                "neutron-dhcp-agent", "neutron-l3-agent");
        assertThat(epoxy.services()).contains("ovn-northd", "ovs-vswitchd", "neutron-ovn-metadata-agent");

        // a worker is a chassis; the controller has the databases and the server, and is the gateway chassis
        Cloud two = CloudSpec.allInOne().services("nova").release("2025.1").workers(1).cloud();
        assertThat(two.packagesOn("controller-01")).contains("ovn-central", "neutron-server", "ovn-host");
        assertThat(two.packagesOn("worker-01")).contains("ovn-host", "openvswitch-switch", "neutron-ovn-metadata-agent")
                .doesNotContain("ovn-central", "neutron-server");

        // a Neutron made for one release does not go into a cloud of another; linuxbridge is gone after Zed
        Cloud.Builder mixed = zed.toBuilder().release(Release.EPOXY);
        assertThatThrownBy(mixed::build).hasMessageContaining("neutron was made for OpenStack zed")
                .hasMessageContaining("runs 2025.1");
        assertThatThrownBy(() -> Neutron.builder().sql(zed.component(io.speedling.openstack.components.MariaDb.class))
                .messaging(zed.component(io.speedling.openstack.components.RabbitMq.class))
                .keystone(zed.component(io.speedling.openstack.components.Keystone.class))
                .release(Release.EPOXY).ovn(false).build()).hasMessageContaining("has no linuxbridge driver");
    }

    @Test
    void onDebianTestingOvnComesFromUnstableAndOnlyOvn() {
        Cloud gazpacho = CloudSpec.allInOne().services("nova").release("2026.1").workers(1).cloud();
        assertThat(gazpacho.packages()).contains("ovn-central/sid", "ovn-host/sid", "openvswitch-switch",
                "neutron-server").doesNotContain("ovn-central", "ovn-host");
        assertThat(gazpacho.packagesOn("worker-01")).contains("ovn-host/sid").doesNotContain("ovn-central/sid");
        assertThat(CloudSpec.allInOne().services("nova").cloud().packages()).contains("ovn-central")
                .noneMatch(p -> p.contains("/"));
        // the image layer adds unstable below forky for them
        Recipe image = AllInOne.of(CloudSpec.allInOne().services("nova").release("2026.1")).recipe();
        assertThat(image.steps().stream().filter(st -> st instanceof Step.Packages).map(st -> (Step.Packages) st)
                .flatMap(st -> st.otherSuites().stream())).containsOnly("sid");
        assertThat(Step.Packages.bare("ovn-host/sid")).isEqualTo("ovn-host");
        assertThat(Step.Packages.bare("nova-common")).isEqualTo("nova-common");
        // Placement too comes from unstable there, and one made for 2026.1 goes into no other release's cloud
        assertThat(gazpacho.packages()).contains("placement-api/sid").doesNotContain("placement-api");
        Cloud.Builder mixed = gazpacho.toBuilder().release(Release.EPOXY);
        assertThatThrownBy(mixed::build).hasMessageContaining("was made for OpenStack 2026.1");
        Cloud epoxy = CloudSpec.allInOne().services("placement").cloud();
        Cloud.Builder onlyPlacement = epoxy.toBuilder()
                .component(io.speedling.openstack.components.Placement.builder().name("placement-next")
                        .sql(epoxy.component(io.speedling.openstack.components.MariaDb.class))
                        .keystone(epoxy.component(io.speedling.openstack.components.Keystone.class))
                        .release(Release.GAZPACHO).build());
        assertThatThrownBy(onlyPlacement::build).hasMessageContaining("placement-next was made for OpenStack 2026.1");
    }

    @Test
    void everyServiceRunsOnEveryReleaseAndWhatALaterOneDoesNotRunYetIsRefusedNamingTheReleaseThatDoes() {
        CloudSpec epoxy = CloudSpec.allInOne().release("2025.1");
        assertThat(epoxy.services()).isEqualTo(CloudSpec.allInOne().services()).contains("keystone", "nova",
                "defaults", "ceph", "cinder", "swift", "tempest");
        assertThat(epoxy.services("all").services()).isEqualTo(epoxy.services());
        assertThat(epoxy.services("cinder").services()).contains("ceph", "cinder");
        assertThat(epoxy.release("zed").release("2025.1")).isEqualTo(CloudSpec.allInOne());
        assertThat(epoxy.services("keystone").controllers(3).inventory().nodesWith(Inventory.CONTROLLER)).hasSize(3);
        assertThat(epoxy.computeDriver("libvirt").computeDriver()).isEqualTo("libvirt.LibvirtDriver");
        assertThatThrownBy(() -> CloudSpec.allInOne().computeDriver("libvirt").release("2026.1"))
                .hasMessageContaining("2026.1 (Gazpacho, Debian forky, best effort)");
    }
}
