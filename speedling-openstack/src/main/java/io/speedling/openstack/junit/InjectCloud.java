package io.speedling.openstack.junit;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Marks a field of a {@link SpeedlingCloud} test class that receives the class's cloud: a
 * non-final field of type {@link io.speedling.openstack.OpenStackCloud}, static (set before
 * {@code @BeforeAll}) or not (set on each test instance). Only marked fields are touched; a marked
 * field of another type, or a final one, fails the class before anything is deployed.
 *
 * <pre>{@code
 * @SpeedlingCloud(services = "keystone")
 * class TokenTest {
 *     @InjectCloud
 *     static OpenStackCloud cloud;
 * }
 * }</pre>
 */
@Target(ElementType.FIELD)
@Retention(RetentionPolicy.RUNTIME)
@Documented
public @interface InjectCloud {
}
