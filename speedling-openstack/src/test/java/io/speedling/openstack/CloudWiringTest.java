package io.speedling.openstack;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.speedling.openstack.components.Glance;
import io.speedling.openstack.components.Keystone;
import io.speedling.openstack.components.MariaDb;
import io.speedling.openstack.components.Memcached;
import io.speedling.openstack.components.Neutron;
import io.speedling.openstack.components.Nova;
import io.speedling.openstack.components.RabbitMq;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CloudWiringTest {

    @Test
    void theLibvirtDriverBringsQemuAndLibvirtdAndAnUnknownDriverIsRefused() {
        Cloud fake = CloudSpec.allInOne().name("aio").cloud();
        Cloud libvirt = CloudSpec.allInOne().name("aio").computeDriver("libvirt").cloud();
        assertThat(fake.component(Nova.class).computeDriver()).isEqualTo("fake.FakeDriver");
        // one hypervisor package for both drivers: their clouds share one image
        assertThat(fake.packages()).contains("nova-compute-qemu").doesNotContain("nova-compute-ironic");
        // libvirt's units come with the package: disabled in images for both drivers, started by the libvirt one
        assertThat(fake.services()).contains("libvirtd", "libvirt-guests");
        assertThat(libvirt.component(Nova.class).computeDriver()).isEqualTo("libvirt.LibvirtDriver");
        assertThat(libvirt.packages()).contains("nova-compute-qemu").doesNotContain("nova-compute-ironic");
        assertThat(libvirt.services()).contains("libvirtd", "nova-compute");
        assertThat(Nova.driverName("libvirt.LibvirtDriver")).isEqualTo(Nova.LIBVIRT);
        assertThatThrownBy(() -> Nova.driverName("kvm")).hasMessage("unknown compute driver 'kvm': give "
                + "fake.FakeDriver (or fake) or libvirt.LibvirtDriver (or libvirt)");
    }

    @Test
    void allInOneIsOrderedByDependencies() {
        Cloud c = CloudSpec.allInOne().release("zed").name("aio").cloud();
        var names = c.components().stream().map(Component::name).toList();
        assertThat(names.indexOf("mariadb")).isLessThan(names.indexOf("keystone"));
        assertThat(names.indexOf("keystone")).isLessThan(names.indexOf("glance"));
        assertThat(names.indexOf("placement")).isLessThan(names.indexOf("nova"));
        assertThat(names.indexOf("neutron")).isLessThan(names.indexOf("nova"));
        assertThat(c.packages()).contains("keystone", "nova-compute-qemu", "neutron-linuxbridge-agent",
                "python3-openstackclient").doesNotHaveDuplicates();
        assertThat(c.services()).contains("neutron-rpc-server", "nova-compute", "mariadb");
        assertThat(c.inventory().nodesWith(Inventory.COMPUTE)).containsExactly("controller-01");
    }

    @Test
    void selectingServicesBringsWhatTheyNeedAndNothingElse() {
        assertThat(ServiceRegistry.builtIn().select(java.util.List.of("glance"))).containsExactly("mariadb", "memcached", "keystone",
                "glance", "openstackclient");
        assertThat(ServiceRegistry.builtIn().select(java.util.List.of(" Nova "))).containsExactly("mariadb", "rabbitmq", "memcached",
                "keystone", "glance", "placement", "neutron", "nova", "openstackclient");
        assertThat(ServiceRegistry.builtIn().select(java.util.List.of("defaults"))).containsExactly("mariadb", "rabbitmq",
                "memcached", "keystone", "glance", "placement", "neutron", "nova", "openstackclient", "defaults");
        assertThat(ServiceRegistry.builtIn().select(java.util.List.of("swift"))).containsExactly("mariadb", "memcached", "keystone",
                "swift", "openstackclient");
        assertThat(CloudSpec.allInOne().bare().services()).doesNotContain("defaults", "tempest").contains("nova",
                "cinder");
        assertThat(ServiceRegistry.builtIn().dependents("ceph")).containsExactly("cinder");
        assertThat(ServiceRegistry.builtIn().dependents("neutron")).containsExactly("nova", "defaults", "tempest");
        Cloud c = CloudSpec.allInOne().name("ks").services("keystone").cloud();
        assertThat(c.components().stream().map(Component::name)).containsExactlyInAnyOrder("mariadb", "memcached",
                "keystone", "openstackclient");
        assertThat(c.packages()).doesNotContain("rabbitmq-server", "nova-api", "glance");
    }

    @Test
    void workersTakeComputeAndChangeTheSpec() {
        Cloud c = CloudSpec.allInOne().name("lab").workers(2).cloud();
        assertThat(c.inventory().nodesWith(Inventory.COMPUTE)).containsExactly("worker-01", "worker-02");
        assertThat(c.inventory().nodesWith(Inventory.CONTROLLER)).containsExactly("controller-01");
        CloudSpec one = CloudSpec.allInOne();
        assertThat(one.workers(2).topology()).isEqualTo("controller+2 workers");
        assertThat(one.workers(2).hash()).isNotEqualTo(one.hash());
        assertThatThrownBy(() -> one.workers(9)).hasMessage("workers 9 is out of range: give 0 (all-in-one) to 8");
    }

    @Test
    void anUnknownServiceIsNamedWithTheKnownOnes() {
        assertThatThrownBy(() -> CloudSpec.allInOne().services("keystone", "nvoa"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("unknown service 'nvoa': the known services are haproxy, mariadb, rabbitmq, memcached, ceph, "
                        + "keystone, glance, placement, neutron, nova, swift, cinder, openstackclient, defaults, "
                        + "tempest (or all); did you mean 'nova'?");
        assertThatThrownBy(() -> ServiceRegistry.builtIn().select(java.util.List.of("trove")))
                .hasMessageEndingWith("nova, swift, cinder, openstackclient, defaults, tempest (or all)");
        assertThat(ServiceRegistry.builtIn().select(java.util.List.of("all"))).isEqualTo(AllInOne.SERVICES.keySet());
        assertThatThrownBy(() -> ServiceRegistry.builtIn().select(java.util.List.of())).hasMessageStartingWith("no services selected");
    }

    @Test
    void novaWithoutPlacementIsRefusedNamingBoth() {
        MariaDb db = new MariaDb();
        RabbitMq mq = new RabbitMq();
        Keystone ks = Keystone.builder().sql(db).memcached(new Memcached()).build();
        Glance g = Glance.builder().sql(db).keystone(ks).build();
        Neutron n = Neutron.builder().sql(db).messaging(mq).keystone(ks).build();
        assertThatThrownBy(() -> Nova.builder().sql(db).messaging(mq).keystone(ks).glance(g).networking(n).build())
                .hasMessage("nova requires placement, but none was wired: Nova.builder().placement(placement)");
    }

    @Test
    void aRequiredComponentMissingFromTheCloudIsNamed() {
        MariaDb db = new MariaDb();
        Keystone ks = Keystone.builder().sql(db).memcached(new Memcached()).build();
        assertThatThrownBy(() -> Cloud.builder("x").component(db, ks).inventory(Inventory.allInOne("n")).build())
                .hasMessageContaining("keystone requires Memcached(memcached), which is not part of cloud x");
    }

    @Test
    void twoComponentsWithOneNameAreRefusedNamingBoth() {
        MariaDb a = new MariaDb();
        MariaDb b = new MariaDb();
        assertThatThrownBy(() -> Cloud.builder("x").component(a, b).inventory(Inventory.allInOne("n")).build())
                .hasMessageContaining("two components of cloud x are named 'mariadb': MariaDb(mariadb) and MariaDb(mariadb)");
    }

    @Test
    void placementComesFromTheInventory() {
        Inventory inv = Inventory.controllerAndWorkers("controller-01", java.util.List.of("worker-01", "worker-02"));
        assertThat(inv.controller()).isEqualTo("controller-01");
        assertThat(inv.nodesWith(Inventory.COMPUTE)).containsExactly("worker-01", "worker-02");
    }

    @Test
    void secretsAreGeneratedOnceKeptPrivateAndRedacted(@TempDir Path dir) throws Exception {
        Secrets s = Secrets.open(dir.resolve("secrets.json"));
        String pw = s.get("keystone-admin");
        assertThat(pw).hasSize(24);
        assertThat(Secrets.open(dir.resolve("secrets.json")).get("keystone-admin")).isEqualTo(pw);
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(dir.resolve("secrets.json"))))
                .isEqualTo("rw-------");
        assertThat(s.redact("password=" + pw + " ok")).isEqualTo("password=*** ok");
        Files.setPosixFilePermissions(dir.resolve("secrets.json"), PosixFilePermissions.fromString("rw-r--r--"));
        String before = Files.readString(dir.resolve("secrets.json"));
        assertThatThrownBy(() -> Secrets.open(dir.resolve("secrets.json")))
                .hasMessageContaining("has mode rw-r--r--").hasMessageContaining("chmod 600");
        assertThat(Files.readString(dir.resolve("secrets.json"))).isEqualTo(before);
    }

    @Test
    void cloudsYamlNamesAdminAndDemoClouds() {
        String y = Openrc.cloudsYaml("aio", "http://10.231.1.10:5000/v3", "RegionOne", "a", "d");
        assertThat(y).contains("  aio-admin:\n").contains("  aio-demo:\n").contains("auth_url: http://10.231.1.10:5000/v3");
    }
}
