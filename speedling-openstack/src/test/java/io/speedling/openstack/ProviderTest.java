package io.speedling.openstack;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.speedling.virt.image.Step;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

class ProviderTest {
    @Test
    void aProviderIsNamedAndAnUnknownOneListsTheKnown() {
        assertThat(Provider.of(" LibVirt ")).isSameAs(Provider.LIBVIRT);
        assertThat(CloudSpec.allInOne().provider()).as("the default").isSameAs(Provider.NSPAWN);
        assertThatThrownBy(() -> CloudSpec.allInOne().provider("qemu")).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("unknown node provider 'qemu'").hasMessageContaining("[nspawn, libvirt]")
                .hasMessageContaining("--hosts FILE");
    }

    @Test
    void theProviderIsPartOfWhatTheCloudIsButNspawnSpecsKeepTheirHash() {
        CloudSpec spec = CloudSpec.allInOne().services("keystone");
        CloudSpec vms = spec.provider("libvirt");
        assertThat(spec.provider(Provider.NSPAWN)).isEqualTo(spec);
        assertThat(spec.provider(Provider.NSPAWN).hash()).isEqualTo(spec.hash());
        assertThat(vms).isNotEqualTo(spec);
        assertThat(vms.hash()).isNotEqualTo(spec.hash());
        assertThat(vms.toString()).contains(" on libvirt ");
        assertThat(vms.cloud().components()).hasSameSizeAs(spec.cloud().components());
    }

    @Test
    void machinesOfAHostsFileAreNotBootedSoAProviderWithThemIsRefused() {
        Hosts hosts = Hosts.parse(Path.of("lab.json"), """
                { "hosts": [ { "name": "aio", "address": "10.0.0.1", "roles": ["controller", "compute"] } ] }""");
        assertThatThrownBy(() -> CloudSpec.allInOne().provider("libvirt").hosts(hosts))
                .hasMessageContaining("lab.json gives the machines").hasMessageContaining("provider (libvirt)");
    }

    @Test
    void aVmImageIsTheContainersImageWithAKernelAndCloudInitUnderTheOpenStackPackages() {
        CloudSpec spec = CloudSpec.allInOne().services("keystone");
        // no libvirt connection is needed to work out the image
        List<String> nspawn = AllInOne.of(spec).recipe().steps().stream().map(Step::describe).toList();
        List<String> vm = AllInOne.of(spec.provider("libvirt")).recipe().steps().stream().map(Step::describe).toList();
        assertThat(vm).hasSize(nspawn.size() + 1);
        assertThat(vm.get(2)).contains("linux-image-amd64").contains("cloud-init");
        assertThat(nspawn).noneMatch(s -> s.contains("linux-image-amd64"));
        // base and tools shared, then the same OpenStack layers on top
        assertThat(vm.subList(0, 2)).isEqualTo(nspawn.subList(0, 2));
        assertThat(vm.subList(3, vm.size())).isEqualTo(nspawn.subList(2, nspawn.size()));
    }
}
