package io.speedling.openstack.junit;

import io.speedling.openstack.Release;
import java.util.Arrays;
import java.util.stream.Stream;
import org.junit.jupiter.api.extension.ClassTemplateInvocationContext;
import org.junit.jupiter.api.extension.ClassTemplateInvocationContextProvider;
import org.junit.jupiter.api.extension.ExtensionConfigurationException;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * The engine side of {@link SpeedlingReleases}: one invocation of the class per release, the
 * release put into the invocation's store, where {@link SpeedlingCloudExtension} reads it.
 */
public final class SpeedlingReleasesProvider implements ClassTemplateInvocationContextProvider {
    @Override
    public boolean supportsClassTemplate(ExtensionContext context) {
        return context.getRequiredTestClass().isAnnotationPresent(SpeedlingReleases.class);
    }

    @Override
    public Stream<ClassTemplateInvocationContext> provideClassTemplateInvocationContexts(ExtensionContext context) {
        Class<?> c = context.getRequiredTestClass();
        String[] names = c.getAnnotation(SpeedlingReleases.class).value();
        if (names.length == 0) {
            throw new ExtensionConfigurationException("@SpeedlingReleases on " + c.getName() + " names no release: "
                    + "give one or more of " + Release.known());
        }
        // every name is checked before any cloud is made
        Release[] releases = Arrays.stream(names).map(Release::of).distinct().toArray(Release[]::new);
        return Arrays.stream(releases).map(r -> new ClassTemplateInvocationContext() {
            @Override
            public String getDisplayName(int invocationIndex) {
                return "OpenStack " + r.describe();
            }

            @Override
            public void prepareInvocation(ExtensionContext invocation) {
                invocation.getStore(SpeedlingCloudExtension.NS).put(SpeedlingCloudExtension.RELEASE, r);
            }
        });
    }
}
