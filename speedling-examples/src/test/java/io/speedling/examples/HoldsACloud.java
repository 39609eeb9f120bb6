package io.speedling.examples;

import io.speedling.core.tasks.Progress;
import io.speedling.openstack.CloudSpec;
import io.speedling.openstack.OpenStackCloud;

/**
 * A program that stands a keystone cloud up and holds it open without ever closing it, for
 * {@link ExamplesE2E}: ending its JVM must still remove the cloud.
 */
public final class HoldsACloud {
    private HoldsACloud() {
    }

    public static void main(String[] args) throws Exception {
        CloudSpec spec = CloudSpec.allInOne().services("keystone").name(args[0]).slice(Integer.parseInt(args[1]));
        OpenStackCloud cloud = OpenStackCloud.up(spec, Progress.lines(System.out), false);
        System.out.println("holding " + cloud.name() + " " + cloud.keystoneUrl());
        Thread.sleep(Long.MAX_VALUE);
    }
}
