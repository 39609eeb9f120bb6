package io.speedling.openstack.junit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.platform.engine.discovery.DiscoverySelectors.selectClass;
import static org.junit.platform.testkit.engine.EventConditions.container;
import static org.junit.platform.testkit.engine.EventConditions.event;
import static org.junit.platform.testkit.engine.EventConditions.finishedWithFailure;
import static org.junit.platform.testkit.engine.EventConditions.skippedWithReason;
import static org.junit.platform.testkit.engine.TestExecutionResultConditions.cause;
import static org.junit.platform.testkit.engine.TestExecutionResultConditions.instanceOf;
import static org.junit.platform.testkit.engine.TestExecutionResultConditions.message;

import io.speedling.openstack.CloudSpec;
import io.speedling.openstack.OpenStackCloud;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtensionConfigurationException;
import org.junit.platform.testkit.engine.EngineTestKit;
import org.junit.platform.testkit.engine.Events;

/**
 * The extension's refusals, run through the Jupiter engine with fixture classes. None of these
 * deploys anything: each fixture is stopped before a node is touched (the deploying cases are in
 * {@code SpeedlingCloudExtensionE2E}).
 */
class SpeedlingCloudExtensionTest {

    @SpeedlingCloud(services = "keystone")
    static class KeystoneFixture {
        @Test
        void usesTheCloud(OpenStackCloud cloud) {
            throw new AssertionError("must not run: " + cloud);
        }
    }

    @SpeedlingCloud(services = {"keystone", "nvoa"})
    static class UnknownServiceFixture {
        @Test
        void never(OpenStackCloud cloud) {
            throw new AssertionError("must not run");
        }
    }

    @SpeedlingCloud(release = "2024.2")
    static class UnknownReleaseFixture {
        @Test
        void never(OpenStackCloud cloud) {
            throw new AssertionError("must not run");
        }
    }

    @SpeedlingReleases({"zed", "2024.2"})
    @SpeedlingCloud(services = "keystone")
    static class UnknownTemplateReleaseFixture {
        @Test
        void never(OpenStackCloud cloud) {
            throw new AssertionError("must not run");
        }
    }

    @SpeedlingCloud(spec = "nope")
    static class MissingFactoryFixture {
        @Test
        void never(OpenStackCloud cloud) {
            throw new AssertionError("must not run");
        }
    }

    @SpeedlingCloud(spec = "cloud")
    static class FactoryFixture {
        static CloudSpec cloud() {
            return CloudSpec.allInOne().services("glance").name("from-factory");
        }

        @Test
        void never(OpenStackCloud cloud) {
            throw new AssertionError("must not run");
        }
    }

    @SpeedlingCloud(services = "keystone", hosts = "no-such-lab.json")
    static class MissingHostsFileFixture {
        @Test
        void never(OpenStackCloud cloud) {
            throw new AssertionError("must not run");
        }
    }

    @SpeedlingCloud(services = "keystone")
    static class WrongFieldFixture {
        @InjectCloud
        static String cloud;

        /** Not marked: the extension leaves it alone. */
        static OpenStackCloud mine;

        @Test
        void never() {
            throw new AssertionError("must not run");
        }
    }

    private static Events run(Class<?> fixture, String key, String value) {
        return EngineTestKit.engine("junit-jupiter").selectors(selectClass(fixture)).configurationParameter(key, value)
                .execute().allEvents();
    }

    @Test
    void turnedOffByConfigurationTheClassIsSkippedWithTheReason() {
        Events events = run(KeystoneFixture.class, SpeedlingCloudExtension.ENABLED, "false");
        events.assertThatEvents().haveExactly(1, event(container(KeystoneFixture.class),
                skippedWithReason("speedling cloud tests are turned off (speedling.cloud.enabled=false)")));
        assertThat(events.started().count()).isEqualTo(1);  // only the engine itself
    }

    @Test
    void anUnknownServiceFailsTheClassNamingIt() {
        Events events = run(UnknownServiceFixture.class, SpeedlingCloudExtension.ENABLED, "false");
        events.assertThatEvents().haveExactly(1, event(container(UnknownServiceFixture.class),
                finishedWithFailure(message(m -> m.endsWith("did you mean 'nova'?")), cause(
                        instanceOf(IllegalArgumentException.class), message(m -> m.startsWith(
                        "unknown service 'nvoa': the known services are haproxy, mariadb, rabbitmq"))))));
    }

    @Test
    void anUnknownReleaseFailsTheClassListingTheKnownOnes() {
        Events events = run(UnknownReleaseFixture.class, SpeedlingCloudExtension.ENABLED, "false");
        events.assertThatEvents().haveExactly(1, event(container(UnknownReleaseFixture.class),
                finishedWithFailure(message(m -> m.contains("unknown OpenStack release '2024.2'")
                        && m.contains("zed, 2025.1, 2026.1")))));
    }

    @Test
    void anUnknownReleaseOfAReleaseMatrixFailsTheClassToo() {
        Events events = run(UnknownTemplateReleaseFixture.class, SpeedlingCloudExtension.ENABLED, "false");
        events.assertThatEvents().haveExactly(1, event(container(UnknownTemplateReleaseFixture.class),
                finishedWithFailure(message(m -> m.contains("unknown OpenStack release '2024.2'")))));
    }

    @Test
    void aMissingSpecFactoryFailsTheClassNamingTheMethod() {
        Events events = run(MissingFactoryFixture.class, SpeedlingCloudExtension.ENABLED, "false");
        events.assertThatEvents().haveExactly(1, event(container(MissingFactoryFixture.class),
                finishedWithFailure(cause(instanceOf(ExtensionConfigurationException.class), message(
                        "@SpeedlingCloud(spec = \"nope\") on " + MissingFactoryFixture.class.getName()
                                + ": the class has no static method nope() returning CloudSpec")))));
    }

    @Test
    void aHostsFileThatCannotBeReadFailsTheClassNamingIt() {
        Events events = run(MissingHostsFileFixture.class, SpeedlingCloudExtension.ENABLED, "false");
        events.assertThatEvents().haveExactly(1, event(container(MissingHostsFileFixture.class),
                finishedWithFailure(message(m -> m.contains("cannot read the hosts file no-such-lab.json")))));
    }

    @Test
    void aMarkedFieldOfAnotherTypeFailsTheClassNamingIt() {
        Events events = run(WrongFieldFixture.class, SpeedlingCloudExtension.ENABLED, "false");
        events.assertThatEvents().haveExactly(1, event(container(WrongFieldFixture.class),
                finishedWithFailure(cause(instanceOf(ExtensionConfigurationException.class), message(
                        "@InjectCloud on " + WrongFieldFixture.class.getName() + ".cloud: the field must be a "
                                + "non-final OpenStackCloud (it is String)")))));
        assertThat(WrongFieldFixture.mine).isNull();
    }

    @SpeedlingCloud(services = "keystone", release = "zed")
    static class ZedFixture {
    }

    @Test
    void theReleaseParameterMovesClassesThatNameNone() {
        java.util.function.Function<String, java.util.Optional<String>> epoxy =
                k -> k.equals(SpeedlingCloudExtension.RELEASE_PARAMETER) ? java.util.Optional.of("2025.1")
                        : java.util.Optional.empty();
        assertThat(SpeedlingCloudExtension.spec(SpeedlingCloudExtension.annotation(KeystoneFixture.class),
                KeystoneFixture.class, epoxy).release()).isEqualTo(io.speedling.openstack.Release.EPOXY);
        assertThat(SpeedlingCloudExtension.spec(SpeedlingCloudExtension.annotation(KeystoneFixture.class),
                KeystoneFixture.class, k -> java.util.Optional.empty()).release())
                .isEqualTo(io.speedling.openstack.Release.DEFAULT);
        assertThat(SpeedlingCloudExtension.spec(SpeedlingCloudExtension.annotation(ZedFixture.class),
                ZedFixture.class, epoxy).release()).as("a class naming its release keeps it")
                .isEqualTo(io.speedling.openstack.Release.ZED);
        Events events = run(KeystoneFixture.class, SpeedlingCloudExtension.RELEASE_PARAMETER, "2024.2");
        events.assertThatEvents().haveExactly(1, event(container(KeystoneFixture.class),
                finishedWithFailure(message(m -> m.contains("speedling.cloud.release: unknown OpenStack release "
                        + "'2024.2'") && m.contains("zed, 2025.1, 2026.1")))));
    }

    @Test
    void aSpecComesFromTheAnnotationOrTheFactory() {
        // the condition reads the spec before the host check; with the tests turned off nothing deploys
        Events events = run(FactoryFixture.class, SpeedlingCloudExtension.ENABLED, "false");
        events.assertThatEvents().haveExactly(1, event(container(FactoryFixture.class),
                skippedWithReason(r -> r.startsWith("speedling cloud tests are turned off"))));
        CloudSpec fromFactory = FactoryFixture.cloud();
        assertThat(fromFactory.services()).containsExactly("mariadb", "memcached", "keystone", "glance",
                "openstackclient");
        assertThat(fromFactory.cloudName()).isEqualTo("from-factory");
        CloudSpec a = CloudSpec.allInOne().services("keystone");
        assertThat(a.reuse(true).keepOnFailure(true).hash()).isEqualTo(a.hash());
        assertThat(a.services("glance").hash()).isNotEqualTo(a.hash());
        assertThat(a.cloudName()).matches("cloud-[0-9a-f]{8}");
        assertThat(a.sliceOrDerived()).isBetween(100, 199);
    }
}
