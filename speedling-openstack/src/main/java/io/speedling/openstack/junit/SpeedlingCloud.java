package io.speedling.openstack.junit;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Inherited;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Gives a test class a deployed OpenStack cloud: parameters of type {@link
 * io.speedling.openstack.OpenStackCloud} receive it, and so do fields marked {@link InjectCloud}. The cloud is deployed once per test
 * run and shared by every class asking for the same spec; it is removed when the run ends unless
 * reuse is on (here and in the user's settings) or a test failed with {@link #keepOnFailure()}.
 *
 * <pre>{@code
 * @SpeedlingCloud(services = {"keystone", "glance"})
 * class ImageTest {
 *     @Test
 *     void listsImages(OpenStackCloud cloud) {
 *         cloud.controller().call(Sh.checked(". /root/admin-openrc.sh && openstack image list"));
 *     }
 * }
 * }</pre>
 *
 * On a machine that cannot run nodes (no systemd-nspawn, not root) the class is skipped with the
 * reason; configuration parameter {@code speedling.cloud.enabled=false} skips it on purpose.
 */
@Target({ElementType.TYPE, ElementType.ANNOTATION_TYPE})
@Retention(RetentionPolicy.RUNTIME)
@Documented
@Inherited
@ExtendWith(SpeedlingCloudExtension.class)
public @interface SpeedlingCloud {
    /** Services by name, with what they need coming along; empty means every service. */
    String[] services() default {};

    /**
     * Controllers: 1 (the default), or 3 or 5 behind a virtual IP (HAProxy, keepalived, Galera, a
     * RabbitMQ cluster), for tests of how things behave when a controller fails.
     */
    int controllers() default 1;

    /** Worker nodes for nova-compute and the network agent; 0 (the default) puts everything on one node. */
    int workers() default 0;

    /** Storage nodes for Ceph's OSDs and Swift's servers; 0 (the default) keeps storage on the controller. */
    int storage() default 0;

    /**
     * Tempest's tests to run at the end of the deploy: {@code "smoke"} or a regular expression over
     * test ids; empty (the default) runs none. A failed test fails the deploy, naming it.
     */
    String tempest() default "";

    /**
     * Per-node config settings that win over the components' own, each
     * {@code NODE:PATH:SECTION.KEY=VALUE}, e.g. {@code "controller-01:/etc/nova/nova.conf:DEFAULT.debug=true"}.
     */
    String[] config() default {};

    /** Nova's compute driver: {@code fake} (the default) or {@code libvirt} (servers are qemu domains). */
    String computeDriver() default "fake";

    /**
     * The OpenStack release: {@code zed}, {@code 2025.1} or {@code 2026.1} (or a codename or Debian
     * suite, {@link io.speedling.openstack.Release#of}); empty (the default) is
     * {@link io.speedling.openstack.Release#DEFAULT}. An unknown one fails the class, listing the known ones.
     */
    String release() default "";

    /**
     * Where the nodes come from: {@code nspawn} (the default: containers) or {@code libvirt} (VMs on
     * a running libvirtd; minutes per node under qemu without KVM). An unknown one fails the class.
     */
    String provider() default "nspawn";

    /**
     * The name of a static method of the test class returning a {@link io.speedling.openstack.CloudSpec};
     * when given, it is the spec and the other attributes are ignored.
     */
    String spec() default "";

    /**
     * An inventory file of machines the user has ({@link io.speedling.openstack.Hosts}; relative to
     * the working directory): the cloud goes onto them instead of booted nodes, and stays there after
     * the run. Leave controllers, workers and storage unset with it.
     */
    String hosts() default "";

    /** The cloud's name; empty derives one from the spec's hash. */
    String name() default "";

    /**
     * Keep the cloud running after the run and reuse it next time. Takes effect only when the
     * user also allows reuse: {@code speedling.reuse.enable=true} in ~/.speedling.properties, as a
     * JUnit configuration parameter or system property, or SPEEDLING_REUSE_ENABLE=true.
     */
    boolean reuse() default false;

    /**
     * Keep the cloud for inspection when a test using it fails (also switched on for every cloud
     * by the configuration parameter {@code speedling.keepOnFailure=true}).
     */
    boolean keepOnFailure() default false;

    /** Run the openstack-client checks after deploying. */
    boolean verify() default false;
}
