package io.speedling.openstack.junit;

import io.speedling.openstack.CloudSpec;
import io.speedling.openstack.Release;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.platform.engine.TestExecutionResult;
import org.junit.platform.engine.support.descriptor.ClassSource;
import org.junit.platform.launcher.TestExecutionListener;
import org.junit.platform.launcher.TestIdentifier;
import org.junit.platform.launcher.TestPlan;

/**
 * Tells {@link SpeedlingCloudExtension} which test classes of the run are still to come, so a
 * cloud is closed after the last class that uses it instead of idling until the whole run ends
 * (in a CI run of the end-to-end tests the idle clouds of earlier classes made later ones about
 * twice as slow). Registered with the JUnit Platform launcher through {@code ServiceLoader}
 * ({@code META-INF/services}); where no launcher runs it (an engine driven directly), nothing is
 * known and every cloud stays until the run ends, as before.
 */
public final class SpeedlingTestPlanListener implements TestExecutionListener {
    /** The plans being executed (a test may run another launcher inside the outer one). */
    private static final List<Run> RUNS = new CopyOnWriteArrayList<>();
    private Run run;

    /** One executing plan: per test class, how many of its containers have not finished yet. */
    private static final class Run {
        final Map<String, AtomicInteger> open = new ConcurrentHashMap<>();
        final TestPlan plan;
        final Map<String, List<String>> specHashes = new ConcurrentHashMap<>();

        Run(TestPlan plan) {
            this.plan = plan;
        }

        void opened(TestIdentifier id) {
            className(id).ifPresent(c -> open.computeIfAbsent(c, k -> new AtomicInteger()).incrementAndGet());
        }

        void closed(TestIdentifier id) {
            className(id).map(open::get).ifPresent(AtomicInteger::decrementAndGet);
        }

        /** Whether this plan holds {@code c} and it has not finished. */
        boolean running(Class<?> c) {
            AtomicInteger n = open.get(c.getName());
            return n != null && n.get() > 0;
        }

        /**
         * Whether a class other than {@code current} that has not finished may use the cloud of
         * {@code hash}; a class whose spec cannot be worked out counts as one that does.
         */
        boolean needs(String hash, Class<?> current, ClassLoader loader) {
            for (Map.Entry<String, AtomicInteger> e : open.entrySet()) {
                if (e.getValue().get() <= 0 || e.getKey().equals(current.getName())) {
                    continue;
                }
                List<String> hashes = specHashes.computeIfAbsent(e.getKey(), c -> hashesOf(c, loader));
                if (hashes == null || hashes.contains(hash)) {
                    return true;
                }
            }
            return false;
        }

        /** The spec hashes a class's clouds have (one per release of a release matrix); null if unknown. */
        private List<String> hashesOf(String className, ClassLoader loader) {
            try {
                Class<?> c = Class.forName(className, false, loader);
                SpeedlingCloud a = SpeedlingCloudExtension.annotationOrNull(c);
                if (a == null) {
                    return List.of();
                }
                CloudSpec spec = SpeedlingCloudExtension.spec(a, c, plan.getConfigurationParameters()::get);
                SpeedlingReleases releases = c.getAnnotation(SpeedlingReleases.class);
                if (releases == null) {
                    return List.of(spec.hash());
                }
                List<String> out = new ArrayList<>();
                Arrays.stream(releases.value()).map(Release::of).forEach(r -> out.add(spec.release(r).hash()));
                return out;
            } catch (RuntimeException | ClassNotFoundException | LinkageError e) {
                return null;  // its spec is refused when the class runs; until then its cloud may be needed
            }
        }
    }

    private static Optional<String> className(TestIdentifier id) {
        return id.isContainer() ? id.getSource().filter(ClassSource.class::isInstance)
                .map(s -> ((ClassSource) s).getClassName()) : Optional.empty();
    }

    @Override
    public void testPlanExecutionStarted(TestPlan plan) {
        run = new Run(plan);
        for (TestIdentifier root : plan.getRoots()) {
            plan.getDescendants(root).forEach(run::opened);
        }
        RUNS.add(run);
    }

    @Override
    public void dynamicTestRegistered(TestIdentifier id) {
        if (run != null) {
            run.opened(id);
        }
    }

    @Override
    public void executionSkipped(TestIdentifier id, String reason) {
        if (run != null) {
            run.closed(id);
            run.plan.getDescendants(id).forEach(run::closed);  // a skipped class's nested classes never start
        }
    }

    @Override
    public void executionFinished(TestIdentifier id, TestExecutionResult result) {
        if (run != null) {
            run.closed(id);
        }
    }

    @Override
    public void testPlanExecutionFinished(TestPlan plan) {
        RUNS.remove(run);
        run = null;
    }

    /** Whether an executing plan holds {@code c} and it has not finished. */
    static boolean running(Class<?> c) {
        return RUNS.stream().anyMatch(r -> r.running(c));
    }

    /**
     * Whether a test class of the run other than {@code current} may still use the cloud of
     * {@code hash}: true when no executing plan holds {@code current} (the plan is not known).
     */
    static boolean laterNeeds(String hash, Class<?> current) {
        for (Run r : RUNS) {
            if (r.running(current)) {
                return r.needs(hash, current, current.getClassLoader());
            }
        }
        return true;
    }
}
