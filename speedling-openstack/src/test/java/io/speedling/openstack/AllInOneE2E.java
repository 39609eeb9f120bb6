package io.speedling.openstack;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.speedling.core.Fleet;
import io.speedling.core.SpeedlingException;
import io.speedling.core.functions.Sh;
import io.speedling.openstack.components.MariaDb;
import io.speedling.openstack.remote.Once;
import io.speedling.virt.HostTool;
import io.speedling.virt.image.Image;
import io.speedling.virt.image.ImageCache;
import io.speedling.virt.image.Recipes;
import io.speedling.virt.nodes.Cluster;
import io.speedling.virt.nodes.NspawnProvider;
import io.speedling.virt.nodes.SlicePlan;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The whole all-in-one deploy on a fresh nspawn node (slice 230), verified with the real client,
 * then rerun. The image cache is the user's default one, so a second CI run on the same machine
 * reuses the image; a cold run builds it. Slices 230-232 are this test's own.
 */
@org.junit.jupiter.api.Order(E2eOrder.ALL_IN_ONE)
@Timeout(value = 40, unit = TimeUnit.MINUTES)
class AllInOneE2E {
    static final Path STATE = Path.of("target", "e2e-openstack").toAbsolutePath();
    /** Tempest's smoke tests of identity, images, object and block storage: what CI runs of Tempest. */
    static final String TEMPEST = "^tempest\\.api\\.(identity|image|object_storage|volume)\\..*\\bsmoke\\b";
    static NspawnProvider provider;
    static ImageCache cache;

    @BeforeAll
    static void host() {
        assumeTrue("root".equals(System.getProperty("user.name")), "needs root (containers)");
        List<HostTool> missing = HostTool.missing(HostTool.MMDEBSTRAP, HostTool.SYSTEMD_NSPAWN, HostTool.NFT,
                HostTool.IP);
        assumeTrue(missing.isEmpty(), () -> "missing host tools: " + missing);
        provider = NspawnProvider.create(STATE.resolve("nodes"));
        cache = ImageCache.openDefault();
        for (int s = 230; s <= 232; s++) {
            provider.wipe(s);
        }
    }

    @AfterAll
    static void wipe() {
        if (provider != null) {
            for (int s = 230; s <= 232; s++) {
                provider.wipe(s);
            }
        }
    }

    @Test
    void deployVerifyAndRerunWithoutRestarts() throws Exception {
        AllInOne aio = AllInOne.of(CloudSpec.allInOne().name("e2e").slice(230)).cache(cache).provider(provider);
        Image image = aio.image();
        Path state = STATE.resolve("cloud");
        Path log = state.resolve("deploy.log");
        long logBefore = Files.exists(log) ? Files.size(log) : 0;  // an earlier local run's lines stay
        try (Cluster cluster = aio.nodes(image); Fleet fleet = AllInOne.connect(cluster)) {
            Deployer deployer = Deployer.of(aio.cloud(), state);
            DeployResult r = deployer.deploy(fleet);
            assertThat(r.report().failed()).isEmpty();
            assertThat(r.keystoneUrl()).isEqualTo("http://10.231.230.10:5000/v3");
            for (Path p : List.of(r.cloudsYaml(), r.adminOpenrc(), r.demoOpenrc(), state.resolve("secrets.json"))) {
                assertThat(java.nio.file.attribute.PosixFilePermissions.toString(Files.getPosixFilePermissions(p)))
                        .as(p.toString()).isEqualTo("rw-------");
            }
            String report = Files.readString(r.reportFile());
            String adminPassword = deployer.secrets().get("keystone-admin");
            assertThat(report).contains("\"nova.db_sync\"").doesNotContain(adminPassword);
            assertThat(Files.readString(r.htmlReport())).doesNotContain(adminPassword);
            String dom = Chromium.render(r.htmlReport(), STATE.resolve("report.png"));
            assertThat(dom).contains("<svg class=\"timeline\"", "<svg class=\"graph\"", "deploy of cloud e2e");
            assertThat(dom.split("class=\"bar ok\"", -1)).hasSize(r.report().tasks().size() + 1);

            Map<String, Double> steps = Verifier.run(fleet.node(AllInOne.NODE));
            assertThat(steps).containsOnlyKeys("client_session", "volume_available", "server_active",
                    "server_snapshot", "volume_attach", "volume_detach", "volume_delete", "server_delete");
            // the eventlet APIs serve from one thread: with several, Neutron logged greenlet errors and
            // once never answered a request
            String apis = fleet.node(AllInOne.NODE).call(Sh.checked("grep -h '^threads' "
                    + "/etc/nova/nova-api-uwsgi.ini /etc/neutron/neutron-api-uwsgi.ini; "
                    + "grep -c 'cannot switch to a different thread' /var/log/neutron/neutron-api.log "
                    + "/var/log/nova/nova-api.log || true")).stdout();
            assertThat(apis.lines()).containsExactly("threads = 1", "threads = 1",
                    "/var/log/neutron/neutron-api.log:0", "/var/log/nova/nova-api.log:0");

            // OpenStack's own tests against the complete cloud, as `bin/cloud --tempest REGEX` asks for them:
            // the deploy's last task (a failed test fails the deploy, naming it with its error); the counts
            // and each skip with its reason are the task's outcome in the reports and the summary. CI runs
            // the smoke tests of identity, image, block and object storage (TEMPEST); -Dspeedling.e2e.tempest=smoke
            // runs all of Tempest's smoke tests (8-14 minutes here; the README has their last figures)
            DeployResult tested = Deployer.of(aio.spec().tempest(System.getProperty("speedling.e2e.tempest", TEMPEST)).cloud(),
                    state).deploy(fleet);
            System.out.println(tested.summary());
            String outcome = tested.report().task("tempest.run").outcome();
            // each skip with its reason, where there are any (2025.1's subset skips none, Zed's some)
            assertThat(outcome).matches("(?s)\\d+ passed, 0 failed, (0 skipped in \\d+ s|[1-9]\\d* skipped in \\d+ s\n"
                    + ".*skipped: .*)");
            assertThat(Integer.parseInt(outcome.substring(0, outcome.indexOf(' ')))).isGreaterThan(30);
            assertThat(tested.restarted()).as("services restarted by the run that added Tempest's tests").isZero();
            assertThat(tested.summary()).contains("tempest.run: " + outcome.lines().findFirst().orElseThrow());
            assertThat(Files.readString(tested.reportFile())).contains("\"outcome\"");
            assertThat(Files.readString(tested.htmlReport())).contains("<h3>tempest.run</h3>");

            DeployResult again = deployer.deploy(fleet);
            assertThat(again.restarted()).as("services restarted by a rerun with nothing changed").isZero();
            assertThat(deployer.secrets().get("keystone-admin")).isEqualTo(adminPassword);

            assertThat(java.nio.file.attribute.PosixFilePermissions.toString(Files.getPosixFilePermissions(log)))
                    .isEqualTo("rw-------");
            String logText = Files.readString(log).substring((int) logBefore);
            assertThat(logText).contains("deploy of cloud e2e onto [controller-01]", "start   nova.start",
                    "ok      nova.start (").doesNotContain(adminPassword);
            assertThat(logText.split("run ended: " + r.report().tasks().size() + " tasks in ", -1))
                    .as("one result line per deploy of the 57 tasks").hasSize(3);
            assertThat(logText).contains("run ended: " + tested.report().tasks().size() + " tasks in ");
        }
    }

    @Test
    void aNodeWithoutThePackagesIsNamedWithWhatItLacks() {
        Image plain = cache.build(Recipes.node(CloudSpec.allInOne().release().suite()));
        try (Cluster c = provider.cycle(SlicePlan.slice(231).node("controller", 1).build(), plain);
             Fleet fleet = AllInOne.connect(c)) {
            Deployer d = Deployer.of(CloudSpec.allInOne().name("bare").cloud(), STATE.resolve("bare"));
            assertThatThrownBy(() -> d.deploy(fleet))
                    .isInstanceOf(SpeedlingException.class)
                    .hasMessageContaining("nodes lack packages of cloud bare:\n  controller-01: ")
                    .hasMessageContaining("keystone")
                    .hasMessageContaining("installPackages(true)");
        }
    }

    /** A component whose db sync fails, to see what the report says. */
    static final class BrokenSync extends FixtureComponent {
        private final MariaDb db;

        BrokenSync(MariaDb db) {
            super("broken", List.of(db), List.of("coreutils"), List.of());
            this.db = db;
        }

        @Override
        protected void plan(Deploy d) {
            d.task(name() + ".db_sync", ctx -> d.onController(new Once("broken-sync", "1", List.of("sh", "-c",
                    "echo 'table speedling_test already exists' >&2; exit 3"), Map.of(), null)),
                    db.schemas(d));
        }
    }

    @Test
    void aFailingDbSyncNamesComponentNodeCommandAndOutput() {
        Image image = AllInOne.of(CloudSpec.allInOne().name("e2e").slice(232)).cache(cache).image();
        try (Cluster c = provider.cycle(SlicePlan.slice(232).node("controller", 1).build(), image);
             Fleet fleet = AllInOne.connect(c)) {
            MariaDb db = new MariaDb();
            Cloud cloud = Cloud.builder("broken").component(db, new BrokenSync(db))
                    .inventory(Inventory.allInOne(AllInOne.NODE)).build();
            assertThatThrownBy(() -> Deployer.of(cloud, STATE.resolve("broken")).deploy(fleet))
                    .isInstanceOf(DeployFailedException.class)
                    .hasMessageContaining("broken.db_sync")
                    .hasMessageContaining("node controller-01")
                    .hasMessageContaining("sh -c")
                    .hasMessageContaining("exit code 3")
                    .hasMessageContaining("table speedling_test already exists");
            assertThat(STATE.resolve("broken").resolve("deploy.log")).content()
                    .contains("FAILED  broken.db_sync (", "table speedling_test already exists", "1 failed, 0 aborted",
                            "deploy failed: deploy of cloud broken failed");
        }
    }

    /** The inventory's per-node overrides reach the running service; one of a file nobody writes fails. */
    @Test
    void inventoryOverridesWinAndATypoInTheirPathIsNamed() {
        Image image = AllInOne.of(CloudSpec.allInOne().name("e2e").slice(232)).cache(cache).image();
        try (Cluster c = provider.cycle(SlicePlan.slice(232).node("controller", 1).build(), image);
             Fleet fleet = AllInOne.connect(c)) {
            String cnf = "/etc/mysql/mariadb.conf.d/99-speedling.cnf";
            Inventory inv = Inventory.allInOne(AllInOne.NODE).config(AllInOne.NODE, cnf, "mysqld", "max_connections",
                    "1234");
            Cloud cloud = Cloud.builder("overrides").component(new MariaDb()).inventory(inv).build();
            DeployResult r = Deployer.of(cloud, STATE.resolve("overrides")).deploy(fleet);
            assertThat(r.report().failed()).isEmpty();
            assertThat(fleet.node(AllInOne.NODE).call(Sh.checked("mysql -N -e 'select @@max_connections'")).stdout())
                    .as("the component's own max_connections (1000) overridden").isEqualTo("1234\n");

            Cloud typo = Cloud.builder("overrides").component(new MariaDb()).inventory(inv.config(AllInOne.NODE,
                    "/etc/mysql/mariadb.conf.d/99-speedlng.cnf", "mysqld", "max_connections", "99")).build();
            assertThatThrownBy(() -> Deployer.of(typo, STATE.resolve("overrides")).deploy(fleet))
                    .isInstanceOf(DeployFailedException.class)
                    .hasMessageContaining("inventory config overrides took no effect")
                    .hasMessageContaining("controller-01:/etc/mysql/mariadb.conf.d/99-speedlng.cnf")
                    .hasMessageContaining("the INI files merged on controller-01 are [" + cnf + "]");
        }
    }

    @Test
    void anUnreachableNodeIsNamed() {
        var spec = io.speedling.core.NodeSpec.ssh("ghost", io.speedling.core.SshTarget.of("10.231.232.99")
                .identity(STATE.resolve("none")));
        assertThatThrownBy(() -> Fleet.builder().node(spec).connectTimeout(java.time.Duration.ofSeconds(3)).connect())
                .hasMessageContaining("ghost");
    }
}
