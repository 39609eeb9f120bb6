package io.speedling.examples.bench;

import io.speedling.core.Fleet;
import io.speedling.core.tasks.Progress;
import io.speedling.openstack.AllInOne;
import io.speedling.openstack.CloudSpec;
import io.speedling.openstack.Hosts;
import io.speedling.openstack.OpenStackCloud;
import io.speedling.openstack.Verifier;
import io.speedling.virt.image.BuildListener;
import io.speedling.virt.image.Image;
import io.speedling.virt.image.ImageCache;
import io.speedling.virt.image.Recipes;
import io.speedling.virt.internal.Mounts;
import io.speedling.virt.nodes.Cluster;
import io.speedling.virt.nodes.NspawnProvider;
import io.speedling.virt.nodes.SlicePlan;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * Deploying onto machines one already has, in one run: bare hosts (nspawn nodes booted from the
 * plain Debian base: no Java, no OpenStack package) given only through an inventory file, from
 * nothing to a verified cloud with the packages installed on the way ({@code bare_deploy_s}:
 * connect, checks, install, deploy, verify); the agent's first connect to them, Java runtime
 * linked and sent ({@code bootstrap_cold_s}, with a runtime cache of its own, so the link is in
 * it) and a second connect ({@code bootstrap_cached_s}); baseline in the same run: the same cloud
 * on the prebuilt image ({@code image_deploy_s}: connect, deploy, verify on fresh nodes).
 *
 * <p>Options: {@code --hosts N} (1: an all-in-one host, the target; more: a controller and
 * N-1 compute workers),
 * {@code --services LIST} (defaults: the core services and the default resources), {@code --slice N}
 * (248; the baseline uses N+1), {@code --cache DIR}, {@code --release R} (the default release; the hosts run
 * its Debian suite: Debian 13 for 2025.1, Debian 12 for zed).
 */
public final class DeployHostsBench {
    public static void main(String[] args) throws Exception {
        io.speedling.core.Fleet.preferJdkCrypto();  // a tool of its own: the JVM is ours to tune
        BenchArgs a = BenchArgs.parse("deploy-hosts", args, List.of(), "--hosts", "--services", "--slice", "--cache",
                "--release");
        int hosts = a.getInt("--hosts", 1);
        if (hosts < 1 || hosts > AllInOne.MAX_WORKERS + 1) {
            throw new IllegalArgumentException("--hosts " + hosts + " is out of range: give 1 to "
                    + (AllInOne.MAX_WORKERS + 1));
        }
        List<String> services = List.of(a.get("--services", "defaults").split(","));
        int slice = a.getInt("--slice", 248);
        String cacheDir = a.get("--cache", null);
        Path work = Files.createTempDirectory(Path.of("/var/tmp"), "speedling-bench-hosts-");
        NspawnProvider provider = NspawnProvider.create(work.resolve("nodes"));
        // the hosts run the Debian release whose packages the cloud's OpenStack release comes from
        CloudSpec spec = CloudSpec.allInOne().release(a.get("--release", io.speedling.openstack.Release.DEFAULT.id()))
                .services(services).name("bench-hosts").verify(true);
        Hosts[] onHosts = new Hosts[1];
        Thread cleanup = new Thread(() -> {
            if (onHosts[0] != null) {
                try {
                    OpenStackCloud.wipe(spec.hosts(onHosts[0]));
                } catch (RuntimeException e) {
                    System.err.println("wipe of the bare hosts' cloud: " + e.getMessage());
                }
            }
            provider.wipe(slice);
            provider.wipe(slice + 1);
            Mounts.removeTree(work);
        }, "bench-cleanup");
        Runtime.getRuntime().addShutdownHook(cleanup);
        int failed = 0;
        try {
            ImageCache cache = cacheDir != null ? ImageCache.open(Path.of(cacheDir)) : ImageCache.openDefault();
            Image base = cache.build(Recipes.base(spec.release().suite()), new BuildListener() { });
            SlicePlan.Builder pb = SlicePlan.slice(slice).node("controller", 1);
            if (hosts > 1) {
                pb.node("worker", hosts - 1);
            }
            long t0 = System.nanoTime();
            Cluster bare = provider.cycle(pb.build(), base);
            System.out.printf("%d bare hosts booted to SSH: %.1f s%n", hosts, BenchArgs.secs(t0));
            Path file = work.resolve("hosts.json");
            Files.writeString(file, hostsFile(bare, hosts));
            onHosts[0] = Hosts.read(file);

            Path runtimes = work.resolve("runtimes");
            t0 = System.nanoTime();
            try (Fleet f = Fleet.builder().nodes(onHosts[0].nodeSpecs()).knownHosts(onHosts[0].knownHosts())
                    .runtimeCache(runtimes).ship(AllInOne.class).connect()) {
                f.all().call(io.speedling.core.functions.Sh.checked("true"));
            }
            double cold = BenchArgs.secs(t0);
            t0 = System.nanoTime();
            try (Fleet f = Fleet.builder().nodes(onHosts[0].nodeSpecs()).knownHosts(onHosts[0].knownHosts())
                    .runtimeCache(runtimes).ship(AllInOne.class).connect()) {
                f.all().call(io.speedling.core.functions.Sh.checked("true"));
            }
            double cached = BenchArgs.secs(t0);
            long runtimeBytes;
            try (var files = Files.list(runtimes)) {
                runtimeBytes = files.filter(p -> p.getFileName().toString().endsWith(".tar.gz")).mapToLong(p -> {
                    try {
                        return Files.size(p);
                    } catch (java.io.IOException e) {
                        throw new java.io.UncheckedIOException(e);
                    }
                }).sum();
            }
            System.out.printf("agent onto %d hosts without Java: first connect %.2f s (runtime linked and sent), "
                    + "second %.2f s; runtime %.1f MiB packed%n", hosts, cold, cached, runtimeBytes / 1048576.0);

            double bareS = Double.NaN;
            t0 = System.nanoTime();
            try (OpenStackCloud cloud = OpenStackCloud.up(spec.hosts(onHosts[0]), Progress.lines(System.out), false)) {
                bareS = BenchArgs.secs(t0);
                System.out.printf("bare hosts to a verified cloud (%s): %.1f s%n", String.join(",", services), bareS);
            } catch (RuntimeException e) {
                failed++;
                System.out.println("deploy onto the bare hosts failed: " + e.getMessage());
            }

            AllInOne image = AllInOne.of(spec.name("bench-hosts-image").slice(slice + 1).workers(hosts - 1))
                    .cache(cache).provider(provider);
            Image img = cache.build(image.recipe(), new BuildListener() { });
            Cluster c = provider.cycle(image.plan(), img);
            double imageS;
            t0 = System.nanoTime();
            try (Fleet fleet = AllInOne.connect(c)) {
                image.deployer().deploy(fleet);
                Verifier.run(fleet.node(AllInOne.NODE), image.spec().services());
                imageS = BenchArgs.secs(t0);
            } finally {
                c.wipe();
                io.speedling.openstack.OpenStackCloud.wipe(image.spec());
            }
            System.out.printf("the same cloud on the prebuilt image: %.1f s (ratio %.1fx)%n", imageS, bareS / imageS);
            System.out.printf("deploy-hosts hosts=%d bare_deploy_s=%.1f image_deploy_s=%.1f agent_runtime_mib=%.1f "
                    + "bootstrap_cold_s=%.2f bootstrap_cached_s=%.2f failed=%d release=%s%n", hosts, bareS, imageS,
                    runtimeBytes / 1048576.0, cold, cached, failed, spec.release().id());
        } finally {
            Runtime.getRuntime().removeShutdownHook(cleanup);
            cleanup.run();
        }
    }

    /** The inventory file of the booted hosts: the first a controller (and compute when alone), the others compute. */
    static String hostsFile(Cluster c, int hosts) {
        StringBuilder b = new StringBuilder("{\n  \"known_hosts\": \"" + c.knownHosts() + "\",\n  \"hosts\": [\n");
        for (int i = 0; i < c.nodes().size(); i++) {
            var n = c.nodes().get(i);
            String roles = i == 0 ? (hosts == 1 ? "\"controller\", \"compute\"" : "\"controller\"") : "\"compute\"";
            b.append("    { \"name\": \"").append(n.name()).append("\", \"address\": \"").append(n.address())
                    .append("\", \"key\": \"").append(c.identity()).append("\", \"roles\": [").append(roles)
                    // the slice's second network is the provider network: its /24 gives the public network
                    .append("], \"provider_address\": \"").append(n.spec().data().get("ext_ipv4")).append("\" }")
                    .append(i + 1 < c.nodes().size() ? ",\n" : "\n");
        }
        return b.append("  ]\n}\n").toString();
    }
}
