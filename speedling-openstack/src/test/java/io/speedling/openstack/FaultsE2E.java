package io.speedling.openstack;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.speedling.core.FileSpec;
import io.speedling.core.Fleet;
import io.speedling.core.functions.Sh;
import io.speedling.core.functions.WriteFile;
import io.speedling.core.tasks.TaskListener;
import io.speedling.openstack.components.MariaDb;
import io.speedling.openstack.remote.Services;
import io.speedling.openstack.remote.WaitHttp;
import io.speedling.virt.image.Image;
import io.speedling.virt.image.ImageCache;
import io.speedling.virt.internal.ProcessId;
import io.speedling.virt.nodes.Cluster;
import io.speedling.virt.nodes.NspawnProvider;
import io.speedling.virt.nodes.SlicePlan;
import io.speedling.virt.internal.SliceState;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Faults for real: a node's container killed mid-deploy, a service that never becomes ready, a
 * start that fails once.
 * Slices 233-234 are this test's own.
 */
@org.junit.jupiter.api.Order(E2eOrder.FAULTS)
@Timeout(value = 20, unit = TimeUnit.MINUTES)
class FaultsE2E {
    static final Path STATE = Path.of("target", "e2e-faults").toAbsolutePath();
    static NspawnProvider provider;
    static ImageCache cache;

    @BeforeAll
    static void host() {
        assumeTrue("root".equals(System.getProperty("user.name")), "needs root (containers)");
        assumeTrue(NspawnProvider.hostProblem().isEmpty(), () -> NspawnProvider.hostProblem().orElse(""));
        provider = NspawnProvider.create(STATE.resolve("nodes"));
        cache = ImageCache.openDefault();
        provider.wipe(233);
        provider.wipe(234);
    }

    @AfterAll
    static void wipe() {
        if (provider != null) {
            provider.wipe(233);
            provider.wipe(234);
        }
    }

    @Test
    void aContainerKilledMidDeployFailsTheDeployNamingTheNodeAndARerunOnANewNodeCompletes() throws Exception {
        AllInOne aio = AllInOne.of(CloudSpec.allInOne().name("faults").slice(233).services("keystone", "glance")).cache(cache)
                .provider(provider);
        Image image = aio.image();
        Path state = STATE.resolve("killed");
        CompletableFuture<Void> bootstrapStarted = new CompletableFuture<>();
        try (Cluster cluster = provider.cycle(aio.plan(), image); Fleet fleet = AllInOne.connect(cluster)) {
            Deployer d = Deployer.of(aio.cloud(), state).listener(new TaskListener() {
                @Override
                public void taskStarted(String task) {
                    if (task.equals("keystone.bootstrap")) {
                        bootstrapStarted.complete(null);
                    }
                }
            });
            CompletableFuture<DeployResult> deploy = CompletableFuture.supplyAsync(() -> d.deploy(fleet));
            bootstrapStarted.get(5, TimeUnit.MINUTES);
            SliceState s = SliceState.read(provider.stateDir().resolve("slice-233/slice.json")).orElseThrow();
            ProcessId nspawn = ProcessId.parse(s.nodes.get(AllInOne.NODE).nspawn);
            long t0 = System.nanoTime();
            for (ProcessId init : nspawn.children()) {
                init.signal("KILL");  // the container's PID 1: its whole PID namespace goes with it
            }
            nspawn.signal("KILL");
            assertThatThrownBy(() -> deploy.get(2, TimeUnit.MINUTES)).hasCauseInstanceOf(DeployFailedException.class)
                    .cause().hasMessageContaining("node controller-01").hasMessageContaining("lost")
                    .hasMessageContaining("keystone.");
            double seconds = (System.nanoTime() - t0) / 1e9;
            System.out.printf("faults: deploy failed %.1f s after its node was killed%n", seconds);
            assertThat(state.resolve("deploy.log")).content().contains("FAILED  keystone.");
        }
        // the same cloud onto a re-created node: its state (secrets) is reused, the deploy completes
        try (Cluster cluster = provider.cycle(aio.plan(), image); Fleet fleet = AllInOne.connect(cluster)) {
            DeployResult r = Deployer.of(aio.cloud(), state).deploy(fleet);
            assertThat(r.report().failed()).isEmpty();
            assertThat(Verifier.run(fleet.node(AllInOne.NODE), aio.spec().services())).containsKey("client_session");
        }
    }

    /** A component with a service that runs but never answers on its port. */
    static final class Silent extends FixtureComponent {
        static final String UNIT = "speedling-silent";
        private final MariaDb db;

        Silent(MariaDb db) {
            super("silent", List.of(db), List.of("coreutils"), List.of(UNIT));
            this.db = db;
        }

        @Override
        protected void plan(Deploy d) {
            var start = d.task(name() + ".start", ctx -> {
                d.onController(new WriteFile("/etc/systemd/system/" + UNIT + ".service", ("[Service]\n"
                        + "ExecStart=/bin/sh -c 'echo silent: listening on nothing at all; exec sleep infinity'\n"
                        + "[Install]\nWantedBy=multi-user.target\n").getBytes(), FileSpec.mode(0644)));
                d.onController(Sh.checked("systemctl daemon-reload"));
                d.onController(new Services(List.of(UNIT), false));
                return null;
            }, db.started(d));
            d.task(name() + ".ready", ctx -> d.onController(new WaitHttp("http://127.0.0.1:9/", 8, UNIT)), start);
        }
    }

    /** A unit whose start fails the first time (its ExecStartPre says so in the journal), with or without Restart=. */
    static final class FailsOnce extends FixtureComponent {
        private final boolean restarts;

        FailsOnce(String unit, boolean restarts) {
            super(unit, List.of(), List.of("coreutils"), List.of(unit));
            this.restarts = restarts;
        }

        @Override
        protected void plan(Deploy d) {
            String unit = name();
            d.task(name() + ".start", ctx -> {
                d.onController(new WriteFile("/etc/systemd/system/" + unit + ".service", ("[Service]\n"
                        + "ExecStartPre=/bin/sh -c 'if [ ! -e /run/" + unit + ".once ]; then touch /run/" + unit
                        + ".once; echo " + unit + ": the first start fails; exit 3; fi'\n"
                        + "ExecStart=/bin/sleep infinity\n"
                        + (restarts ? "Restart=on-failure\nRestartSec=1\n" : "Restart=no\n")
                        + "[Install]\nWantedBy=multi-user.target\n").getBytes(), FileSpec.mode(0644)));
                d.onController(Sh.checked("systemctl daemon-reload"));
                d.onController(new Services(List.of(unit), false));
                return null;
            });
        }
    }

    @Test
    void aStartThatFailsOnceIsAcceptedWhenSystemdRestartsTheUnitAndReportedWithItsJournalWhenNot() {
        Image image = AllInOne.of(CloudSpec.allInOne().name("faults").slice(234)).cache(cache).image();
        try (Cluster c = provider.cycle(SlicePlan.slice(234).node("controller", 1).build(), image);
             Fleet fleet = AllInOne.connect(c)) {
            Cloud restarted = Cloud.builder("restarted").component(new FailsOnce("speedling-restarted", true))
                    .inventory(Inventory.allInOne(AllInOne.NODE)).build();
            Deployer.of(restarted, STATE.resolve("restarted")).deploy(fleet);
            assertThat(fleet.node(AllInOne.NODE).call(Sh.checked("systemctl is-active speedling-restarted; "
                    + "journalctl -u speedling-restarted -o cat | grep -c 'the first start fails'")).stdout())
                    .isEqualTo("active\n1\n");

            Cloud failed = Cloud.builder("failed").component(new FailsOnce("speedling-failed", false))
                    .inventory(Inventory.allInOne(AllInOne.NODE)).build();
            assertThatThrownBy(() -> Deployer.of(failed, STATE.resolve("failed")).deploy(fleet))
                    .isInstanceOf(DeployFailedException.class)
                    .hasMessageContaining("speedling-failed.start")
                    .hasMessageContaining("systemctl start speedling-failed failed")
                    .hasMessageContaining("journal of speedling-failed:")
                    .hasMessageContaining("speedling-failed: the first start fails");
        }
    }

    @Test
    void aServiceThatNeverBecomesReadyFailsAtItsLimitNamingServiceNodeAndJournal() {
        Image image = AllInOne.of(CloudSpec.allInOne().name("faults").slice(234)).cache(cache).image();
        try (Cluster c = provider.cycle(SlicePlan.slice(234).node("controller", 1).build(), image);
             Fleet fleet = AllInOne.connect(c)) {
            MariaDb db = new MariaDb();
            Cloud cloud = Cloud.builder("silent").component(db, new Silent(db))
                    .inventory(Inventory.allInOne(AllInOne.NODE)).build();
            assertThatThrownBy(() -> Deployer.of(cloud, STATE.resolve("silent")).deploy(fleet))
                    .isInstanceOf(DeployFailedException.class)
                    .hasMessageContaining("silent.ready")
                    .hasMessageContaining("service speedling-silent on node controller-01 did not answer "
                            + "http://127.0.0.1:9/ within 8 s")
                    .hasMessageContaining("silent: listening on nothing at all");
        }
    }
}
