package io.speedling.examples.bench;

import io.speedling.core.Fleet;
import io.speedling.core.functions.Sh;
import io.speedling.openstack.AllInOne;
import io.speedling.openstack.CloudSpec;
import io.speedling.openstack.DeployResult;
import io.speedling.openstack.Deployer;
import io.speedling.openstack.Verifier;
import io.speedling.virt.image.BuildListener;
import io.speedling.virt.image.Image;
import io.speedling.virt.image.ImageCache;
import io.speedling.virt.internal.Mounts;
import io.speedling.virt.nodes.Cluster;
import io.speedling.virt.nodes.NspawnProvider;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * High availability's speed in one run, on the prebuilt image (the user's image cache, or {@code
 * --cache DIR}) with node and cloud state of its own (removed at the end): three controllers and a
 * worker (the core services and the default resources) deployed onto fresh nodes, verified through
 * the virtual IP, their memory; then the controller holding the virtual IP powered off (its
 * container killed) and the time until a token is issued through the virtual IP again, asked from
 * this host every 100 ms; the controller booted again, back in Galera and RabbitMQ, done booting (its
 * units up on their own, as a rebooted machine's), and a rerun ({@code rerun_s}). A rerun of the
 * healthy cloud right after the deploy is reported on a line of its own.
 * Baseline in the same run: the all-in-one cloud of the same services on the same image. An untimed
 * keystone-only deploy comes first, so that no timed deploy is the JVM's first.
 *
 * <p>Options: {@code --slice N} (244; the baseline uses N+1, the warm-up N+2), {@code --cache DIR},
 * {@code --workers N} (1).
 */
public final class DeployHaBench {
    public static void main(String[] args) throws Exception {
        io.speedling.core.Fleet.preferJdkCrypto();  // a tool of its own: the JVM is ours to tune
        BenchArgs a = BenchArgs.parse("deploy-ha", args, List.of(), "--slice", "--cache", "--workers");
        int slice = a.getInt("--slice", 244);
        int workers = a.getInt("--workers", 1);
        String cacheDir = a.get("--cache", null);
        Path work = Files.createTempDirectory(Path.of("/var/tmp"), "speedling-bench-ha-");
        NspawnProvider provider = NspawnProvider.create(work.resolve("nodes"));
        Thread cleanup = new Thread(() -> {
            for (int s = slice; s <= slice + 2; s++) {
                provider.wipe(s);
            }
            Mounts.removeTree(work);
        }, "bench-cleanup");
        Runtime.getRuntime().addShutdownHook(cleanup);
        try {
            ImageCache cache = cacheDir != null ? ImageCache.open(Path.of(cacheDir)) : ImageCache.openDefault();
            CloudSpec spec = CloudSpec.allInOne().services("defaults").name("bench-ha").slice(slice);
            AllInOne ha = AllInOne.of(spec.controllers(3).workers(workers)).cache(cache).provider(provider);
            AllInOne aio = AllInOne.of(spec.name("bench-ha-aio").slice(slice + 1)).cache(cache).provider(provider);
            long t0 = System.nanoTime();
            // one image for both: the HA cloud's holds the all-in-one's packages and HAProxy's and keepalived's
            Image image = cache.build(ha.recipe(), new BuildListener() { });
            System.out.printf("image (built or cached): %.1f s%n", BenchArgs.secs(t0));

            DeployAioBench.freshDeploy(provider, AllInOne.of(CloudSpec.allInOne().services("keystone").name("bench-ha-warmup")
                    .slice(slice + 2)).cache(cache).provider(provider), image, work.resolve("cloud-warmup"));

            double aioS = DeployAioBench.freshDeploy(provider, aio, image, work.resolve("cloud-aio"));
            System.out.printf("baseline: the all-in-one cloud of the same services: %.1f s%n", aioS);

            t0 = System.nanoTime();
            Cluster cluster = provider.cycle(ha.plan(), image);
            System.out.printf("%d fresh nodes booted to SSH: %.1f s%n", cluster.nodes().size(), BenchArgs.secs(t0));
            Deployer deployer = Deployer.of(ha.cloud(), work.resolve("cloud"));
            List<String> controllers = AllInOne.controllerNames(3);
            String vip = AllInOne.virtualIp(slice);
            double deployS;
            double rerunS;
            long restartedOnRerun;
            DeployResult first;
            String dead;
            try (Fleet fleet = AllInOne.connect(cluster)) {
                t0 = System.nanoTime();
                first = deployer.deploy(fleet);
                deployS = BenchArgs.secs(t0);
                System.out.printf("deploy of %d controllers + %d workers: %.1f s, %d tasks%n", controllers.size(), workers,
                        deployS, first.report().tasks().size());
                System.out.println(first.summary());
                long total = 0;
                StringBuilder per = new StringBuilder();
                for (var n : fleet.nodes()) {
                    long mib = DeployAioBench.residentMiB(n);
                    total += mib;
                    per.append(' ').append(n.name()).append('=').append(mib);
                }
                System.out.printf("memory after the deploy: %d MiB resident over the %d nodes (%s )%n", total,
                        fleet.nodes().size(), per);
                t0 = System.nanoTime();
                DeployResult converged = deployer.deploy(fleet);
                rerunS = BenchArgs.secs(t0);
                System.out.printf("rerun of the healthy cloud: %.1f s, %d services restarted%n", rerunS,
                        converged.restarted());
                System.out.println(converged.summary());
                restartedOnRerun = converged.restarted();
                t0 = System.nanoTime();
                Verifier.run(fleet.node(controllers.get(1)), ha.spec().services());
                System.out.printf("verify through %s: %.1f s%n", vip, BenchArgs.secs(t0));
                dead = controllers.stream().filter(c -> fleet.node(c).call(Sh.checked("ip -4 -o addr show")).stdout()
                        .contains(" " + vip + "/")).findFirst().orElseThrow(() -> new IllegalStateException(
                        "no controller holds " + vip));
            }

            String password = deployer.secrets().get("keystone-admin");
            t0 = System.nanoTime();
            cluster.powerOff(dead);
            double killS = BenchArgs.secs(t0);
            double failoverS = firstToken(vip, password, t0, 120);
            System.out.printf("failover: %s (holding %s) powered off in %.1f s; first token through the virtual IP "
                    + "%.1f s after the power-off began%n", dead, vip, killS, failoverS);

            t0 = System.nanoTime();
            cluster.start();
            DeployResult again;
            double rejoinS;
            try (Fleet fleet = AllInOne.connect(cluster)) {
                fleet.node(dead).call(new Sh("for i in $(seq 360); do mysql -N -B -e \"SHOW STATUS LIKE "
                        + "'wsrep_local_state_comment'\" 2>/dev/null | grep -q Synced && exit 0; sleep 0.5; done; exit 1",
                        true, 240));
                System.out.printf("%s booted and synced in Galera again: %.1f s%n", dead, BenchArgs.secs(t0));
                // its own units come up at boot, as a rebooted machine's do: the rerun after it is the
                // convergence check, not the node's boot (is-system-running says degraded when a unit failed)
                String boot = fleet.node(dead).call(new Sh("systemctl is-system-running --wait", false, 300))
                        .stdout().strip();
                System.out.printf("%s done booting (%s): %.1f s after the start%n", dead, boot, BenchArgs.secs(t0));
                t0 = System.nanoTime();
                again = deployer.deploy(fleet);
                rejoinS = BenchArgs.secs(t0);
                System.out.printf("rerun after %s's return: %.1f s, %d services restarted, started: %s%n", dead, rejoinS,
                        again.restarted(), again.serviceActions().entrySet().stream()
                                .filter(e -> "started".equals(e.getValue())).map(Map.Entry::getKey).toList());
                System.out.println(again.summary());
            }
            cluster.wipe();
            System.out.printf("ratio: HA/all-in-one deploy %.2fx%n", deployS / aioS);
            System.out.printf("rerun of the healthy cloud: %.1f s, %d restarted; rerun after the return (rerun_s): %.1f s%n",
                    rerunS, restartedOnRerun, rejoinS);
            System.out.printf("deploy-ha controllers=3 workers=%d deploy_s=%.1f aio_deploy_s=%.1f failover_s=%.1f "
                    + "rerun_s=%.1f failed=%d restarted_on_rerun=%d%n", workers, deployS, aioS, failoverS, rejoinS,
                    first.report().failed().size(), again.restarted());
        } finally {
            Runtime.getRuntime().removeShutdownHook(cleanup);
            cleanup.run();
        }
    }

    /**
     * Seconds from {@code t0} until Keystone issues a token through {@code vip}, asked every 100 ms
     * (each ask may take at most a second), or an exception after {@code seconds}.
     */
    static double firstToken(String vip, String password, long t0, int seconds) throws InterruptedException {
        HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(Duration.ofMillis(500)).build();
        String body = "{\"auth\":{\"identity\":{\"methods\":[\"password\"],\"password\":{\"user\":{\"name\":\"admin\","
                + "\"domain\":{\"name\":\"Default\"},\"password\":\"" + password.replace("\\", "\\\\").replace("\"", "\\\"")
                + "\"}}},\"scope\":{\"project\":{\"name\":\"admin\",\"domain\":{\"name\":\"Default\"}}}}}";
        HttpRequest req = HttpRequest.newBuilder(URI.create("http://" + vip + ":5000/v3/auth/tokens"))
                .timeout(Duration.ofSeconds(1)).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body)).build();
        String last = "no answer";
        while (System.nanoTime() - t0 < seconds * 1_000_000_000L) {
            try {
                HttpResponse<Void> r = http.send(req, HttpResponse.BodyHandlers.discarding());
                if (r.statusCode() == 201) {
                    return BenchArgs.secs(t0);
                }
                last = "HTTP " + r.statusCode();
            } catch (java.io.IOException e) {
                last = e.toString();
            }
            Thread.sleep(100);
        }
        throw new IllegalStateException("no token through " + vip + " within " + seconds + " s: " + last);
    }
}
