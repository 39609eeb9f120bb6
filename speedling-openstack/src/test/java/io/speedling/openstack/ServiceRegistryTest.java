package io.speedling.openstack;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.speedling.openstack.components.Ceph;
import io.speedling.openstack.components.Glance;
import io.speedling.openstack.components.Keystone;
import io.speedling.openstack.components.MariaDb;
import io.speedling.openstack.components.Neutron;
import io.speedling.openstack.components.Nova;
import io.speedling.openstack.components.OpenStackClient;
import io.speedling.openstack.components.Placement;
import io.speedling.openstack.components.RabbitMq;
import io.speedling.virt.image.Step;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** A component is the unit of extension: registered by name, it declares all it brings. */
class ServiceRegistryTest {
    /** A component of a test's own that needs keystone and brings one debconf answer and one schema. */
    static final class Extra extends FixtureComponent {
        private final Keystone keystone;

        Extra(Keystone keystone) {
            super("extra", List.of(keystone), List.of("hello"), List.of());
            this.keystone = keystone;
        }

        @Override
        public List<String> debconf() {
            return List.of("hello hello/greet boolean false");
        }

        @Override
        public String schemaScript() {
            return "m -e 'CREATE DATABASE extra'\n";
        }

        @Override
        public Map<String, Map<String, Map<String, String>>> extensions(Deploy d) {
            return Map.of("/etc/keystone/keystone.conf", Map.of("extra", Map.of("greeting", "hello"),
                    "token", Map.of("expiration", "7200")));
        }

        @Override
        protected void plan(Deploy d) {
            d.task(name() + ".greet", ctx -> null, keystone.registered(d));
        }
    }

    @Test
    void theBuiltInServicesAreTheRegistrysInWiringOrder() {
        assertThat(ServiceRegistry.builtIn().needs()).isEqualTo(AllInOne.SERVICES);
        assertThat(ServiceRegistry.builtIn().select(List.of("glance"))).containsExactly("mariadb", "memcached",
                "keystone", "glance", "openstackclient");
        List<Component> all = ServiceRegistry.builtIn().components(AllInOne.SERVICES.keySet(), "libvirt", Release.ZED);
        assertThat(all).extracting(Component::name).containsExactlyElementsOf(AllInOne.SERVICES.keySet());
        assertThat(all).filteredOn(c -> c instanceof Nova).singleElement()
                .extracting(c -> ((Nova) c).computeDriver()).isEqualTo("libvirt.LibvirtDriver");
    }

    @Test
    void serversDisksAreInCephWithTheLibvirtDriverWhenCephIsInTheCloud() {
        ServiceRegistry b = ServiceRegistry.builtIn();
        assertThat(nova(b.components(AllInOne.SERVICES.keySet(), "libvirt", Release.ZED)).ephemeralOnRbd()).isTrue();
        assertThat(nova(b.components(AllInOne.SERVICES.keySet(), "libvirt", Release.ZED)).requires())
                .anyMatch(c -> c instanceof Ceph);
        assertThat(nova(b.components(AllInOne.SERVICES.keySet(), "fake", Release.ZED)).ephemeralOnRbd()).isFalse();
        assertThat(nova(b.components(List.of("nova"), "libvirt", Release.ZED)).ephemeralOnRbd()).isFalse();
        List<Component> parts = b.components(List.of("nova"), "fake", Release.ZED);
        assertThatThrownBy(() -> Nova.builder().sql(find(parts, MariaDb.class)).messaging(find(parts, RabbitMq.class))
                .keystone(find(parts, Keystone.class)).placement(find(parts, Placement.class))
                .glance(find(parts, Glance.class)).networking(find(parts, Neutron.class)).ephemeral(new Ceph()).build())
                .hasMessageStartingWith("nova: ephemeral disks in Ceph need the libvirt compute driver");
    }

    private static Nova nova(List<Component> cs) {
        return find(cs, Nova.class);
    }

    private static <T> T find(List<Component> cs, Class<T> type) {
        return cs.stream().filter(type::isInstance).map(type::cast).findFirst().orElseThrow();
    }

    @Test
    void withTheSharedImageSettingACloudOfFewServicesIsDeployedOntoTheImageOfMore() {
        AllInOne keystone = AllInOne.of(CloudSpec.allInOne().name("few").slice(9).services("keystone"));
        String before = System.getProperty(OpenStackImage.SHARED_SERVICES_SETTING);
        try {
            System.clearProperty(OpenStackImage.SHARED_SERVICES_SETTING);
            assertThat(packages(keystone.recipe())).contains("keystone").doesNotContain("glance");
            System.setProperty(OpenStackImage.SHARED_SERVICES_SETTING, "glance, swift");
            assertThat(packages(keystone.recipe())).contains("keystone", "glance", "swift-proxy");
            assertThat(keystone.cloud().packages()).doesNotContain("glance");  // the deploy is keystone's alone
            System.setProperty(OpenStackImage.SHARED_SERVICES_SETTING, "glance,nvoa");
            assertThatThrownBy(keystone::recipe).hasMessageStartingWith("unknown service 'nvoa'");
        } finally {
            restore(OpenStackImage.SHARED_SERVICES_SETTING, before);
        }
    }

    @Test
    void aReleaseOfItsOwnSharedServicesGetsItsOwnImageAndTheOthersKeepTheGeneralOne() {
        String key = OpenStackImage.SHARED_SERVICES_SETTING;
        String epoxyKey = key + ".2025.1";
        String before = System.getProperty(key);
        String epoxyBefore = System.getProperty(epoxyKey);
        try {
            System.setProperty(key, "all");
            System.setProperty(epoxyKey, "keystone,glance,placement,neutron,nova,defaults");
            AllInOne epoxyKeystone = AllInOne.of(CloudSpec.allInOne().name("matrix").slice(9).release("2025.1")
                    .services("keystone"));
            AllInOne epoxyCore = AllInOne.of(CloudSpec.allInOne().name("ovn").slice(9).release("2025.1").workers(1)
                    .services("keystone", "glance", "placement", "neutron", "nova", "defaults"));
            assertThat(epoxyKeystone.recipe().key()).as("the two classes of 2025.1 share one image")
                    .isEqualTo(epoxyCore.recipe().key());
            assertThat(packages(epoxyKeystone.recipe())).contains("nova-compute", "ovn-central")
                    .doesNotContain("ceph-osd", "swift-proxy", "cinder-volume", "tempest");
            assertThat(packages(AllInOne.of(CloudSpec.allInOne().name("zed").slice(9).release("zed")
                    .services("keystone")).recipe()))
                    .as("Zed keeps the setting for every release").contains("ceph-osd", "swift-proxy", "tempest");
            // as the e2e profile sets it for Zed: its controller + worker class and its three controllers share one
            System.setProperty(key + ".zed", "keystone,glance,placement,neutron,nova,defaults,haproxy");
            CloudSpec zedCore = CloudSpec.allInOne().release("zed").workers(1)
                    .services("keystone", "glance", "placement", "neutron", "nova", "defaults");
            assertThat(AllInOne.of(zedCore.controllers(3)).recipe().key()).as("Zed's three controllers")
                    .isEqualTo(AllInOne.of(zedCore).recipe().key());
            assertThat(packages(AllInOne.of(zedCore).recipe())).contains("haproxy", "keepalived", "galera-4")
                    .doesNotContain("ceph-osd");
        } finally {
            restore(key, before);
            restore(epoxyKey, epoxyBefore);
            restore(key + ".zed", null);
        }
    }

    private static void restore(String key, String value) {
        if (value == null) {
            System.clearProperty(key);
        } else {
            System.setProperty(key, value);
        }
    }

    private static List<String> packages(io.speedling.virt.image.Recipe recipe) {
        return recipe.steps().stream().filter(s -> s instanceof Step.Packages).map(s -> (Step.Packages) s)
                .reduce((a, b) -> b).orElseThrow().packages();
    }

    @Test
    void aComponentOfOneFileAndOneRegistrationIsSelectedWithWhatItNeedsAndReachesTheImage() {
        ServiceRegistry r = ServiceRegistry.builtIn().with("extra", List.of("keystone"),
                w -> new Extra(w.get(Keystone.class)));
        assertThat(r.select(List.of("extra"))).containsExactly("mariadb", "memcached", "keystone", "openstackclient",
                "extra");
        AllInOne aio = AllInOne.of(CloudSpec.allInOne().name("reg").slice(9).registry(r).services("extra"));
        Cloud cloud = aio.cloud();
        assertThat(cloud.component(Extra.class).requires()).containsExactly(cloud.component(Keystone.class));
        assertThat(cloud.packages()).contains("hello", "keystone");
        Step.Packages pkgs = aio.recipe().steps().stream().filter(s -> s instanceof Step.Packages)
                .map(s -> (Step.Packages) s).reduce((a, b) -> b).orElseThrow();
        // sorted, whatever order the components were wired in
        assertThat(pkgs.debconf().lines()).containsExactly("hello hello/greet boolean false",
                "keystone keystone/configure_db boolean false", "keystone keystone/create-admin-tenant boolean false",
                "keystone keystone/register-endpoint boolean false");
        assertThat(SchemaSnapshot.buildScript(cloud)).contains("keystone-manage --config-file $d/keystone.conf db_sync",
                "m -e 'CREATE DATABASE extra'").doesNotContain("nova-manage");
    }

    @Test
    void aComponentExtendsTheFilesOfAnotherOnlyWhereItSaysSo(@org.junit.jupiter.api.io.TempDir java.nio.file.Path tmp) {
        List<Component> cs = ServiceRegistry.builtIn().with("extra", List.of("keystone"),
                w -> new Extra(w.get(Keystone.class))).components(List.of("extra"), "fake", Release.ZED);
        Cloud cloud = Cloud.builder("ext").component(cs.toArray(Component[]::new))
                .inventory(Inventory.allInOne("controller-01")).build();
        Deploy d = new Deploy(cloud, null, Secrets.open(tmp.resolve("secrets.json")),
                io.speedling.core.tasks.TaskGraph.builder().build());
        assertThat(d.extensionsOf("/etc/keystone/keystone.conf")).isEqualTo(Map.of("extra", Map.of("greeting",
                "hello"), "token", Map.of("expiration", "7200")));
        assertThat(d.extensionsOf("/etc/nova/nova.conf")).isEmpty();
    }

    @Test
    void badRegistrationsAreRefusedNamingBothSides() {
        ServiceRegistry b = ServiceRegistry.builtIn();
        assertThatThrownBy(() -> b.with("nova", List.of(), w -> null))
                .hasMessage("service 'nova' is registered already; give yours another name");
        assertThatThrownBy(() -> b.with("extra", List.of("trove"), w -> null))
                .hasMessageStartingWith("service 'extra' needs 'trove', which is not registered; the registered "
                        + "services are haproxy, mariadb, rabbitmq");
        assertThatThrownBy(() -> b.with("Extra!", List.of(), w -> null)).hasMessageStartingWith("service name 'Extra!'");
        // a factory that uses a service it did not name among its needs
        ServiceRegistry sloppy = b.with("extra", List.of("keystone"), w -> {
            w.get(io.speedling.openstack.components.Glance.class);
            return new Extra(w.get(Keystone.class));
        });
        assertThatThrownBy(() -> sloppy.components(List.of("extra"), "fake", Release.ZED)).hasMessageStartingWith("no Glance "
                + "among the services made so far");
        assertThatThrownBy(() -> b.select(List.of("extra"))).hasMessageStartingWith("unknown service 'extra'");
        assertThat(b.with("extra", List.of("keystone"), w -> new Extra(w.get(Keystone.class))).components(
                List.of("extra"), "fake", Release.ZED)).anyMatch(c -> c instanceof OpenStackClient);
    }
}
