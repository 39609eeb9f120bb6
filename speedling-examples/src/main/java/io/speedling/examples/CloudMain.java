package io.speedling.examples;

import io.speedling.core.SpeedlingException;
import io.speedling.core.tasks.Progress;
import io.speedling.openstack.AllInOne;
import io.speedling.openstack.CloudSpec;
import io.speedling.openstack.DeployFailedException;
import io.speedling.openstack.OpenStackCloud;
import io.speedling.virt.nodes.SlicePlan;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * The main job: an all-in-one OpenStack cloud on an nspawn node, deployed, verified, ready.
 *
 * <pre>
 * cloud [--name aio] [--slice 1] [--services keystone,glance,...] [--controllers 1|3|5] [--workers N]
 *       [--storage N] [--no-verify] [--config NODE:PATH:SECTION.KEY=VALUE ...] [--compute-driver fake|libvirt]
 *       [--tempest smoke|REGEX] [--release zed|2025.1|2026.1] [--provider nspawn|libvirt]
 *                                   deploy (or converge the running one); default: every service on
 *                                   one node; --controllers 3 runs the databases, queues and APIs on
 *                                   three controllers behind a virtual IP (HAProxy, keepalived,
 *                                   Galera, a RabbitMQ cluster); --workers puts nova-compute and the network agent on
 *                                   N worker nodes; --storage puts Ceph's OSDs and Swift's servers
 *                                   on N storage nodes; each --config sets a key of an INI file the
 *                                   components write on that node, over their own value;
 *                                   --compute-driver libvirt runs servers as qemu domains;
 *                                   --tempest runs Tempest's smoke tests (or those matching REGEX)
 *                                   after the deploy, as its last task; --provider libvirt boots
 *                                   the nodes as libvirt VMs (a running libvirtd; minutes per
 *                                   node under qemu without KVM) instead of nspawn containers
 * cloud --hosts FILE [--trust-new-hosts] [--name aio] [--services ...] [--config ...] [--no-verify] ...
 *                                   the same onto machines you have, named with their roles in an
 *                                   inventory file (speedling-examples/hosts.example.json): every
 *                                   host checked first, missing packages installed, a Java runtime
 *                                   shipped where there is none; host keys must be in known_hosts
 *                                   unless --trust-new-hosts
 * cloud --wipe [--name aio] [--slice 1] [--provider nspawn|libvirt]   remove it
 * cloud --wipe --hosts FILE [--name aio]  remove it from the hosts (what the deploy installed and wrote)
 * </pre>
 *
 * On a terminal it shows one live status line and sends the log to
 * {@code ~/.local/state/speedling/logs/NAME.log}; elsewhere it prints one line per finished step
 * between the log lines.
 */
public final class CloudMain {
    static final String USAGE = """
            usage: cloud [--name aio] [--slice 1] [--services keystone,glance,...] [--controllers 1|3|5] [--workers N]
                         [--storage N] [--config NODE:PATH:SECTION.KEY=VALUE ...] [--compute-driver fake|libvirt] [--no-verify] [--bare]
                         [--tempest smoke|REGEX] [--release zed|2025.1|2026.1] [--provider nspawn|libvirt]
                   cloud --hosts FILE [--trust-new-hosts] [--name aio] [--release ...] [--services ...] [--config ...] [--no-verify]
                   cloud --wipe [--name aio] [--slice 1 [--provider libvirt] | --hosts FILE]""";
    private static final java.util.Set<String> WITH_VALUE = java.util.Set.of("--name", "--slice", "--services",
            "--controllers", "--workers", "--storage", "--config", "--compute-driver", "--tempest", "--hosts", "--release",
            "--provider");
    private static final java.util.Set<String> FLAGS = java.util.Set.of("--no-verify", "--wipe", "--help", "--bare",
            "--trust-new-hosts");
    private static final java.util.Set<String> WIPE_OPTIONS = java.util.Set.of("--wipe", "--name", "--slice", "--hosts",
            "--trust-new-hosts", "--provider");

    /**
     * Refuses what this command does not know, so a typo ({@code --worker 1}) is not silently
     * dropped: an unknown option, a value where an option belongs, an option without its value,
     * an option given twice (only {@code --config} repeats), and with {@code --wipe} an option
     * that a wipe would ignore.
     *
     * @return each option given with its values, in order
     */
    static Map<String, List<String>> checkOptions(String[] args) {
        Map<String, List<String>> given = new java.util.LinkedHashMap<>();
        for (int i = 0; i < args.length; i++) {
            String a = args[i];
            if (WITH_VALUE.contains(a)) {
                if (i + 1 == args.length || args[i + 1].startsWith("--")) {
                    throw new IllegalArgumentException(a + " needs a value");
                }
                i++;
            } else if (!FLAGS.contains(a)) {
                throw new IllegalArgumentException((a.startsWith("-") ? "unknown option '" : "unexpected argument '")
                        + a + "'; the options are " + new java.util.TreeSet<>(WITH_VALUE) + " (each with a value) and "
                        + new java.util.TreeSet<>(FLAGS));
            }
            if (given.containsKey(a) && !a.equals("--config")) {
                throw new IllegalArgumentException(a + " is given twice; give it once");
            }
            List<String> values = given.computeIfAbsent(a, k -> new java.util.ArrayList<>());
            if (WITH_VALUE.contains(a)) {
                values.add(args[i]);
            }
        }
        if (given.containsKey("--wipe")) {
            for (String a : given.keySet()) {
                if (!WIPE_OPTIONS.contains(a)) {
                    throw new IllegalArgumentException(a + " has no meaning with --wipe (a wipe removes the whole "
                            + "cloud of --name on --slice); leave it out");
                }
            }
        }
        return given;
    }

    /**
     * The cloud the options describe, as the spec every way in uses; every value is checked here,
     * before anything slow. The command line's cloud is kept: a rerun converges it, a failed deploy
     * stays for inspection, {@code --wipe} removes it.
     *
     * @throws IllegalArgumentException naming the option and its value
     */
    static CloudSpec cloudOf(Map<String, List<String>> given) {
        String name = one(given, "--name", "aio");
        String hostsFile = one(given, "--hosts", null);
        if (hostsFile == null && given.containsKey("--trust-new-hosts")) {
            throw new IllegalArgumentException("--trust-new-hosts is about the hosts of --hosts FILE; give that too");
        }
        if (hostsFile != null) {
            for (String o : List.of("--slice", "--controllers", "--workers", "--storage", "--provider")) {
                if (given.containsKey(o)) {
                    throw new IllegalArgumentException(o + " has no meaning with --hosts (the hosts file names the "
                            + "machines and their roles); leave it out");
                }
            }
        }
        String sliceArg = one(given, "--slice", "1");
        if (!sliceArg.matches("[0-9]{1,3}") || Integer.parseInt(sliceArg) > SlicePlan.MAX_SLICE) {
            throw new IllegalArgumentException("--slice " + sliceArg + " is not a slice: give a number 0-"
                    + SlicePlan.MAX_SLICE);
        }
        CloudSpec spec;
        try {
            spec = CloudSpec.allInOne().name(name).slice(Integer.parseInt(sliceArg));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("--name: " + e.getMessage());
        }
        spec = named(spec, given, "--release", CloudSpec::release);
        spec = named(spec, given, "--provider", CloudSpec::provider);
        String services = one(given, "--services", null);
        if (services != null) {
            spec = spec.services(List.of(services.split(",", -1)));
        }
        String controllers = one(given, "--controllers", "1");
        if (!controllers.matches("[0-9]{1,2}")) {
            throw new IllegalArgumentException("--controllers " + controllers + " is not a number: give 1, 3 or 5");
        }
        spec = spec.controllers(Integer.parseInt(controllers));
        if (hostsFile != null) {
            spec = spec.hosts(io.speedling.openstack.Hosts.read(Path.of(hostsFile))
                    .trustNewHosts(given.containsKey("--trust-new-hosts")));
        }
        spec = spec.workers(nodeCount(given, "--workers"));
        spec = spec.storage(nodeCount(given, "--storage"));
        for (String c : given.getOrDefault("--config", List.of())) {
            spec = spec.config(c);
        }
        String driver = one(given, "--compute-driver", null);
        if (driver != null) {
            spec = spec.computeDriver(driver);
        }
        if (given.containsKey("--bare")) {
            spec = spec.bare();
        }
        String tempest = one(given, "--tempest", null);
        if (tempest != null) {
            spec = spec.tempest(tempest);
        }
        return spec.reuse(true).keepOnFailure(true).verify(!given.containsKey("--no-verify"));
    }

    public static void main(String[] args) throws Exception {
        io.speedling.core.Fleet.preferJdkCrypto();  // a tool of its own: the JVM is ours to tune
        Map<String, List<String>> given;
        CloudSpec spec;
        try {
            given = checkOptions(args);
            if (given.containsKey("--help")) {
                System.out.println(USAGE);
                return;
            }
            spec = cloudOf(given);
        } catch (IllegalArgumentException e) {
            System.err.println("cloud: " + e.getMessage() + "\n" + USAGE);
            System.exit(2);
            return;
        } catch (SpeedlingException e) {
            // a hosts file that cannot be read or has problems: each is named, nothing was done
            System.err.println("cloud: " + e.getMessage());
            System.exit(2);
            return;
        }
        String name = spec.cloudName();
        Progress progress = Progress.console();
        if (progress.isLive()) {
            // before the first logger exists: the live line and log lines would fight over the terminal
            Path log = io.speedling.core.StateHome.dir("logs", name + ".log");
            Files.createDirectories(log.getParent());
            // the log may hold what the nodes said: readable by its owner only
            if (!Files.exists(log)) {
                Files.createFile(log, java.nio.file.attribute.PosixFilePermissions.asFileAttribute(
                        java.nio.file.attribute.PosixFilePermissions.fromString("rw-------")));
            }
            Files.setPosixFilePermissions(log, java.nio.file.attribute.PosixFilePermissions.fromString("rw-------"));
            System.setProperty("org.slf4j.simpleLogger.logFile", log.toString());
            System.out.println("log: " + log);
        }
        try {
            if (given.containsKey("--wipe")) {
                OpenStackCloud.wipe(spec);
                System.out.println("cloud-wiped name=" + name + (spec.hosts() != null ? " hosts=" + spec.hosts().file()
                        : " slice=" + spec.slice() + " provider=" + spec.provider()));
                return;
            }
            deploy(spec, progress);
        } catch (DeployFailedException e) {
            progress.close();
            System.err.println(e.getMessage());
            System.exit(1);
        } catch (SpeedlingException e) {
            progress.close();
            System.err.println("cloud: " + e.getMessage());
            System.exit(1);
        }
    }

    private static void deploy(CloudSpec spec, Progress progress) {
        String name = spec.cloudName();
        // the user's own command: reuse needs no further permission
        try (progress; OpenStackCloud cloud = OpenStackCloud.up(spec, progress, true)) {
            progress.close();
            System.out.println();
            System.out.println("Use it:  export OS_CLIENT_CONFIG_FILE=" + cloud.cloudsYaml() + " OS_CLOUD=" + name
                    + "-admin; openstack server list");
            System.out.println("   or:   . " + cloud.adminOpenrc() + "   (ssh -F " + cloud.sshConfig() + " "
                    + cloud.controller().name() + " has the client too)");
            System.out.println("Report:  " + cloud.htmlReport() + " (open it in a browser)");
            System.out.println("Wipe it: speedling-examples/bin/cloud --wipe --name " + name + (spec.hosts() != null
                    ? " --hosts " + spec.hosts().file() : " --slice " + spec.slice()
                    + (spec.provider() == io.speedling.openstack.Provider.NSPAWN ? "" : " --provider " + spec.provider())));
            System.out.printf("cloud-ready name=%s keystone=%s clouds_yaml=%s openrc=%s report=%s%n", name,
                    cloud.keystoneUrl(), cloud.cloudsYaml(), cloud.adminOpenrc(), cloud.htmlReport());
        }
    }

    /** The number of nodes {@code option} gives (0 when not given), refused unless it is one or two digits. */
    private static int nodeCount(Map<String, List<String>> given, String option) {
        String n = one(given, option, "0");
        if (!n.matches("[0-9]{1,2}")) {
            throw new IllegalArgumentException(option + " " + n + " is not a number: give 0-" + AllInOne.MAX_WORKERS);
        }
        return Integer.parseInt(n);
    }

    /** {@code spec} with {@code option}'s value set by {@code set}, when given; a refusal names the option. */
    private static CloudSpec named(CloudSpec spec, Map<String, List<String>> given, String option,
                                   java.util.function.BiFunction<CloudSpec, String, CloudSpec> set) {
        String value = one(given, option, null);
        if (value == null) {
            return spec;
        }
        try {
            return set.apply(spec, value);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(option + ": " + e.getMessage());
        }
    }

    private static String one(Map<String, List<String>> given, String option, String dflt) {
        List<String> v = given.get(option);
        return v == null ? dflt : v.get(0);
    }
}
