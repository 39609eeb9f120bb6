package io.speedling.openstack;

import io.speedling.core.Fleet;
import io.speedling.core.Node;
import io.speedling.core.tasks.Progress;
import io.speedling.virt.image.BuildListener;
import io.speedling.virt.image.Image;
import io.speedling.virt.image.LayerInfo;
import io.speedling.virt.image.Step;
import io.speedling.virt.nodes.Cluster;
import java.nio.file.Path;
import java.util.Optional;
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
        if (spec.hosts() != null) {
            return upOnHosts(spec, progress);
        }
        spec.provider().checkHost();
        AllInOne aio = allInOne(spec);
        boolean reuse = spec.reuse() && userAllowsReuse;
        AllInOne.Hold held;
        try {
            held = aio.lock();  // until close(): no other run can take the slice or the cloud meanwhile
        } catch (RuntimeException e) {
            aio.closeProvider();
            throw e;
        }
        try {
            return up(spec, aio, reuse, held, progress);
        } catch (RuntimeException | Error e) {
            held.close();
            aio.closeProvider();
            throw e;
        }
    }

    private static OpenStackCloud up(CloudSpec spec, AllInOne aio, boolean reuse, AllInOne.Hold held,
                                     Progress progress) {
        refuseAnotherNamedCloud(aio);
        progress.phase("image", "checking the cache");
        Image image = aio.image(imageListener(progress));
        progress.phaseDone("ready " + image.key().substring(0, 12));
        Optional<Cluster> kept = reuse ? keptNodes(aio, image, progress) : Optional.empty();
        // until the cloud is handed over, a JVM ending mid-way removes what it booted (a reused
        // cloud stays: the user keeps it)
        Thread guard = kept.isPresent() || spec.keepOnFailure() ? null : onExit(spec.cloudName(), aio::wipe);
        try {
            Cluster cluster = kept.isPresent() ? kept.get() : boot(aio, image, reuse, progress);
            cluster.keep();  // close() decides
            return deploy(spec, aio, cluster, kept.isPresent(), reuse, held, progress);
        } finally {
            release(guard);
        }
    }

    /**
     * Refuses a slice whose record names a cloud the user named other than this one; a cloud the
     * extension derived may be replaced (it was kept for reuse and is not in use: the held lock says so).
     */
    private static void refuseAnotherNamedCloud(AllInOne aio) {
        aio.provider().record(aio.slice()).ifPresent(r -> {
            if (r.owner() != null && !r.owner().startsWith(CloudSpec.DERIVED_PREFIX)) {
                aio.requireNotAnother(r);
            }
        });
    }

    /**
     * The reuse policy: the slice's nodes when they are this cloud's, of its topology and image
     * (stopped ones booted again): the deploy then converges them in seconds. Anything else on the
     * slice is replaced by fresh nodes.
     */
    private static Optional<Cluster> keptNodes(AllInOne aio, Image image, Progress progress) {
        Optional<Cluster> c = aio.running(image);
        c.ifPresent(x -> progress.line("node: reusing the kept cloud " + aio.name() + " on slice " + aio.slice()));
        return c;
    }

    /** Fresh nodes; without reuse the cloud's state (secrets) starts fresh too. */
    private static Cluster boot(AllInOne aio, Image image, boolean reuse, Progress progress) {
        progress.phase("node", "booting " + String.join(", ", aio.nodeNames()) + " on slice " + aio.slice()
                + (aio.spec().provider() == Provider.NSPAWN ? "" : " (" + aio.spec().provider() + ")"));
        if (!reuse) {
            Deployer.removeStateDir(aio.deployer().stateDir());
        }
        Cluster cluster = aio.fresh(image);
        progress.phaseDone(String.join(", ", cluster.nodes().stream().map(n -> n.name() + " at " + n.address())
                .toList()));
        return cluster;
    }

    /**
     * Deploys onto the nodes and verifies; a failure wipes them, or keeps them for inspection when
     * the spec says so.
     */
    private static OpenStackCloud deploy(CloudSpec spec, AllInOne aio, Cluster cluster, boolean reused, boolean reuse,
                                         AllInOne.Hold held, Progress progress) {
        Fleet fleet = null;
        try {
            fleet = AllInOne.connect(cluster);
            DeployResult r = aio.deployer().listener(progress.label("deploy " + spec.cloudName())).deploy(fleet);
            progress.line(r.summary());
            if (spec.verify()) {
                progress.phase("verify", "openstack client on " + AllInOne.NODE);
                progress.phaseDone(Verifier.format(Verifier.run(fleet.node(AllInOne.NODE), spec.services())));
            }
            return new OpenStackCloud(spec, aio, cluster, fleet, r, reused, reuse, held);
        } catch (RuntimeException e) {
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

    /**
     * The cloud on machines the user has ({@link CloudSpec#hosts}): connect (a host without Java
     * gets a runtime), check every host before changing any ({@link HostChecks}), mark them as this
     * cloud's, install what they lack and deploy. A rerun keeps the secrets and converges. The cloud
     * stays on the hosts after {@link #close()}; {@link #wipe} removes it.
     */
    private static OpenStackCloud upOnHosts(CloudSpec spec, Progress progress) {
        String name = spec.cloudName();
        Path stateDir = Deployer.defaultStateDir(name);
        io.speedling.virt.RunLock lock = io.speedling.virt.RunLock.acquire(Deployer.lockFile(name),
                "cloud " + name, "cloud " + name + " on " + spec.hosts().file(), "give another --name");
        Fleet fleet = null;
        try {
            progress.phase("hosts", "connecting to " + String.join(", ", spec.inventory().nodes()));
            fleet = connect(spec.hosts());
            progress.phaseDone("agents up");
            progress.phase("checks", "distribution, memory, disk, interfaces, ports");
            HostChecks.check(fleet, spec, name);
            progress.phaseDone("every host ready");
            HostChecks.mark(fleet, spec, name);
            Deployer deployer = Deployer.of(spec.cloud(), stateDir).installPackages(true);
            DeployResult r = deployer.listener(progress.label("deploy " + name)).deploy(fleet);
            writeSshConfig(stateDir, spec.hosts());
            progress.line(r.summary());
            if (spec.verify()) {
                String ctl = firstController(spec);
                progress.phase("verify", "openstack client on " + ctl);
                progress.phaseDone(Verifier.format(Verifier.run(fleet.node(ctl), spec.services())));
            }
            return new OpenStackCloud(spec, null, null, fleet, r, false, false, lock::close);
        } catch (RuntimeException e) {
            if (fleet != null) {
                fleet.close();
            }
            lock.close();
            throw e;
        }
    }

    /** Agents on the hosts of an inventory file, with OpenStack's remote functions shipped. */
    static Fleet connect(Hosts hosts) {
        return Fleet.builder().nodes(hosts.nodeSpecs()).knownHosts(hosts.knownHosts()).hostKeys(hosts.hostKeyPolicy())
                .ship(AllInOne.class).connect();
    }

    private static String firstController(CloudSpec spec) {
        return spec.inventory().nodesWith(Inventory.CONTROLLER).get(0);
    }

    /** {@code ssh -F STATE/ssh_config NODE} logs into a host as the deploy does. */
    private static void writeSshConfig(Path stateDir, Hosts hosts) {
        StringBuilder b = new StringBuilder("# written by speedling for the hosts of " + hosts.file() + "\n");
        for (Hosts.Host h : hosts.hosts()) {
            b.append("Host ").append(h.name()).append("\n  HostName ").append(h.ssh().host()).append("\n  Port ")
                    .append(h.ssh().port()).append("\n  User ").append(h.ssh().user()).append("\n  UserKnownHostsFile ")
                    .append(hosts.knownHosts()).append("\n");
            if (h.ssh().identity() != null) {
                b.append("  IdentityFile ").append(h.ssh().identity()).append("\n");
            }
            if (h.ssh().jump() != null) {
                io.speedling.core.SshTarget j = h.ssh().jump();
                b.append("  ProxyJump ").append(j.user()).append('@').append(j.host()).append(':').append(j.port())
                        .append("\n");
            }
        }
        try {
            java.nio.file.Files.writeString(stateDir.resolve("ssh_config"), b.toString());
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException("cannot write " + stateDir.resolve("ssh_config"), e);
        }
    }

    /**
     * Removes the cloud of {@code spec} from its hosts: the cloud's services stopped and disabled,
     * the packages the deploy installed purged ({@value Deployer#INSTALLED_RECORD}) with the
     * database and message queue data of those it installed, the files the deploy wrote that no
     * package owns (they start with {@code # written by speedling}), speedling's own files on the
     * host and the cloud's state directory. Packages the host had before stay, and so do the
     * dependencies apt pulled in with the purged ones ({@code apt-get autoremove} takes them),
     * directories a package's purge leaves, the network state the agents made (bridges,
     * namespaces: a reboot clears them) and the agent's cache in the SSH user's home. Refuses a
     * host that holds another cloud.
     */
    private static void wipeHosts(CloudSpec spec) {
        String name = spec.cloudName();
        Path stateDir = Deployer.defaultStateDir(name);
        try (io.speedling.virt.RunLock lock = io.speedling.virt.RunLock.acquire(Deployer.lockFile(name),
                "cloud " + name, "a wipe of cloud " + name, "wait for the other run to end")) {
            try (Fleet fleet = connect(spec.hosts())) {
                Cloud cloud = spec.cloud();
                java.util.Map<String, io.speedling.core.CommandResult> holders = fleet.all().call(
                        new io.speedling.core.functions.Sh("cat " + HostChecks.MARKER + " 2>/dev/null || true", true));
                java.util.List<String> others = new java.util.ArrayList<>();
                holders.forEach((n, r) -> {
                    String held = r.stdout().strip();
                    if (!held.isEmpty() && !held.equals(name)) {
                        others.add(n + " holds cloud '" + held + "'");
                    }
                });
                if (!others.isEmpty()) {
                    throw new io.speedling.core.SpeedlingException("not wiping cloud " + name + ": " + String.join(", ",
                            others) + "; nothing was changed (wipe that cloud with its own --name)");
                }
                String units = String.join(" ", cloud.services());
                String script = "[ -f " + HostChecks.MARKER + " ] || exit 0\n"
                        + io.speedling.virt.image.PythonCompile.restoreOnly()
                        // one unit at a time: systemctl gives up on a list with a unit the host lacks
                        + "for u in " + units + "; do systemctl disable --now $u >/dev/null 2>&1 || true; done\n"
                        + "for u in " + String.join(" ", cloud.masked()) + "; do systemctl unmask $u >/dev/null 2>&1"
                        + " || true; done\n"
                        + "pkgs=$(sort -u " + Deployer.INSTALLED_RECORD + " 2>/dev/null | tr '\\n' ' ')\n"
                        + "if [ -n \"$pkgs\" ]; then\n"
                        + "  DEBIAN_FRONTEND=noninteractive apt-get -q -y purge $pkgs >/tmp/speedling-purge.log 2>&1"
                        + " || { tail -n 20 /tmp/speedling-purge.log >&2; exit 1; }\n"
                        // what the purged servers leave on purpose for a reinstall: theirs, so it goes too
                        + "  for p in $pkgs; do case $p in mariadb-server) rm -rf /var/lib/mysql /var/lib/mariadb;;"
                        + " rabbitmq-server) rm -rf /var/lib/rabbitmq;; esac; done\n"
                        + "fi\n"
                        // the files the deploy wrote that no package owns carry its mark in their first lines
                        + "grep -rlI -m1 '^# written by speedling' /etc /usr/lib/python3/dist-packages/nova 2>/dev/null"
                        + " | while read -r f; do rm -f \"$f\"; done\n"
                        + "rm -f /etc/mysql/mariadb.conf.d/99-speedling.cnf\n"
                        + "rm -f " + OpenStackImage.START_LIMIT_CONF + "\n"
                        + "rm -rf /var/lib/speedling\n"
                        + "systemctl daemon-reexec\n";
                fleet.all().call(io.speedling.core.functions.Sh.checked(script).timeout(java.time.Duration.ofMinutes(15)));
            }
            Deployer.removeStateDir(stateDir);
        }
        io.speedling.virt.RunLock.removeIfFree(Deployer.lockFile(name));
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
        if (spec.hosts() != null) {
            wipeHosts(spec);
            return;
        }
        AllInOne aio = allInOne(spec);
        try (io.speedling.virt.nodes.NodeProvider p = aio.provider(); AllInOne.Hold held = aio.lock()) {
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
        return cluster != null ? cluster.sshConfig() : result.stateDir().resolve("ssh_config");
    }

    /** The connected node handles (remote calls run on their agents). */
    public Fleet fleet() {
        return fleet;
    }

    /** The node running the APIs (all of them, in an all-in-one cloud). */
    public Node controller() {
        return fleet.node(firstController(spec));
    }

    /**
     * Rotates Keystone's fernet token keys on every controller together, as
     * {@code keystone-manage fernet_rotate} does on one: the staged key becomes the primary, a new
     * staged key is made, the oldest secondary goes beyond three keys. Tokens issued before stay valid
     * while their key is kept; every controller holds the same keys afterwards, so a token one issues
     * is read by all. A rerun of the deploy keeps the rotated keys. Credential keys are not rotated
     * (that needs Keystone's credential migration).
     *
     * @return the index of the new primary key
     * @throws IllegalStateException when the cloud has no Keystone
     */
    public int rotateFernetKeys() {
        if (!spec.services().contains("keystone")) {
            throw new IllegalStateException("cloud " + name() + " has no keystone: nothing to rotate");
        }
        return io.speedling.openstack.components.Keystone.rotateFernetKeys(fleet,
                spec.inventory().nodesWith(Inventory.CONTROLLER));
    }

    /** The booted nodes; null for a cloud on the user's own hosts ({@link CloudSpec#hosts}). */
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

    /** Whether close() will leave the cloud running (always, on the user's own hosts). */
    public boolean kept() {
        return cluster == null || reuseEffective || (failed && spec.keepOnFailure());
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
            if (aio != null) {
                aio.closeProvider();
            }
        }
    }

    private void closeHeld() {
        fleet.close();
        if (cluster == null) {
            LOG.info("cloud {} stays on its hosts; remove it with speedling-examples/bin/cloud --wipe --name {} "
                    + "--hosts {}", name(), name(), spec.hosts().file());
        } else if (kept()) {
            LOG.info("cloud {} kept{}: ssh -F {} {}; remove it with speedling-examples/bin/cloud --wipe --name {} "
                    + "--slice {}{}", name(), failed ? " for inspection after a failure" : " for reuse", sshConfig(),
                    AllInOne.NODE, name(), aio.slice(), spec.provider() == Provider.NSPAWN ? ""
                    : " --provider " + spec.provider());
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
