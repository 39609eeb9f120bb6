package io.speedling.examples;

import io.speedling.core.Fleet;
import io.speedling.openstack.AllInOne;
import io.speedling.openstack.DeployResult;
import io.speedling.openstack.Verifier;
import io.speedling.virt.image.Image;
import io.speedling.virt.nodes.Cluster;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/**
 * The main job: an all-in-one OpenStack cloud on an nspawn node, deployed, verified, ready.
 *
 * <pre>
 * cloud [--name aio] [--slice 1] [--services keystone,glance,...] [--no-verify]
 *                                   deploy (or converge the running one); default: every service
 * cloud --wipe [--name aio] [--slice 1]   remove it
 * </pre>
 */
public final class CloudMain {
    public static void main(String[] args) {
        String name = arg(args, "--name", "aio");
        AllInOne aio;
        try {
            String sliceArg = arg(args, "--slice", "1");
            if (!sliceArg.matches("[0-9]{1,3}")) {
                throw new IllegalArgumentException("--slice " + sliceArg + " is not a number: give 0-255");
            }
            int slice = Integer.parseInt(sliceArg);
            aio = AllInOne.named(name, slice);
            String services = arg(args, "--services", null);
            if (services != null) {
                aio = aio.services(List.of(services.split(",")));
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
        long t0 = System.nanoTime();
        Image image = aio.image();
        System.out.printf("image ready: %s (%.1f s)%n", image.key().substring(0, 12), secs(t0));
        long t1 = System.nanoTime();
        Cluster cluster = aio.nodes(image).keep();
        System.out.printf("node ready: %s %s (%.1f s)%n", AllInOne.NODE, cluster.node(AllInOne.NODE).address(),
                secs(t1));
        try (Fleet fleet = AllInOne.connect(cluster)) {
            long t2 = System.nanoTime();
            DeployResult r = aio.deployer().deploy(fleet);
            System.out.printf("deployed: %d tasks in %.1f s, %d services restarted%n", r.report().tasks().size(),
                    secs(t2), r.restarted());
            System.out.println(r.report().summary());
            if (!Arrays.asList(args).contains("--no-verify")) {
                long t3 = System.nanoTime();
                Map<String, Double> steps = Verifier.run(fleet.node(AllInOne.NODE), aio.selectedServices());
                System.out.printf("verified in %.1f s: %s%n", secs(t3), steps);
            }
            System.out.println();
            System.out.println("Use it:  export OS_CLIENT_CONFIG_FILE=" + r.cloudsYaml() + " OS_CLOUD=" + name
                    + "-admin; openstack server list");
            System.out.println("   or:   . " + r.adminOpenrc() + "   (ssh -F " + cluster.sshConfig() + " "
                    + AllInOne.NODE + " has the client too)");
            System.out.println("Wipe it: speedling-examples/bin/cloud --wipe --name " + name + " --slice " + slice);
            System.out.printf("cloud-ready name=%s keystone=%s clouds_yaml=%s openrc=%s report=%s%n", name,
                    r.keystoneUrl(), r.cloudsYaml(), r.adminOpenrc(), r.reportFile());
        }
    }

    private static String arg(String[] args, String name, String dflt) {
        int i = Arrays.asList(args).indexOf(name);
        return i >= 0 && i + 1 < args.length ? args[i + 1] : dflt;
    }

    private static double secs(long t0) {
        return (System.nanoTime() - t0) / 1e9;
    }
}
