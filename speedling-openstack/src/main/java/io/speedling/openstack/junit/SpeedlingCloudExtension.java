package io.speedling.openstack.junit;

import io.speedling.core.tasks.Progress;
import io.speedling.openstack.CloudSpec;
import io.speedling.openstack.OpenStackCloud;
import java.lang.reflect.Field;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.util.Arrays;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.AfterTestExecutionCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ConditionEvaluationResult;
import org.junit.jupiter.api.extension.ExecutionCondition;
import org.junit.jupiter.api.extension.ExtensionConfigurationException;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolver;
import org.junit.jupiter.api.extension.TestInstancePostProcessor;

/**
 * The engine side of {@link SpeedlingCloud}: checks the host, keeps one {@link OpenStackCloud}
 * per spec in the root store, and hands it to parameters and fields. A cloud is closed after the
 * last test class of the run that uses it where the launcher tells which classes are still to come
 * ({@link SpeedlingTestPlanListener}), else when the run ends.
 */
public final class SpeedlingCloudExtension implements ExecutionCondition, BeforeAllCallback,
        TestInstancePostProcessor, ParameterResolver, AfterTestExecutionCallback, AfterAllCallback {

    /** Configuration parameter: false skips every cloud test on this machine. */
    public static final String ENABLED = "speedling.cloud.enabled";
    /** Configuration parameter: true keeps every cloud whose tests failed. */
    public static final String KEEP_ON_FAILURE = "speedling.keepOnFailure";
    /**
     * Configuration parameter: the release of every class whose {@link SpeedlingCloud} names none
     * (e.g. {@code -Dspeedling.cloud.release=2025.1} runs a suite on 2025.1); a class naming one, a
     * {@link SpeedlingReleases} invocation and a spec factory keep theirs.
     */
    public static final String RELEASE_PARAMETER = "speedling.cloud.release";

    static final ExtensionContext.Namespace NS = ExtensionContext.Namespace.create(SpeedlingCloudExtension.class);
    /** Store key of the release a {@link SpeedlingReleases} invocation runs ({@link SpeedlingReleasesProvider}). */
    static final String RELEASE = "release";
    /** Slices taken by clouds of this JVM, so two specs whose hashes meet get different slices. */
    private static final Map<Integer, String> SLICES = new ConcurrentHashMap<>();

    @Override
    public ConditionEvaluationResult evaluateExecutionCondition(ExtensionContext context) {
        if (context.getTestMethod().isEmpty()) {
            // a wrong spec (unknown service, missing factory) or a wrongly marked field fails everywhere, also
            // where the tests would be skipped
            classSpec(context);
            fields(context.getRequiredTestClass());
            SpeedlingReleases releases = context.getRequiredTestClass().getAnnotation(SpeedlingReleases.class);
            if (releases != null) {
                Arrays.stream(releases.value()).forEach(io.speedling.openstack.Release::of);
            }
        }
        if (context.getConfigurationParameter(ENABLED).map(v -> v.strip().equalsIgnoreCase("false")).orElse(false)) {
            return ConditionEvaluationResult.disabled("speedling cloud tests are turned off (" + ENABLED + "=false)");
        }
        if (classSpec(context).hosts() != null) {
            return ConditionEvaluationResult.enabled("the cloud goes onto the hosts of " + classSpec(context).hosts()
                    .file());
        }
        Optional<String> problem = classSpec(context).provider().hostProblem();
        return problem.map(p -> ConditionEvaluationResult.disabled("no speedling cloud on this machine: " + p))
                .orElseGet(() -> ConditionEvaluationResult.enabled("this machine can run "
                        + classSpec(context).provider() + " nodes"));
    }

    @Override
    public void beforeAll(ExtensionContext context) throws Exception {
        io.speedling.core.Fleet.preferJdkCrypto();  // a test run's JVM: key exchange on the JDK too, bootstraps faster
        if (isReleaseTemplate(context)) {
            return;  // the class template itself: each release's invocation gets its own cloud
        }
        Holder h = holder(context);
        OpenStackCloud cloud = h.get(context);
        for (Field f : fields(context.getRequiredTestClass())) {
            if (Modifier.isStatic(f.getModifiers())) {
                f.setAccessible(true);
                f.set(null, cloud);
            }
        }
    }

    @Override
    public void postProcessTestInstance(Object instance, ExtensionContext context) throws Exception {
        Holder h = holder(context);
        for (Field f : fields(instance.getClass())) {
            if (!Modifier.isStatic(f.getModifiers())) {
                f.setAccessible(true);
                f.set(instance, h.get(context));
            }
        }
    }

    @Override
    public boolean supportsParameter(ParameterContext parameterContext, ExtensionContext extensionContext) {
        return parameterContext.getParameter().getType() == OpenStackCloud.class;
    }

    @Override
    public Object resolveParameter(ParameterContext parameterContext, ExtensionContext context) {
        return holder(context).get(context);
    }

    @Override
    public void afterTestExecution(ExtensionContext context) {
        if (context.getExecutionException().isPresent()) {
            holder(context).markFailed();
        }
    }

    @Override
    public void afterAll(ExtensionContext context) {
        if (isReleaseTemplate(context)) {
            return;  // the class template: its invocations had their own clouds
        }
        CloudSpec spec = classSpec(context);
        if (!SpeedlingTestPlanListener.laterNeeds(spec.hash(), context.getRequiredTestClass())) {
            // no class still to come uses it: closed now, not left idling beside the next classes' clouds
            Holder h = context.getRoot().getStore(NS).get(spec.hash(), Holder.class);
            if (h != null) {
                h.close();
            }
        }
    }

    /** Whether {@code context} is a {@link SpeedlingReleases} class itself, not one release's invocation of it. */
    private static boolean isReleaseTemplate(ExtensionContext context) {
        return releaseOf(context) == null && context.getRequiredTestClass().isAnnotationPresent(SpeedlingReleases.class);
    }

    /** The release of the {@link SpeedlingReleases} invocation {@code context} belongs to, or null. */
    private static io.speedling.openstack.Release releaseOf(ExtensionContext context) {
        return context.getStore(NS).get(RELEASE, io.speedling.openstack.Release.class);
    }

    private static Holder holder(ExtensionContext context) {
        CloudSpec spec = classSpec(context);
        ExtensionContext.Store store = context.getRoot().getStore(NS);
        return store.getOrComputeIfAbsent(spec.hash(), k -> new Holder(spec), Holder.class);
    }

    /**
     * The test class's spec, worked out once per class (annotation, factory call) and kept in the
     * class's store, where method contexts find it too.
     */
    private static CloudSpec classSpec(ExtensionContext context) {
        Class<?> testClass = context.getRequiredTestClass();
        io.speedling.openstack.Release release = releaseOf(context);
        // per release: a class template's invocations each have their own (the template's store is their parent)
        return context.getStore(NS).getOrComputeIfAbsent(testClass.getName() + "@" + release, c -> {
            CloudSpec spec = spec(annotation(testClass), testClass, context::getConfigurationParameter);
            return release == null ? spec : spec.release(release);
        }, CloudSpec.class);
    }

    static SpeedlingCloud annotation(Class<?> c) {
        SpeedlingCloud a = annotationOrNull(c);
        if (a == null) {
            throw new ExtensionConfigurationException(c.getName() + " uses the speedling extension without "
                    + "@SpeedlingCloud: annotate the class with it (the annotation registers the extension)");
        }
        return a;
    }

    /** The {@link SpeedlingCloud} on {@code c}, a class enclosing it, or one of their annotations; else null. */
    static SpeedlingCloud annotationOrNull(Class<?> c) {
        for (Class<?> k = c; k != null; k = k.getEnclosingClass()) {
            SpeedlingCloud a = k.getAnnotation(SpeedlingCloud.class);
            if (a != null) {
                return a;
            }
            for (var meta : k.getAnnotations()) {
                SpeedlingCloud m = meta.annotationType().getAnnotation(SpeedlingCloud.class);
                if (m != null) {
                    return m;
                }
            }
        }
        return null;
    }

    /** The spec {@code a} describes for {@code testClass}, with the run's configuration parameters. */
    static CloudSpec spec(SpeedlingCloud a, Class<?> testClass,
            java.util.function.Function<String, Optional<String>> config) {
        CloudSpec spec;
        if (!a.spec().isEmpty()) {
            spec = fromFactory(testClass, a.spec());
        } else {
            spec = CloudSpec.allInOne();
            if (!a.release().isEmpty()) {
                spec = spec.release(a.release());
            } else {
                Optional<String> given = config.apply(RELEASE_PARAMETER).filter(r -> !r.isBlank());
                if (given.isPresent()) {
                    try {
                        spec = spec.release(given.get());
                    } catch (IllegalArgumentException e) {
                        throw new IllegalArgumentException(RELEASE_PARAMETER + ": " + e.getMessage(), e);
                    }
                }
            }
            if (a.services().length > 0) {
                spec = spec.services(a.services());
            }
            spec = spec.controllers(a.controllers()).workers(a.workers()).storage(a.storage()).provider(a.provider());
            if (!a.tempest().isEmpty()) {
                spec = spec.tempest(a.tempest());
            }
            spec = spec.computeDriver(a.computeDriver());
            for (String c : a.config()) {
                spec = spec.config(c);
            }
            if (!a.name().isEmpty()) {
                spec = spec.name(a.name());
            }
            if (!a.hosts().isEmpty()) {
                spec = spec.hosts(io.speedling.openstack.Hosts.read(java.nio.file.Path.of(a.hosts())));
            }
            spec = spec.reuse(a.reuse()).keepOnFailure(a.keepOnFailure()).verify(a.verify());
        }
        if (config.apply(KEEP_ON_FAILURE).map(Boolean::parseBoolean).orElse(false)) {
            spec = spec.keepOnFailure(true);
        }
        return spec;
    }

    private static CloudSpec fromFactory(Class<?> testClass, String method) {
        for (Class<?> k = testClass; k != null; k = k.getEnclosingClass()) {
            try {
                Method m = k.getDeclaredMethod(method);
                if (!Modifier.isStatic(m.getModifiers()) || m.getReturnType() != CloudSpec.class) {
                    break;
                }
                m.setAccessible(true);
                return (CloudSpec) m.invoke(null);
            } catch (NoSuchMethodException e) {
                // try the enclosing class
            } catch (IllegalAccessException e) {
                throw new ExtensionConfigurationException("cannot call " + k.getName() + "." + method + "()", e);
            } catch (InvocationTargetException e) {
                Throwable c = e.getCause();
                throw c instanceof RuntimeException r ? r
                        : new ExtensionConfigurationException(k.getName() + "." + method + "() failed", c);
            }
        }
        throw new ExtensionConfigurationException("@SpeedlingCloud(spec = \"" + method + "\") on "
                + testClass.getName() + ": the class has no static method " + method + "() returning CloudSpec");
    }

    /**
     * The fields marked {@link InjectCloud} in {@code c} and its superclasses; one of another type,
     * or final, is refused naming it.
     */
    private static java.util.List<Field> fields(Class<?> c) {
        java.util.List<Field> out = new java.util.ArrayList<>();
        for (Class<?> k = c; k != null && k != Object.class; k = k.getSuperclass()) {
            for (Field f : k.getDeclaredFields()) {
                if (!f.isAnnotationPresent(InjectCloud.class)) {
                    continue;
                }
                if (f.getType() != OpenStackCloud.class || Modifier.isFinal(f.getModifiers())) {
                    throw new ExtensionConfigurationException("@InjectCloud on " + k.getName() + "." + f.getName()
                            + ": the field must be a non-final OpenStackCloud (it is "
                            + (Modifier.isFinal(f.getModifiers()) ? "final " : "") + f.getType().getSimpleName() + ")");
                }
                out.add(f);
            }
        }
        return out;
    }

    /** One spec's cloud, deployed on first use; a failed deploy is remembered, not repeated per class. */
    static final class Holder implements ExtensionContext.Store.CloseableResource, AutoCloseable {
        private final CloudSpec requested;
        private OpenStackCloud cloud;
        private RuntimeException failure;
        private int slice = -1;

        Holder(CloudSpec spec) {
            this.requested = spec;
        }

        synchronized OpenStackCloud get(ExtensionContext context) {
            if (cloud != null) {
                return cloud;
            }
            if (failure != null) {
                throw bestEffort(new IllegalStateException("the cloud " + requested.cloudName() + " failed to come up "
                        + "earlier in this run: " + failure.getMessage(), failure));
            }
            CloudSpec spec = requested;
            slice = spec.sliceOrDerived();
            while (SLICES.putIfAbsent(slice, spec.hash()) != null && !spec.hash().equals(SLICES.get(slice))) {
                slice = slice == 199 ? 100 : slice + 1;
            }
            spec = spec.slice(slice);
            try (Progress progress = Progress.lines(System.out)) {
                boolean reuse = context.getConfigurationParameter(OpenStackCloud.REUSE_SETTING)
                        .map(Boolean::parseBoolean).orElseGet(OpenStackCloud::reuseEnabled);
                cloud = OpenStackCloud.up(spec, progress, reuse);
                context.publishReportEntry("speedling.cloud", cloud.name() + " " + cloud.keystoneUrl() + " report "
                        + cloud.htmlReport());
                return cloud;
            } catch (RuntimeException e) {
                failure = e;
                SLICES.remove(slice, spec.hash());
                throw bestEffort(e);
            }
        }

        /**
         * {@code e} as it reaches the test: on a best-effort release (Debian testing moves under us) an
         * abort naming the release and why, so it never counts against the others; else {@code e}.
         */
        private RuntimeException bestEffort(RuntimeException e) {
            if (!requested.release().bestEffort()) {
                return e;
            }
            return new org.opentest4j.TestAbortedException("OpenStack " + requested.release().describe()
                    + " is best effort and its cloud did not come up: " + e.getMessage(), e);
        }

        synchronized void markFailed() {
            if (cloud != null) {
                cloud.markFailed();
            }
        }

        @Override
        public synchronized void close() {
            if (cloud != null) {
                try {
                    cloud.close();
                } finally {
                    SLICES.remove(slice, requested.hash());
                    cloud = null;
                }
            }
        }
    }
}
