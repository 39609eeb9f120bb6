package io.speedling.examples.bench;

import io.speedling.core.Fleet;
import io.speedling.openstack.AllInOne;
import io.speedling.openstack.CloudSpec;
import io.speedling.openstack.DeployResult;
import io.speedling.openstack.Deployer;
import io.speedling.openstack.Verifier;
import io.speedling.virt.image.BuildListener;
import io.speedling.virt.image.Image;
import io.speedling.virt.image.ImageCache;
import io.speedling.virt.image.Recipe;
import io.speedling.virt.image.Recipes;
import io.speedling.virt.image.Step;
import io.speedling.virt.internal.Mounts;
import io.speedling.virt.nodes.Cluster;
import io.speedling.virt.nodes.NspawnProvider;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * The all-in-one cloud's speed in one run, with its own cache, node state and cloud state (all
 * removed at the end): the OpenStack image layers built on a cached base, a deploy of every service
 * onto a fresh node from that image, the node's memory, the verification, and a rerun with nothing
 * changed. Baselines in the same run: the same deploy with every task on one thread, onto another
 * fresh node; and the core cloud alone ({@link #CORE}: what speedling deployed before block and
 * object storage), on its own image and nodes, deployed in turns with the complete cloud
 * ({@code --rounds} turns; deploy_s and core_deploy_s are the medians, the ratio the median of the turns'
 * ratios). An untimed keystone-only deploy comes first, so that no timed deploy is the JVM's first.
 *
 * <p>Options: {@code --slice N} (240; the baselines use N+1 and N+2), {@code --no-baseline},
 * {@code --cache DIR} (an image cache kept between runs: its layers are reused, image_s is what was
 * still built, 0 when nothing was),
 * {@code --rounds N} (3), {@code --release R} (the default release, {@link io.speedling.openstack.Release#DEFAULT}; e.g. zed),
 * {@code --services a,b} (every service the release runs; the core baseline keeps its five).
 */
public final class DeployAioBench {
    /** The core cloud: the original's first five services (and what they need). */
    static final List<String> CORE = List.of("keystone", "glance", "placement", "neutron", "nova");

    public static void main(String[] args) throws Exception {
        io.speedling.core.Fleet.preferJdkCrypto();  // a tool of its own: the JVM is ours to tune
        BenchArgs a = BenchArgs.parse("deploy-aio", args, List.of("--no-baseline"), "--slice", "--cache", "--rounds",
                "--release", "--services");
        int slice = a.getInt("--slice", 240);
        boolean baseline = !a.has("--no-baseline");
        String reuse = a.get("--cache", null);
        int rounds = a.getInt("--rounds", 3);
        io.speedling.openstack.Release release = io.speedling.openstack.Release.of(a.get("--release",
                io.speedling.openstack.Release.DEFAULT.id()));
        String services = a.get("--services", null);
        Path work = Files.createTempDirectory(Path.of("/var/tmp"), "speedling-bench-aio-");
        NspawnProvider provider = NspawnProvider.create(work.resolve("nodes"));
        Thread cleanup = new Thread(() -> {
            provider.wipe(slice);
            provider.wipe(slice + 1);
            provider.wipe(slice + 2);
            Mounts.removeTree(work);
        }, "bench-cleanup");
        Runtime.getRuntime().addShutdownHook(cleanup);
        try {
            ImageCache cache = reuse != null ? ImageCache.open(Path.of(reuse)) : ImageCache.open(work.resolve("cache"));
            CloudSpec spec = CloudSpec.allInOne().release(release);
            if (services != null) {
                spec = spec.services(List.of(services.split(",")));
            }
            AllInOne aio = AllInOne.of(spec.name("bench").slice(slice)).cache(cache).provider(provider);
            Recipe full = aio.recipe();
            List<Step> steps = full.steps();
            BuildListener quiet = new BuildListener() { };
            // the base and tools layers, untimed: "with the base cached"
            int base = Recipes.node(release.suite()).steps().size();
            cache.build(Recipe.of(steps.subList(0, base)), quiet);
            long t0 = System.nanoTime();
            Image image = cache.build(full, quiet);
            double imageS = BenchArgs.secs(t0);
            List<io.speedling.virt.image.LayerInfo> os = image.layers().subList(base, image.layers().size());
            System.out.printf("OpenStack image layers on the cached base: %.1f s, %d MiB (%s)%n", imageS,
                    os.stream().mapToLong(io.speedling.virt.image.LayerInfo::sizeBytes).sum() >> 20,
                    String.join(", ", os.stream().map(l -> l.description().split(" ")[0] + " "
                            + String.format("%.1f s", l.buildSeconds())).toList()));

            // untimed: a keystone-only cloud on the same image, so that no timed deploy is the JVM's first
            // (its class loading and compilation take CPU from the node's services on 2 cores)
            freshDeploy(provider, AllInOne.of(spec.services("keystone").name("bench-warmup").slice(slice + 2))
                    .cache(cache).provider(provider), image, work.resolve("cloud-warmup"));

            t0 = System.nanoTime();
            Cluster cluster = provider.cycle(aio.plan(), image);
            System.out.printf("fresh node booted to SSH: %.1f s%n", BenchArgs.secs(t0));
            Deployer deployer = Deployer.of(aio.cloud(), work.resolve("cloud"));
            DeployResult first;
            double deployS;
            double verifyS;
            double rerunS;
            DeployResult again;
            long memMiB;
            try (Fleet fleet = AllInOne.connect(cluster)) {
                t0 = System.nanoTime();
                first = deployer.deploy(fleet);
                deployS = BenchArgs.secs(t0);
                System.out.printf("deploy: %.1f s, %d tasks, %d services%n", deployS, first.report().tasks().size(),
                        aio.cloud().components().size());
                System.out.println("slowest tasks (own work, without waits):");
                first.report().tasks().stream()
                        .sorted(java.util.Comparator.comparingLong(io.speedling.core.tasks.TaskRecord::workMs).reversed())
                        .limit(10).forEach(r -> System.out.printf("  %-26s %6.1f s (ended at %.1f s)%n", r.name(),
                                r.workMs() / 1000.0, r.endMs() / 1000.0));

                // every process of the node (its own PID namespace): the resident memory the cloud costs
                memMiB = residentMiB(fleet.node(AllInOne.NODE));
                System.out.printf("node memory after the deploy: %d MiB resident (sum over its processes)%n", memMiB);

                t0 = System.nanoTime();
                Map<String, Double> steps2 = Verifier.run(fleet.node(AllInOne.NODE), aio.spec().services());
                verifyS = BenchArgs.secs(t0);
                System.out.printf("verify: %.1f s (%s)%n", verifyS, Verifier.format(steps2));

                t0 = System.nanoTime();
                again = deployer.deploy(fleet);
                rerunS = BenchArgs.secs(t0);
                System.out.printf("rerun: %.1f s, %d services restarted%n", rerunS, again.restarted());
            }
            cluster.wipe();

            if (baseline) {
                AllInOne serialAio = AllInOne.of(spec.name("bench-serial").slice(slice + 1)).cache(cache)
                        .provider(provider);
                Cluster c2 = provider.cycle(serialAio.plan(), image);
                try (Fleet fleet = AllInOne.connect(c2)) {
                    t0 = System.nanoTime();
                    Deployer.of(serialAio.cloud(), work.resolve("cloud-serial")).serial(true).deploy(fleet);
                    double serialS = BenchArgs.secs(t0);
                    System.out.printf("baseline: the same deploy with every task on one thread: %.1f s%n", serialS);
                    System.out.printf("ratio: serial/parallel deploy %.2fx%n", serialS / deployS);
                }
                c2.wipe();
            }
            double coreS = Double.NaN;
            if (baseline) {
                // the core cloud and the complete one in turns, each on a fresh node: a 2-core machine's
                // speed drifts by several seconds within minutes, and turns share the drift fairly
                AllInOne core = AllInOne.of(spec.services(CORE).name("bench-core").slice(slice + 2)).cache(cache)
                        .provider(provider);
                Image coreImage = cache.build(core.recipe(), quiet);
                List<Double> cores = new java.util.ArrayList<>();
                List<Double> completes = new java.util.ArrayList<>(List.of(Math.round(deployS * 10) / 10.0));
                for (int round = 1; round <= rounds; round++) {
                    if (round > 1) {
                        completes.add(freshDeploy(provider, aio, image, work.resolve("cloud-" + round)));
                    }
                    cores.add(freshDeploy(provider, core, coreImage, work.resolve("cloud-core-" + round)));
                }
                coreS = median(cores);
                deployS = median(completes);
                // each turn's two deploys ran minutes apart at most: their ratio is free of the drift between
                // turns, and the median of those ratios is the figure
                List<Double> ratios = new java.util.ArrayList<>();
                for (int i = 0; i < rounds; i++) {
                    ratios.add(Math.round(completes.get(i) / cores.get(i) * 100) / 100.0);
                }
                System.out.printf("baseline: the core cloud alone (%d services), in turns with the complete one: "
                        + "core %s s, complete %s s%n", core.cloud().components().size(), cores, completes);
                System.out.printf("ratio: complete/core deploy %.2fx (median of the turns' ratios %s; medians of the "
                        + "times %.1f s / %.1f s)%n", median(ratios), ratios, deployS, coreS);
            }
            System.out.printf("deploy-aio image_s=%.1f deploy_s=%.1f verify_s=%.1f rerun_s=%.1f tasks=%d failed=%d "
                    + "restarted_on_rerun=%d services=%d core_deploy_s=%.1f node_mem_mib=%d release=%s%n",
                    imageS, deployS, verifyS, rerunS, first.report().tasks().size(),
                    first.report().failed().size(), again.restarted(), aio.cloud().components().size(), coreS, memMiB,
                    release.id());
        } finally {
            Runtime.getRuntime().removeShutdownHook(cleanup);
            cleanup.run();
        }
    }

    /** The resident memory of every process of {@code node} (its own PID namespace), in MiB. */
    static long residentMiB(io.speedling.core.Node node) {
        return Long.parseLong(node.call(io.speedling.core.functions.Sh.checked(
                "ps -eo rss= | awk '{s += $1} END {print int(s / 1024)}'")).stdout().strip());
    }

    /** Seconds to deploy {@code a} onto fresh nodes of {@code image}, which are wiped afterwards. */
    static double freshDeploy(NspawnProvider provider, AllInOne a, Image image, Path state) throws Exception {
        Cluster c = provider.cycle(a.plan(), image);
        try (Fleet fleet = AllInOne.connect(c)) {
            long t0 = System.nanoTime();
            Deployer.of(a.cloud(), state).deploy(fleet);
            return Math.round(BenchArgs.secs(t0) * 10) / 10.0;
        } finally {
            c.wipe();
        }
    }

    private static double median(List<Double> xs) {
        List<Double> s = xs.stream().sorted().toList();
        int n = s.size();
        return n % 2 == 1 ? s.get(n / 2) : (s.get(n / 2 - 1) + s.get(n / 2)) / 2;
    }


}
