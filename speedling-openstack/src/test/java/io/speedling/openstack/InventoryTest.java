package io.speedling.openstack;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class InventoryTest {
    private static final String NOVA = "/etc/nova/nova.conf";

    @Test
    void overridesArePerNodeAndFileAndLaterOnesWin() {
        Inventory inv = Inventory.controllerAndWorkers("controller-01", List.of("worker-01", "worker-02"))
                .config("worker-01", NOVA, "DEFAULT", "debug", "true")
                .config("worker-01", NOVA, Map.of("DEFAULT", Map.of("debug", "false", "cpu_allocation_ratio", "4.0")))
                .config("controller-01", NOVA, "api", "max_limit", "50");
        assertThat(inv.configFor("worker-01", NOVA)).isEqualTo(Map.of("DEFAULT",
                Map.of("debug", "false", "cpu_allocation_ratio", "4.0")));
        assertThat(inv.configFor("worker-02", NOVA)).isEmpty();
        assertThat(inv.configFor("controller-01", "/etc/glance/glance-api.conf")).isEmpty();
        assertThat(inv.configFiles()).isEqualTo(Map.of("worker-01", java.util.Set.of(NOVA), "controller-01",
                java.util.Set.of(NOVA)));
        assertThat(inv.nodesWith(Inventory.COMPUTE)).containsExactly("worker-01", "worker-02");
    }

    @Test
    void anOverlayKeepsTheBaseAndSetsTheOverriddenKeys() {
        Map<String, Map<String, String>> base = Map.of("DEFAULT", Map.of("debug", "false", "host", "a"),
                "api", Map.of("x", "1"));
        assertThat(Inventory.overlay(base, Map.of("DEFAULT", Map.of("debug", "true"), "new", Map.of("k", "v"))))
                .isEqualTo(Map.of("DEFAULT", Map.of("debug", "true", "host", "a"), "api", Map.of("x", "1"), "new",
                        Map.of("k", "v")));
        assertThat(base.get("DEFAULT")).containsEntry("debug", "false");
        assertThat(Inventory.overlay(base, Map.of())).isSameAs(base);
    }

    @Test
    void badOverridesAreRefusedNamingWhatIsWrong() {
        Inventory inv = Inventory.allInOne("controller-01");
        assertThatThrownBy(() -> inv.config("controler-01", NOVA, "DEFAULT", "debug", "true"))
                .hasMessage("cannot override config on node 'controler-01': the inventory has no such node; its nodes "
                        + "are [controller-01]");
        assertThatThrownBy(() -> inv.config("controller-01", "nova.conf", "DEFAULT", "debug", "true"))
                .hasMessageContaining("'nova.conf' is not a normalised absolute file path");
        assertThatThrownBy(() -> inv.config("controller-01", NOVA, "DEF AULT]", "debug", "true"))
                .hasMessageContaining("'DEF AULT]' is not a valid section");
        assertThatThrownBy(() -> inv.config("controller-01", NOVA, "DEFAULT", "debug = x", "true"))
                .hasMessageContaining("'debug = x' is not a valid key in [DEFAULT]");
        assertThatThrownBy(() -> inv.config("controller-01", NOVA, "DEFAULT", "debug", "true\n[evil]"))
                .hasMessageContaining("the value must be one line");
        assertThat(inv.configFiles()).isEmpty();
    }

    @Test
    void aKeyOrSectionThatWouldWriteACommentOrAHeaderIsRefused() {
        // '#debug' was written as a comment and added again on every rerun, restarting the service each time
        Inventory inv = Inventory.allInOne("controller-01");
        for (String key : new String[] {"#debug", ";debug", "[x", "de\rbug", "", " debug", "a]"}) {
            assertThatThrownBy(() -> inv.config("controller-01", NOVA, "DEFAULT", key, "y]")).as(key)
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("is not a valid key in [DEFAULT] (letters, digits, '_', '.', '-'; not "
                            + "starting with '#', ';' or '[')");
        }
        for (String section : new String[] {"[x", "#x", "x y", "a\rb", ""}) {
            assertThatThrownBy(() -> inv.config("controller-01", NOVA, section, "debug", "true")).as(section)
                    .hasMessageContaining("is not a valid section");
        }
        for (String value : new String[] {"a\rb", "a\u0000b", "\u001b[31mred", " true", "true "}) {
            assertThatThrownBy(() -> inv.config("controller-01", NOVA, "DEFAULT", "debug", value)).as(value)
                    .hasMessageContaining("the value must be one line without control characters");
        }
        assertThat(inv.config("controller-01", "/etc/my.cnf.d/99-x.cnf", "filter:authtoken", "bind-address",
                "mysql+pymysql://u:p@h/db?charset=utf8 [ok]").configFiles()).hasSize(1);
    }

    @Test
    void aPathThatIsNotNormalisedIsRefusedBeforeTheDeploy() {
        Inventory inv = Inventory.allInOne("controller-01");
        for (String path : new String[] {"/etc/nova/../nova/nova.conf", "/etc/nova/./nova.conf", "/etc/nova/nova.conf ",
                "/etc//nova.conf", "/etc/nova/", "/etc/no va.conf", "/", "relative/x.conf", "/etc/x\n.conf"}) {
            assertThatThrownBy(() -> inv.config("controller-01", path, "DEFAULT", "debug", "true")).as(path)
                    .hasMessageContaining("is not a normalised absolute file path");
        }
    }

    @Test
    void anOverrideIsReadFromItsTextForm() {
        assertThat(ConfigOverride.parse("worker-01:/etc/nova/nova.conf:DEFAULT.debug=true"))
                .isEqualTo(new ConfigOverride("worker-01", NOVA, "DEFAULT", "debug", "true"));
        assertThat(ConfigOverride.parse("controller-01:/etc/mysql/my.cnf:mysqld.sql_mode=A=B.C:D"))
                .isEqualTo(new ConfigOverride("controller-01", "/etc/mysql/my.cnf", "mysqld", "sql_mode", "A=B.C:D"));
        assertThat(ConfigOverride.parse("controller-01:/etc/x.conf:oslo_messaging_rabbit.amqp.durable=true"))
                .extracting(ConfigOverride::section, ConfigOverride::key)
                .containsExactly("oslo_messaging_rabbit.amqp", "durable");
        assertThat(ConfigOverride.parse("controller-01:/etc/a.conf:s.k=").value()).isEmpty();
        for (String bad : List.of("debug=true", "controller-01:/etc/nova/nova.conf:debug=true",
                "controller-01:/etc/nova/nova.conf:DEFAULT.debug", ":/etc/a.conf:s.k=v", "n:/etc/a.conf:.k=v",
                "n:/etc/a.conf:s.=v")) {
            assertThatThrownBy(() -> ConfigOverride.parse(bad)).as(bad)
                    .hasMessage("config override '" + bad + "' is not of the form " + ConfigOverride.FORM);
        }
    }

    @Test
    void aSpecChecksItsOverridesAgainstItsNodesAndTheyChangeItsHash() {
        CloudSpec plain = CloudSpec.allInOne().services("keystone");
        CloudSpec debug = plain.config("controller-01:/etc/keystone/keystone.conf:DEFAULT.debug=true");
        assertThat(debug.config()).containsExactly(new ConfigOverride("controller-01", "/etc/keystone/keystone.conf",
                "DEFAULT", "debug", "true"));
        assertThat(debug.hash()).isNotEqualTo(plain.hash());
        assertThat(plain.config("controller-01:/etc/keystone/keystone.conf:DEFAULT.debug=true")).isEqualTo(debug);
        assertThatThrownBy(() -> plain.config("worker-01:/etc/nova/nova.conf:DEFAULT.debug=true"))
                .hasMessageContaining("node 'worker-01': the inventory has no such node; its nodes are [controller-01]");
        assertThat(plain.workers(1).config("worker-01:/etc/nova/nova.conf:DEFAULT.debug=true").config()).hasSize(1);
        Inventory inv = Inventory.controllerAndWorkers("controller-01", List.of("worker-01")).config(List.of(
                ConfigOverride.parse("worker-01:/etc/nova/nova.conf:DEFAULT.debug=true")));
        assertThat(ServiceRegistry.builtIn().cloud("t", inv, List.of("nova"), "fake", Release.ZED).inventory().configFor("worker-01", NOVA))
                .isEqualTo(Map.of("DEFAULT", Map.of("debug", "true")));
    }

    @Test
    void aSpecsComputeDriverIsCheckedAndChangesItsHashUnlessItIsTheDefault() {
        CloudSpec plain = CloudSpec.allInOne();
        assertThat(plain.computeDriver()).isEqualTo("fake.FakeDriver");
        assertThat(plain.computeDriver("fake").hash()).isEqualTo(plain.hash());
        assertThat(plain.computeDriver("libvirt").computeDriver()).isEqualTo("libvirt.LibvirtDriver");
        assertThat(plain.computeDriver("libvirt").hash()).isNotEqualTo(plain.hash());
        assertThatThrownBy(() -> plain.computeDriver("xen")).hasMessageStartingWith("unknown compute driver 'xen'");
    }

    @Test
    void storageNodesHoldTheStorageRoleAloneAndChangeTheHashOnlyWhenThere() {
        CloudSpec plain = CloudSpec.allInOne();
        assertThat(plain.storage(0).hash()).isEqualTo(plain.hash());
        CloudSpec two = plain.workers(1).storage(2);
        assertThat(two.hash()).isNotEqualTo(plain.workers(1).hash());
        assertThat(two.topology()).isEqualTo("controller+1 workers+2 storage");
        Inventory inv = AllInOne.inventory(1, 1, 2, 5);
        assertThat(inv.nodes()).containsExactly("controller-01", "worker-01", "storage-01", "storage-02");
        assertThat(inv.nodesWith(Inventory.STORAGE)).containsExactly("storage-01", "storage-02");
        assertThat(inv.rolesOf("storage-02")).containsExactly(Inventory.STORAGE);
        assertThat(AllInOne.of(CloudSpec.allInOne().name("t").slice(5).storage(2)).plan().nodes()).extracting(n -> n.name())
                .containsExactly("controller-01", "storage-01", "storage-02");
        assertThat(two.config("storage-02:/etc/ceph/ceph.conf:global.debug_osd=1").config()).hasSize(1);
        assertThatThrownBy(() -> plain.storage(9)).hasMessageStartingWith("storage nodes 9 is out of range");
    }

    @Test
    void severalControllersStandBehindAVirtualIpOfTheirSlice() {
        CloudSpec ha = CloudSpec.allInOne().controllers(3).workers(1).slice(7);
        assertThat(ha.topology()).isEqualTo("3 controllers+1 workers");
        Inventory inv = ha.inventory();
        assertThat(inv.nodesWith(Inventory.CONTROLLER)).containsExactly("controller-01", "controller-02", "controller-03");
        assertThat(inv.nodesWith(Inventory.COMPUTE)).containsExactly("worker-01");
        assertThat(inv.virtualIp()).contains("10.231.7.250");
        assertThat(inv.nodesWith(Inventory.NETWORK)).containsExactly("controller-01", "controller-02");
        assertThat(CloudSpec.allInOne().slice(7).inventory().nodesWith(Inventory.NETWORK)).isEmpty();
        // without workers the controllers are the compute nodes too; one controller has no virtual IP
        assertThat(CloudSpec.allInOne().controllers(3).slice(7).inventory().nodesWith(Inventory.COMPUTE)).hasSize(3);
        assertThat(CloudSpec.allInOne().slice(7).inventory().virtualIp()).isEmpty();
        assertThat(AllInOne.of(ha.name("ha")).plan().nodes()).extracting(n -> n.name())
                .containsExactly("controller-01", "controller-02", "controller-03", "worker-01");
        // the load balancer comes with the virtual IP, whatever the selection
        assertThat(ha.services("keystone").cloud().components()).extracting(Component::name).contains("haproxy");
        for (int n : new int[] {0, 2, 4, 6}) {
            assertThatThrownBy(() -> CloudSpec.allInOne().controllers(n)).hasMessageStartingWith("controllers " + n
                    + " is not possible: give 1, 3 or 5");
        }
    }

    @Test
    void aSpecsTempestSelectionNeedsTheTempestServiceAndLeavesTheHashAlone() {
        CloudSpec plain = CloudSpec.allInOne();
        assertThat(plain.tempest("smoke").hash()).isEqualTo(plain.hash());
        assertThat(OpenStackCloud.allInOne(plain.tempest("tempest.api.identity")).cloud().component(
                io.speedling.openstack.components.Tempest.class).selection()).isEqualTo("tempest.api.identity");
        assertThatThrownBy(() -> plain.tempest("smoke").bare()).hasMessageStartingWith("cannot run Tempest 'smoke': "
                + "the cloud's services").hasMessageContaining("leave out tempest");
        assertThatThrownBy(() -> plain.tempest("")).hasMessageStartingWith("Tempest selection '': give \"smoke\"");
    }
}
