package io.speedling.openstack.junit;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Inherited;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import org.junit.jupiter.api.ClassTemplate;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Runs a {@link SpeedlingCloud} test class once per OpenStack release, as a JUnit class template:
 * each run gets the cloud of the annotation's spec on that release (shared, as always, with every
 * class of the test run that asks for the same cloud), and is shown with the release's name.
 *
 * <pre>{@code
 * @SpeedlingReleases({"zed", "2025.1"})
 * @SpeedlingCloud(services = "keystone")
 * class TokensTest {
 *     @Test
 *     void issuesATokenOnEveryRelease(OpenStackCloud cloud) {
 *         cloud.controller().call(Sh.checked(". /root/admin-openrc.sh && openstack token issue"));
 *     }
 * }
 * }</pre>
 *
 * <p>An unknown release fails the class listing the known ones. A best-effort release
 * ({@link io.speedling.openstack.Release#bestEffort()}: Debian testing's) whose cloud does not
 * come up is reported as aborted, with the reason, not as failed: it never breaks the others.
 */
@Target(ElementType.TYPE)
@Retention(RetentionPolicy.RUNTIME)
@Documented
@Inherited
@ClassTemplate
@ExtendWith(SpeedlingReleasesProvider.class)
public @interface SpeedlingReleases {
    /** The releases, each as {@link io.speedling.openstack.Release#of} takes it: {@code zed}, {@code 2025.1}, ... */
    String[] value();
}
