package io.speedling.openstack;

import io.speedling.core.Fleet;
import io.speedling.core.functions.Sh;
import io.speedling.core.tasks.HtmlReport;
import io.speedling.core.tasks.RunReport;
import io.speedling.core.tasks.Task;
import io.speedling.core.tasks.TaskGraph;
import io.speedling.core.tasks.TaskGraphException;
import io.speedling.core.tasks.TaskListener;
import io.speedling.core.tasks.TaskRecord;
import io.speedling.core.SpeedlingException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Deploys a {@link Cloud} onto the nodes of a fleet: checks (or installs) packages, lets every
 * component plan its tasks into one task graph, runs it with independent work in parallel, and
 * writes the state directory: secrets.json (0600), admin-openrc.sh, demo-openrc.sh, clouds.yaml,
 * deploy.json (the run record, secrets redacted), deploy.html (the same run as a page with a
 * timeline and the task graph) and deploy.log (every deploy's task starts and ends, failures and
 * results, appended).
 */
public final class Deployer {
    private static final Logger LOG = LoggerFactory.getLogger("speedling.deploy");
    static final long DEFAULT_TASK_TIMEOUT_MINUTES = 10;
    private static final java.util.regex.Pattern SECRET_KEY = java.util.regex.Pattern.compile(
            "(?i)pass|secret|token|credential|_key$|^key$|connection|_url$|auth");
    /** The file that marks a state directory as made by a deploy, so a wipe removes only such a one. */
    static final String MARKER = ".speedling-cloud";
    private static final Duration DEFAULT_TASK_TIMEOUT = Duration.ofMinutes(DEFAULT_TASK_TIMEOUT_MINUTES);

    private final Cloud cloud;
    private final Path stateDir;
    private boolean installPackages;
    private TaskListener listener;
    private boolean serial;
    private Duration taskTimeout = DEFAULT_TASK_TIMEOUT;

    private Deployer(Cloud cloud, Path stateDir) {
        this.cloud = cloud;
        this.stateDir = stateDir.toAbsolutePath();
    }

    /** A deployer keeping the cloud's state in {@code stateDir}. */
    public static Deployer of(Cloud cloud, Path stateDir) {
        return new Deployer(cloud, stateDir);
    }

    /**
     * The default state directory of a cloud: {@code clouds/<name>} under {@link io.speedling.core.StateHome}.
     *
     * @throws IllegalArgumentException when {@code cloud} is not a cloud name ({@link Component#requireName}):
     *     a name such as {@code ../x} or {@code ""} would point outside the clouds' own directories
     */
    public static Path defaultStateDir(String cloud) {
        Component.requireName("cloud", cloud, " (it names the state directory)");
        return io.speedling.core.StateHome.dir("clouds", cloud);
    }

    /** The lock file beside a cloud's default state directory: held while a run uses or wipes the cloud. */
    static Path lockFile(String cloud) {
        return defaultStateDir(cloud).resolveSibling(cloud + ".lock");
    }

    /**
     * Removes a state directory that a deploy made: one holding the {@value #MARKER} file that
     * {@link #deploy} writes first, or an empty one. Anything else at that path (a symbolic link,
     * a file, a directory speedling did not make) is left as it is and named in the exception.
     */
    static void removeStateDir(Path dir) {
        if (!Files.exists(dir, LinkOption.NOFOLLOW_LINKS)) {
            return;
        }
        boolean ours;
        try {
            ours = Files.isDirectory(dir, LinkOption.NOFOLLOW_LINKS)
                    && (Files.isRegularFile(dir.resolve(MARKER), LinkOption.NOFOLLOW_LINKS) || isEmpty(dir));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + dir, e);
        }
        if (!ours) {
            throw new SpeedlingException(dir + " is not a cloud state directory made by speedling (no " + MARKER
                    + " file in it): left as it is; remove it yourself if it is yours to remove");
        }
        deleteTree(dir);
    }

    /** Deletes {@code dir} and what is in it; symbolic links are removed, never followed. */
    private static void deleteTree(Path dir) {
        try {
            Files.walkFileTree(dir, new java.nio.file.SimpleFileVisitor<>() {
                @Override
                public java.nio.file.FileVisitResult visitFile(Path f, java.nio.file.attribute.BasicFileAttributes a)
                        throws IOException {
                    Files.delete(f);
                    return java.nio.file.FileVisitResult.CONTINUE;
                }

                @Override
                public java.nio.file.FileVisitResult postVisitDirectory(Path d, IOException e) throws IOException {
                    if (e != null) {
                        throw e;
                    }
                    Files.delete(d);
                    return java.nio.file.FileVisitResult.CONTINUE;
                }
            });
        } catch (IOException e) {
            throw new UncheckedIOException("cannot remove the state directory " + dir + ": " + e.getMessage(), e);
        }
    }

    private static boolean isEmpty(Path dir) throws IOException {
        try (var entries = Files.list(dir)) {
            return entries.findAny().isEmpty();
        }
    }

    /** Lets the deploy install missing packages (off by default: deploy onto the prebuilt image). */
    public Deployer installPackages(boolean allow) {
        this.installPackages = allow;
        return this;
    }

    /** Runs every task on one thread, one after another (for debugging, and as the benchmark's baseline). */
    public Deployer serial(boolean oneThread) {
        this.serial = oneThread;
        return this;
    }

    /**
     * The limit on each deploy task's own work (default {@value #DEFAULT_TASK_TIMEOUT_MINUTES} minutes; the
     * slowest takes under a minute here): a task over it is interrupted and the deploy fails naming it,
     * instead of waiting for an answer that never comes.
     */
    public Deployer taskTimeout(Duration limit) {
        this.taskTimeout = java.util.Objects.requireNonNull(limit);
        return this;
    }

    public Deployer listener(TaskListener l) {
        this.listener = l;
        return this;
    }

    public Path stateDir() {
        return stateDir;
    }

    /**
     * The cloud's secrets; redaction also covers the values of config overrides whose key names a
     * secret ({@code password}, {@code transport_url}, ...), which the user typed in themselves.
     */
    public Secrets secrets() {
        List<String> given = new ArrayList<>();
        for (String n : cloud.inventory().nodes()) {
            for (String path : cloud.inventory().configFiles().getOrDefault(n, java.util.Set.of())) {
                cloud.inventory().configFor(n, path).values().forEach(kv -> kv.forEach((k, v) -> {
                    if (SECRET_KEY.matcher(k).find()) {
                        given.add(v);
                    }
                }));
            }
        }
        return Secrets.open(stateDir.resolve("secrets.json")).alsoRedacting(given);
    }

    /** Runs the deploy; throws {@link TaskGraphException} (report attached and written) when a task failed. */
    public DeployResult deploy(Fleet fleet) {
        try {
            Files.createDirectories(stateDir);
            Files.setPosixFilePermissions(stateDir, PosixFilePermissions.fromString("rwx------"));
            if (!Files.exists(stateDir.resolve(MARKER))) {
                Files.writeString(stateDir.resolve(MARKER), "a speedling cloud's state: removed with the cloud\n");
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create state directory " + stateDir, e);
        }
        for (String n : cloud.inventory().nodes()) {
            fleet.node(n);  // fails with the fleet's message when the inventory names an unknown node
        }
        Secrets secrets = secrets();
        try (DeployLog log = new DeployLog(stateDir, secrets)) {
            log.line("deploy of cloud " + cloud.name() + " onto " + cloud.inventory().nodes());
            try {
                return deploy(fleet, secrets, log);
            } catch (RuntimeException e) {
                log.line("deploy failed: " + e.getMessage());
                throw e;
            }
        }
    }

    private DeployResult deploy(Fleet fleet, Secrets secrets, DeployLog log) {
        Map<String, List<String>> missing = missingPackages(fleet);
        TaskGraph.Builder gb = TaskGraph.builder().pendingLogInterval(Duration.ofSeconds(15)).serial(serial)
                .taskTimeout(taskTimeout).redactor(secrets::redact).listener(log);
        if (listener != null) {
            gb.listener(listener);
        }
        TaskGraph graph = gb.build();
        Deploy d = new Deploy(cloud, fleet, secrets, graph);
        Map<String, List<Task<?>>> installs = missing.isEmpty() ? Map.of() : planInstalls(graph, fleet, missing);
        for (Component c : cloud.components()) {
            d.waitFor(installs.getOrDefault(c.name(), List.of()));
            c.plan(d);
        }
        RunReport report;
        try {
            report = graph.run();
        } catch (TaskGraphException e) {
            Path file = writeReports(secrets, e.report())[1];
            List<String> lines = new ArrayList<>();
            for (TaskRecord r : e.report().failed()) {
                lines.add(r.name() + ": " + secrets.redact(r.error()));
            }
            throw new DeployFailedException("deploy of cloud " + cloud.name() + " failed (report: " + file + "):\n  "
                    + String.join("\n  ", lines), e.report(), file);
        }
        Path[] reports = writeReports(secrets, report);
        Path reportFile = reports[0];
        Path html = reports[1];
        String url = d.endpoints().url(5000, "/v3");
        Path admin = writeSecret("admin-openrc.sh", Openrc.admin(d, url));
        Path demo = writeSecret("demo-openrc.sh", Openrc.demo(d, url));
        Path clouds = writeSecret("clouds.yaml", Openrc.cloudsYaml(cloud.name(), url, cloud.region(),
                secrets.get("keystone-admin"), secrets.get("keystone-demo")));
        LOG.info("cloud {} deployed in {} s ({} tasks)", cloud.name(), String.format("%.1f", report.wallMs() / 1000.0),
                report.tasks().size());
        Map<String, List<String>> unused = d.unusedOverrides();
        if (!unused.isEmpty()) {
            List<String> lines = new ArrayList<>();
            unused.forEach((node, files) -> files.forEach(f -> lines.add(node + ":" + f + " (the INI files merged on "
                    + node + " are " + d.mergedFiles(node) + ")")));
            throw new DeployFailedException("cloud " + cloud.name() + " deployed, but inventory config overrides took "
                    + "no effect: no component merges these files on these nodes:\n  " + String.join("\n  ", lines)
                    + "\nfix the path or the node of each override, or remove it, and deploy again", report, html);
        }
        return new DeployResult(cloud.name(), url, report, d.serviceActions(), stateDir, clouds, admin, demo,
                reportFile, html);
    }

    /**
     * Tools a deploy's scripts use on a node (curl, ping, CA certificates): the image's tools layer
     * without the Java runtime, which a host without one gets from the agent instead.
     */
    static final List<String> HOST_TOOLS = java.util.Arrays.stream(io.speedling.virt.image.Recipes.TOOL_PACKAGES)
            .filter(p -> !p.startsWith("openjdk-")).toList();

    /** Where a host records the packages the deploy installed there (what a wipe of existing hosts removes). */
    public static final String INSTALLED_RECORD = "/var/lib/speedling/installed-packages";

    /**
     * Checks every node for the packages the cloud's components need there ({@link
     * Cloud#packagesOn}, and the tools of {@link #HOST_TOOLS}): without {@link #installPackages} the
     * nodes that lack some are refused, all named at once; with it, what each node lacks is
     * returned for the install tasks.
     */
    private Map<String, List<String>> missingPackages(Fleet fleet) {
        List<String> nodes = new ArrayList<>(cloud.inventory().nodes());
        Map<String, java.util.concurrent.CompletableFuture<io.speedling.core.CommandResult>> asked =
                new java.util.LinkedHashMap<>();
        for (String n : nodes) {
            List<String> pkgs = new ArrayList<>(installPackages ? cloud.packagesOn(n) : cloud.packages());
            if (installPackages && !pkgs.isEmpty()) {
                pkgs.addAll(HOST_TOOLS);
            }
            if (!pkgs.isEmpty()) {
                asked.put(n, fleet.node(n).submit(new Sh(missingList(pkgs), false)));
            }
        }
        Map<String, List<String>> missing = new java.util.LinkedHashMap<>();
        new io.speedling.core.FanOut<>("package check", asked).join().forEach((node, r) -> {
            // dpkg knows a package taken from another suite ("pkg/suite", see Step.Packages) by its bare name
            Map<String, String> named = new java.util.HashMap<>();
            (installPackages ? cloud.packagesOn(node) : cloud.packages()).forEach(p -> named.put(
                    io.speedling.virt.image.Step.Packages.bare(p), p));
            List<String> m = r.stdout().lines().map(String::strip).filter(x -> !x.isEmpty())
                    .map(x -> named.getOrDefault(x, x)).toList();
            if (!m.isEmpty()) {
                missing.put(node, m);
            }
        });
        if (!installPackages && !missing.isEmpty()) {
            List<String> lacking = new ArrayList<>();
            missing.forEach((node, m) -> lacking.add(node + ": " + String.join(" ", m)));
            throw new SpeedlingException("nodes lack packages of cloud " + cloud.name() + ":\n  "
                    + String.join("\n  ", lacking) + "\nDeploy onto an image built with OpenStackImage (it has "
                    + "them), or allow installs with Deployer.installPackages(true)");
        }
        return missing;
    }

    /**
     * The install tasks, planned into the graph before each component's own tasks: on each node one
     * task per component whose packages it lacks ({@code packages.COMPONENT.NODE}), one after the
     * other (dpkg installs one thing at a time), the first also refreshing the package lists and
     * installing the tools. Every task a component plans waits for the installs up to its own on
     * every node, so the database starts while Nova's packages still install.
     *
     * @return per component name, the install tasks its own tasks wait for
     */
    private Map<String, List<Task<?>>> planInstalls(TaskGraph graph, Fleet fleet, Map<String, List<String>> missing) {
        Map<String, Task<?>> chain = new java.util.LinkedHashMap<>();
        Map<String, List<Task<?>>> waits = new java.util.LinkedHashMap<>();
        Map<String, java.util.Set<String>> left = new java.util.LinkedHashMap<>();
        missing.forEach((n, m) -> left.put(n, new java.util.LinkedHashSet<>(m)));
        for (String n : missing.keySet()) {
            // the tools first: the node's first install also refreshes the package lists
            List<String> tools = left.get(n).stream().filter(HOST_TOOLS::contains).toList();
            if (!tools.isEmpty()) {
                left.get(n).removeAll(tools);
                chain.put(n, installTask(graph, fleet, "tools", n, installScript(tools, List.of(), List.of(),
                        List.of(), true), null));
            }
        }
        for (Component c : cloud.components()) {
            for (String n : missing.keySet()) {
                List<String> mine = new ArrayList<>();
                for (String p : c.packagesOn(cloud.inventory(), n)) {
                    if (left.get(n).remove(p)) {
                        mine.add(p);
                    }
                }
                if (!mine.isEmpty()) {
                    chain.put(n, installTask(graph, fleet, c.name(), n, installScript(mine, c.debconf(), c.services(),
                            c.masked(), !chain.containsKey(n)), chain.get(n)));
                }
            }
            waits.put(c.name(), new ArrayList<>(chain.values()));
        }
        return waits;
    }

    private static String missingList(List<String> pkgs) {
        return "dpkg-query -W -f='${db:Status-Abbrev} ${Package}\\n' " + String.join(" ",
                pkgs.stream().map(io.speedling.virt.image.Step.Packages::bare).toList())
                + " 2>&1 | awk '$1 != \"ii\" {print $NF}' | sed 's/^dpkg-query: no packages found matching //'";
    }

    private static Task<?> installTask(TaskGraph graph, Fleet fleet, String what, String node, String script,
                                       Task<?> after) {
        Task<io.speedling.core.CommandResult> t = graph.task("packages." + what + "." + node, ctx -> {
            io.speedling.core.CommandResult r = fleet.node(node).call(new Sh(script, true));
            LOG.info("installed on {} for {}: {}", node, what, r.stdout().strip());
            return r;
        }, after == null ? new Task<?>[0] : new Task<?>[] {after});
        return graph.limit(t, Duration.ofMinutes(30));
    }

    /**
     * Installs packages as the image build does: debconf answered first (no package sets up a
     * database or registers endpoints by itself), nothing started by the packages, the
     * component's services disabled (the deploy starts what it configured) and its masked units
     * masked; the installed names are appended to {@value #INSTALLED_RECORD}. The node's first
     * install also refreshes the package lists and gives systemd the image's start limit. Prints
     * the names it installed, nothing when the node had them all.
     */
    private static String installScript(List<String> pkgs, List<String> debconf, List<String> units,
                                         List<String> masked, boolean first) {
        StringBuilder s = new StringBuilder("set -e\nmissing=$(" + missingList(pkgs) + ")\n[ -n \"$missing\" ] || exit 0\n"
                + "export DEBIAN_FRONTEND=noninteractive LC_ALL=C.UTF-8\n");
        if (!debconf.isEmpty()) {
            s.append("debconf-set-selections <<'EOF'\n").append(String.join("\n", new java.util.TreeSet<>(debconf)))
                    .append("\nEOF\n");
        }
        if (first) {
            // as on the image: slow starts of three controllers on two cores outlast systemd's 90 s
            s.append(OpenStackImage.startLimitScript()).append("systemctl daemon-reexec\napt-get -q update >/dev/null\n");
        }
        s.append(io.speedling.virt.image.PythonCompile.defer());
        s.append("""
                # packages start nothing while they are installed: the deploy starts what it configured
                printf '#!/bin/sh\\nexit 101\\n' > /usr/sbin/policy-rc.d; chmod 755 /usr/sbin/policy-rc.d
                trap 'rm -f /usr/sbin/policy-rc.d; speedling_py3compile_restore' EXIT
                # unsafe I/O as in image builds: no fsync per unpacked file (a host that loses power mid-install
                # needs 'dpkg --configure -a'); a rerun of the deploy finishes what is missing
                apt-get -q -y -o Dpkg::Options::=--force-confdef -o Dpkg::Options::=--force-confold \\
                  -o Dpkg::Options::=--force-unsafe-io \\
                  --no-install-recommends install $missing >/tmp/speedling-apt.log 2>&1 \\
                  || { tail -n 30 /tmp/speedling-apt.log >&2; exit 1; }
                """);
        s.append(io.speedling.virt.image.PythonCompile.compile());
        s.append("""
                mkdir -p /var/lib/speedling
                for p in $missing; do echo "$p"; done >> %s
                """.formatted(INSTALLED_RECORD));
        s.append(OpenStackImage.unitsScript(units));
        for (String unit : masked) {
            s.append("systemctl mask ").append(unit).append(" >/dev/null 2>&1 || true\n");
        }
        return s.append("echo $missing\n").toString();
    }

    /**
     * deploy.json and deploy.html, both from one redacted record so no secret can reach either.
     *
     * @return the two files, JSON first
     */
    private Path[] writeReports(Secrets secrets, RunReport report) {
        String json = secrets.redact(report.toJson());
        Path jsonFile = write("deploy.json", json, "rw-------");
        RunReport clean = RunReport.fromJson(json);
        StringBuilder nodes = new StringBuilder();
        for (String n : cloud.inventory().nodes()) {
            List<String> roles = new ArrayList<>();
            for (String r : List.of(Inventory.CONTROLLER, Inventory.COMPUTE)) {
                if (cloud.inventory().nodesWith(r).contains(n)) {
                    roles.add(r);
                }
            }
            nodes.append(nodes.length() == 0 ? "" : ", ").append(n).append(" (").append(String.join("+", roles))
                    .append(')');
        }
        String html = HtmlReport.of(clean).title("deploy of cloud " + cloud.name()).fact("cloud", cloud.name())
                .fact("nodes", nodes.toString())
                .fact("components", String.join(", ", cloud.components().stream().map(Component::name).toList()))
                .render();
        return new Path[] {jsonFile, write("deploy.html", html, "rw-------")};
    }

    private Path writeSecret(String name, String text) {
        return write(name, text, "rw-------");
    }

    private Path write(String name, String text, String perms) {
        Path target = stateDir.resolve(name);
        Path tmp = stateDir.resolve("." + name + ".tmp");
        try {
            Files.deleteIfExists(tmp);
            Files.createFile(tmp, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString(perms)));
            Files.writeString(tmp, text);
            Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            return target;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + target, e);
        }
    }
}
