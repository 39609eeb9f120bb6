package io.speedling.openstack.junit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.platform.engine.discovery.DiscoverySelectors.selectClass;

import java.util.Optional;
import java.util.ServiceLoader;
import org.junit.jupiter.api.Test;
import org.junit.platform.engine.TestExecutionResult;
import org.junit.platform.engine.support.descriptor.ClassSource;
import org.junit.platform.launcher.TestExecutionListener;
import org.junit.platform.launcher.TestIdentifier;
import org.junit.platform.launcher.TestPlan;
import org.junit.platform.launcher.core.LauncherDiscoveryRequestBuilder;
import org.junit.platform.launcher.core.LauncherFactory;

/**
 * Which classes of a run still need a cloud, worked out from a plan the real launcher discovered
 * (nothing is deployed: the plan is only discovered, its events are given by hand).
 */
class SpeedlingTestPlanListenerTest {

    @SpeedlingCloud(services = "keystone")
    static class First {
        @Test
        void t() {
        }
    }

    @SpeedlingCloud(services = "keystone")
    static class Second {
        @Test
        void t() {
        }
    }

    @SpeedlingCloud(services = "keystone", name = "elsewhere")
    static class Other {
        @Test
        void t() {
        }
    }

    @SpeedlingCloud(spec = "missing")
    static class Unknowable {
        @Test
        void t() {
        }
    }

    private static String hash(Class<?> c) {
        return SpeedlingCloudExtension.spec(SpeedlingCloudExtension.annotation(c), c, k -> Optional.empty()).hash();
    }

    private static TestPlan plan(Class<?>... classes) {
        var request = LauncherDiscoveryRequestBuilder.request();
        for (Class<?> c : classes) {
            request.selectors(selectClass(c));
        }
        return LauncherFactory.create().discover(request.build());
    }

    private static void finish(SpeedlingTestPlanListener l, TestPlan plan, Class<?> c) {
        for (TestIdentifier root : plan.getRoots()) {
            for (TestIdentifier id : plan.getDescendants(root)) {
                if (id.getSource().filter(s -> s instanceof ClassSource cs && cs.getClassName().equals(c.getName()))
                        .isPresent()) {
                    plan.getDescendants(id).forEach(t -> l.executionFinished(t, TestExecutionResult.successful()));
                    l.executionFinished(id, TestExecutionResult.successful());
                }
            }
        }
    }

    @Test
    void aCloudIsNeededUntilTheLastClassWithItsSpecHasFinished() {
        TestPlan plan = plan(First.class, Second.class, Other.class);
        SpeedlingTestPlanListener l = new SpeedlingTestPlanListener();
        l.testPlanExecutionStarted(plan);
        try {
            assertThat(hash(First.class)).isEqualTo(hash(Second.class)).isNotEqualTo(hash(Other.class));
            assertThat(SpeedlingTestPlanListener.laterNeeds(hash(First.class), First.class)).as("Second to come")
                    .isTrue();
            assertThat(SpeedlingTestPlanListener.laterNeeds(hash(Other.class), Other.class)).as("no other user")
                    .isFalse();
            finish(l, plan, First.class);
            assertThat(SpeedlingTestPlanListener.laterNeeds(hash(Second.class), Second.class)).isFalse();
        } finally {
            l.testPlanExecutionFinished(plan);
        }
        // once the plan has ended nothing is known: a cloud stays until the store closes it
        assertThat(SpeedlingTestPlanListener.laterNeeds(hash(Other.class), Other.class)).isTrue();
    }

    @Test
    void aClassWhoseSpecCannotBeWorkedOutKeepsEveryCloud() {
        TestPlan plan = plan(First.class, Unknowable.class);
        SpeedlingTestPlanListener l = new SpeedlingTestPlanListener();
        l.testPlanExecutionStarted(plan);
        try {
            assertThat(SpeedlingTestPlanListener.laterNeeds(hash(First.class), First.class)).isTrue();
            finish(l, plan, Unknowable.class);
            assertThat(SpeedlingTestPlanListener.laterNeeds(hash(First.class), First.class)).isFalse();
        } finally {
            l.testPlanExecutionFinished(plan);
        }
    }

    @Test
    void theLauncherRunningThisTestHasTheListenerAndKnowsThisClass() {
        assertThat(ServiceLoader.load(TestExecutionListener.class)).anyMatch(SpeedlingTestPlanListener.class::isInstance);
        // surefire's and failsafe's launcher loaded it, so the early close works in Maven runs
        assertThat(SpeedlingTestPlanListener.running(getClass())).isTrue();
    }
}
