package io.speedling.openstack;

import io.speedling.core.Fleet;
import io.speedling.core.Node;
import io.speedling.core.tasks.Progress;
import io.speedling.virt.image.BuildListener;
import io.speedling.virt.image.Image;
import io.speedling.virt.image.LayerInfo;
import io.speedling.virt.image.Step;
import io.speedling.virt.nodes.Cluster;
import io.speedling.virt.nodes.NspawnProvider;
import java.nio.file.Path;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A deployed cloud in hand: its credentials, files and node handles. {@link #up} builds or reuses
 * the image, boots the node, deploys (seconds when a kept cloud is reused) and returns it;
 * {@link #close()} removes node, slice and state, unless the cloud is kept (reuse, or a failure
 * the user wants to inspect).
 *
 * <pre>{@code
 * try (OpenStackCloud cloud = OpenStackCloud.up(CloudSpec.allInOne().services("keystone", "glance"))) {
 *     System.out.println(cloud.keystoneUrl() + " " + cloud.admin());
 *     cloud.controller().call(Sh.of("openstack image list"));
 * }
 * }</pre>
 */
public final class OpenStackCloud implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger("speedling.cloud");
    /** The user setting that allows reuse (also a system property, or SPEEDLING_REUSE_ENABLE=true). */
    public static final String REUSE_SETTING = "speedling.reuse.enable";

    private final CloudSpec spec;
    private final AllInOne aio;
    private final Cluster cluster;
    private final Fleet fleet;
    private final DeployResult result;
    private final boolean reused;
    private final boolean reuseEffective;
    private volatile boolean failed;
    private boolean closed;
    private final Thread exitGuard;
    /** The hold on the cloud's name and slice, released by close(). */
    private final AllInOne.Hold held;

    private OpenStackCloud(CloudSpec spec, AllInOne aio, Cluster cluster, Fleet fleet, DeployResult result,
                           boolean reused, boolean reuseEffective, AllInOne.Hold held) {
        this.held = held;
        this.spec = spec;
        this.aio = aio;
        this.cluster = cluster;
        this.fleet = fleet;
        this.result = result;
        this.reused = reused;
        this.reuseEffective = reuseEffective;
        // a JVM that ends without close() (a killed test run, Ctrl-C in jshell) still removes the
        // cloud unless it is kept
        this.exitGuard = onExit(name(), this::closeAtExit);
    }

    /** Stands the cloud up with progress on the console and the user's reuse setting. */
    public static OpenStackCloud up(CloudSpec spec) {
        try (Progress p = Progress.console()) {
            return up(spec, p, reuseEnabled());
        }
    }

    /**
     * Stands the cloud up.
     *
     * @param progress shows image, node and deploy progress
     * @param userAllowsReuse the user's reuse setting; reuse happens only when the spec asks too
     */
    public static OpenStackCloud up(CloudSpec spec, Progress progress, boolean userAllowsReuse) {
        NspawnProvider.checkHost();
        AllInOne aio = allInOne(spec);
        boolean reuse = spec.reuse() && userAllowsReuse;
        AllInOne.Hold held = aio.lock();  // until close(): no other run can take the slice or the cloud meanwhile
        try {
            return up(spec, aio, reuse, held, progress);
        } catch (RuntimeException | Error e) {
            held.close();
            throw e;
        }
    }

    private static OpenStackCloud up(CloudSpec spec, AllInOne aio, boolean reuse, AllInOne.Hold held,
                                     Progress progress) {
        aio.provider().record(aio.slice()).ifPresent(r -> {
            // a cloud the extension derived may be replaced (it was kept for reuse and is not in use: the lock
            // says so); one the user named is never taken over
            if (r.owner() != null && !r.owner().startsWith(CloudSpec.DERIVED_PREFIX)) {
                aio.requireNotAnother(r);
            }
        });
        progress.phase("image", "checking the cache");
        Image image = aio.image(imageListener(progress));
        progress.phaseDone("ready " + image.key().substring(0, 12));
        Cluster cluster = null;
        if (reuse) {
            // a kept cloud of this topology and image converges (seconds); other nodes on the slice are replaced
            cluster = aio.running(image).orElse(null);
            if (cluster != null) {
                progress.line("node: reusing the kept cloud " + spec.cloudName() + " on slice " + aio.slice());
            }
        }
        boolean reused = cluster != null;
        // until the cloud is handed over, a JVM ending mid-way removes what it booted (a reused
        // cloud stays: the user keeps it)
        Thread guard = reused || spec.keepOnFailure() ? null : onExit(spec.cloudName(), aio::wipe);
        if (cluster == null) {
            progress.phase("node", "booting " + String.join(", ", aio.nodeNames()) + " on slice " + aio.slice());
            if (!reuse) {
                Deployer.removeStateDir(aio.deployer().stateDir());  // a fresh cloud gets fresh secrets
            }
            cluster = aio.fresh(image);
            progress.phaseDone(String.join(", ", cluster.nodes().stream().map(n -> n.name() + " at " + n.address())
                    .toList()));
        }
        cluster.keep();  // close() decides
        Fleet fleet = null;
        try {
            fleet = AllInOne.connect(cluster);
            DeployResult r = aio.deployer().listener(progress.label("deploy " + spec.cloudName())).deploy(fleet);
            progress.line(r.summary());
            if (spec.verify()) {
                progress.phase("verify", "openstack client on " + AllInOne.NODE);
                progress.phaseDone(Verifier.format(Verifier.run(fleet.node(AllInOne.NODE), spec.services())));
            }
            release(guard);
            return new OpenStackCloud(spec, aio, cluster, fleet, r, reused, reuse, held);
        } catch (RuntimeException e) {
            release(guard);
            if (fleet != null) {
                fleet.close();
            }
            if (!spec.keepOnFailure()) {
                aio.wipe();
            } else {
                LOG.warn("deploy of {} failed; kept for inspection: ssh -F {} {}", spec.cloudName(),
                        cluster.sshConfig(), AllInOne.NODE);
            }
            throw e;
        }
    }

    /** The all-in-one (or controller + workers) plan of {@code spec}. */
    static AllInOne allInOne(CloudSpec spec) {
        return AllInOne.of(spec);
    }

    /**
     * Removes the cloud of {@code spec} (nodes, slice, state) while holding its locks; refuses a
     * slice that holds another cloud, and a cloud in use by another run.
     */
    public static void wipe(CloudSpec spec) {
        AllInOne aio = allInOne(spec);
        try (AllInOne.Hold held = aio.lock()) {
            aio.wipeOwn();
        }
    }

    /**
     * Whether the user allows reuse: system property or {@code ~/.speedling.properties} key
     * {@value #REUSE_SETTING}, or the environment variable SPEEDLING_REUSE_ENABLE, set to true.
     */
    public static boolean reuseEnabled() {
        String v = UserSettings.value(REUSE_SETTING, "SPEEDLING_REUSE_ENABLE");
        return "true".equalsIgnoreCase(v == null ? null : v.strip());
    }

    public CloudSpec spec() {
        return spec;
    }

    public String name() {
        return spec.cloudName();
    }

    public String keystoneUrl() {
        return result.keystoneUrl();
    }

    /** The admin user's credentials (cloud {@code NAME-admin} of clouds.yaml). */
    public Credentials admin() {
        return Credentials.fromCloudsYaml(result.cloudsYaml(), name() + "-admin");
    }

    /** The demo user's credentials (cloud {@code NAME-demo} of clouds.yaml, project demo, member role). */
    public Credentials demo() {
        return Credentials.fromCloudsYaml(result.cloudsYaml(), name() + "-demo");
    }

    public Path cloudsYaml() {
        return result.cloudsYaml();
    }

    public Path adminOpenrc() {
        return result.adminOpenrc();
    }

    public Path demoOpenrc() {
        return result.demoOpenrc();
    }

    public Path stateDir() {
        return result.stateDir();
    }

    public Path htmlReport() {
        return result.htmlReport();
    }

    /** {@code ssh -F <this> controller-01} logs into the node. */
    public Path sshConfig() {
        return cluster.sshConfig();
    }

    /** The connected node handles (remote calls run on their agents). */
    public Fleet fleet() {
        return fleet;
    }

    /** The node running the APIs (all of them, in an all-in-one cloud). */
    public Node controller() {
        return fleet.node(AllInOne.NODE);
    }

    public Cluster cluster() {
        return cluster;
    }

    /** The deploy of this run (on reuse, the converging rerun: seconds, nothing restarted). */
    public DeployResult deployResult() {
        return result;
    }

    /** Whether this run picked up a kept cloud instead of booting a new node. */
    public boolean reused() {
        return reused;
    }

    /** Marks that something using the cloud failed; with keepOnFailure the cloud then survives close(). */
    public void markFailed() {
        failed = true;
    }

    /** Whether close() will leave the cloud running. */
    public boolean kept() {
        return reuseEffective || (failed && spec.keepOnFailure());
    }

    /** Disconnects; removes node, slice and state unless the cloud is {@link #kept()}. */
    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        release(exitGuard);
        closeNow();
    }

    private synchronized void closeAtExit() {
        if (!closed) {
            LOG.warn("the JVM ends with cloud {} open: closing it", name());
            closeNow();
        }
    }

    /** Runs {@code action} when the JVM ends, unless {@link #release}d first. */
    private static Thread onExit(String cloud, Runnable action) {
        Thread t = new Thread(action, "speedling-exit-" + cloud);
        Runtime.getRuntime().addShutdownHook(t);
        return t;
    }

    private static void release(Thread exitHook) {
        if (exitHook == null) {
            return;
        }
        try {
            Runtime.getRuntime().removeShutdownHook(exitHook);
        } catch (IllegalStateException e) {
            // the JVM is ending: the hook runs (or ran) and finds nothing left to do
        }
    }

    private void closeNow() {
        closed = true;
        try {
            closeHeld();
        } finally {
            held.close();
        }
    }

    private void closeHeld() {
        fleet.close();
        if (kept()) {
            LOG.info("cloud {} kept{}: ssh -F {} {}; remove it with speedling-examples/bin/cloud --wipe --name {} "
                    + "--slice {}", name(), failed ? " for inspection after a failure" : " for reuse", sshConfig(),
                    AllInOne.NODE, name(), aio.slice());
        } else {
            aio.wipe();
        }
    }

    @Override
    public String toString() {
        return "OpenStackCloud[" + name() + " " + keystoneUrl() + " services=" + spec.services() + "]";
    }

    /** Image build events as the progress display's detail line (and the usual log lines). */
    public static BuildListener imageListener(Progress progress) {
        BuildListener log = BuildListener.logging();
        return new BuildListener() {
            @Override
            public void cached(LayerInfo layer) {
                log.cached(layer);
                progress.detail("layer " + layer.shortKey() + " cached");
            }

            @Override
            public void started(String key, Step step, int index, int total) {
                log.started(key, step, index, total);
                progress.detail("building layer " + index + "/" + total + " " + step.kind());
            }

            @Override
            public void output(String key, String line) {
                log.output(key, line);
            }

            @Override
            public void stillBuilding(String key, Step step, double seconds, String lastLine) {
                log.stillBuilding(key, step, seconds, lastLine);
            }

            @Override
            public void built(LayerInfo layer) {
                log.built(layer);
                progress.line(String.format("image: layer %s built in %.1f s (%d MiB): %s", layer.shortKey(),
                        layer.buildSeconds(), layer.sizeBytes() >> 20, layer.description()));
            }
        };
    }
}
