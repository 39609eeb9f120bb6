package io.speedling.examples;

import io.speedling.core.Fleet;
import io.speedling.core.tasks.Progress;
import io.speedling.openstack.AllInOne;
import io.speedling.openstack.ConfigOverride;
import io.speedling.openstack.DeployFailedException;
import io.speedling.openstack.DeployResult;
import io.speedling.openstack.OpenStackCloud;
import io.speedling.openstack.Verifier;
import io.speedling.virt.image.Image;
import io.speedling.virt.nodes.Cluster;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/**
 * The main job: an all-in-one OpenStack cloud on an nspawn node, deployed, verified, ready.
 *
 * <pre>
 * cloud [--name aio] [--slice 1] [--services keystone,glance,...] [--workers N] [--no-verify]
 *       [--config NODE:PATH:SECTION.KEY=VALUE ...] [--compute-driver fake|libvirt]
 *                                   deploy (or converge the running one); default: every service on
 *                                   one node; --workers puts nova-compute and the network agent on
 *                                   N worker nodes; each --config sets a key of an INI file the
 *                                   components write on that node, over their own value;
 *                                   --compute-driver libvirt runs servers as qemu domains
 * cloud --wipe [--name aio] [--slice 1]   remove it
 * </pre>
 *
 * On a terminal it shows one live status line and sends the log to
 * {@code ~/.local/state/speedling/logs/NAME.log}; elsewhere it prints one line per finished step
 * between the log lines.
 */
public final class CloudMain {
    static final String USAGE = """
            usage: cloud [--name aio] [--slice 1] [--services keystone,glance,...] [--workers N]
                         [--config NODE:PATH:SECTION.KEY=VALUE ...] [--compute-driver fake|libvirt] [--no-verify]
                   cloud --wipe [--name aio] [--slice 1]""";
    private static final java.util.Set<String> WITH_VALUE = java.util.Set.of("--name", "--slice", "--services",
            "--workers", "--config", "--compute-driver");
    private static final java.util.Set<String> FLAGS = java.util.Set.of("--no-verify", "--wipe", "--help");

    /**
     * Refuses what this command does not know, so a typo ({@code --worker 1}) is not silently
     * dropped: an unknown option, a value where an option belongs, an option without its value.
     */
    static void checkOptions(String[] args) {
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
        }
    }

    public static void main(String[] args) throws Exception {
        try {
            checkOptions(args);
        } catch (IllegalArgumentException e) {
            System.err.println("cloud: " + e.getMessage() + "\n" + USAGE);
            System.exit(2);
            return;
        }
        if (Arrays.asList(args).contains("--help")) {
            System.out.println(USAGE);
            return;
        }
        String name = arg(args, "--name", "aio");
        Progress progress = Progress.console();
        if (progress.isLive()) {
            // before the first logger exists: the live line and log lines would fight over the terminal
            Path log = Path.of(System.getProperty("user.home"), ".local", "state", "speedling", "logs", name + ".log");
            Files.createDirectories(log.getParent());
            System.setProperty("org.slf4j.simpleLogger.logFile", log.toString());
            System.out.println("log: " + log);
        }
        AllInOne aio;
        try {
            String sliceArg = arg(args, "--slice", "1");
            if (!sliceArg.matches("[0-9]{1,3}")) {
                throw new IllegalArgumentException("--slice " + sliceArg + " is not a number: give 0-255");
            }
            aio = AllInOne.named(name, Integer.parseInt(sliceArg));
            String services = arg(args, "--services", null);
            if (services != null) {
                aio = aio.services(List.of(services.split(",")));
            }
            String workers = arg(args, "--workers", "0");
            if (!workers.matches("[0-9]{1,2}")) {
                throw new IllegalArgumentException("--workers " + workers + " is not a number: give 0-"
                        + AllInOne.MAX_WORKERS);
            }
            aio = aio.workers(Integer.parseInt(workers));
            List<ConfigOverride> config = new java.util.ArrayList<>();
            for (int i = 0; i < args.length; i++) {
                if (args[i].equals("--config")) {
                    config.add(ConfigOverride.parse(args[++i]));  // checkOptions saw that a value follows
                }
            }
            aio = aio.config(config);
            String driver = arg(args, "--compute-driver", null);
            if (driver != null) {
                aio = aio.computeDriver(driver);
            }
        } catch (IllegalArgumentException e) {
            System.err.println("cloud: " + e.getMessage());
            System.exit(2);
            return;
        }
        int slice = aio.slice();
        if (Arrays.asList(args).contains("--wipe")) {
            aio.wipe();
            System.out.println("cloud-wiped name=" + name + " slice=" + slice);
            return;
        }
        try (progress) {
            progress.phase("image", "checking the cache");
            Image image = aio.image(OpenStackCloud.imageListener(progress));
            progress.phaseDone("ready " + image.key().substring(0, 12));
            progress.phase("node", "booting " + String.join(", ", aio.nodeNames()));
            Cluster cluster = aio.nodes(image).keep();
            progress.phaseDone(String.join(", ", cluster.nodes().stream().map(n -> n.name() + " at " + n.address())
                    .toList()));
            try (Fleet fleet = AllInOne.connect(cluster)) {
                DeployResult r;
                try {
                    r = aio.deployer().listener(progress.label("deploy")).deploy(fleet);
                } catch (DeployFailedException e) {
                    progress.close();
                    System.err.println(e.getMessage());
                    System.exit(1);
                    return;
                }
                progress.line(r.summary());
                if (!Arrays.asList(args).contains("--no-verify")) {
                    progress.phase("verify", "openstack client on " + AllInOne.NODE);
                    Map<String, Double> steps = Verifier.run(fleet.node(AllInOne.NODE), aio.selectedServices());
                    progress.phaseDone(Verifier.format(steps));
                }
                progress.close();
                System.out.println();
                System.out.println("Use it:  export OS_CLIENT_CONFIG_FILE=" + r.cloudsYaml() + " OS_CLOUD=" + name
                        + "-admin; openstack server list");
                System.out.println("   or:   . " + r.adminOpenrc() + "   (ssh -F " + cluster.sshConfig() + " "
                        + AllInOne.NODE + " has the client too)");
                System.out.println("Report:  " + r.htmlReport() + " (open it in a browser)");
                System.out.println("Wipe it: speedling-examples/bin/cloud --wipe --name " + name + " --slice " + slice);
                System.out.printf("cloud-ready name=%s keystone=%s clouds_yaml=%s openrc=%s report=%s%n", name,
                        r.keystoneUrl(), r.cloudsYaml(), r.adminOpenrc(), r.htmlReport());
            }
        }
    }

    private static String arg(String[] args, String name, String dflt) {
        int i = Arrays.asList(args).indexOf(name);
        return i >= 0 && i + 1 < args.length ? args[i + 1] : dflt;
    }
}
