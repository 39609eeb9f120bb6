package io.speedling.openstack.junit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.platform.engine.discovery.DiscoverySelectors.selectClass;

import io.speedling.core.CommandResult;
import io.speedling.core.functions.Sh;
import io.speedling.openstack.AllInOne;
import io.speedling.openstack.CloudSpec;
import io.speedling.openstack.Credentials;
import io.speedling.openstack.FernetTokens;
import io.speedling.openstack.OpenStackCloud;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.platform.testkit.engine.EngineExecutionResults;
import org.junit.platform.testkit.engine.EngineTestKit;

/**
 * The extension deploying real clouds (keystone only, to keep it short), driven through the
 * launcher or the Jupiter engine with fixture classes: one cloud shared by two classes, each cloud
 * removed after the last class that uses it; a kept cloud picked up by the next run; a cloud kept after a failing test.
 */
@org.junit.jupiter.api.Order(io.speedling.openstack.E2eOrder.EXTENSION)
class SpeedlingCloudExtensionE2E {
    static final List<OpenStackCloud> SEEN = Collections.synchronizedList(new ArrayList<>());
    /** Whether the cloud seen first still ran when SharedA's test began. */
    static volatile Boolean firstRunningLater;

    @SpeedlingCloud(services = "keystone")
    static class SharedA {
        @Test
        void aTokenFromTheClientOnTheNode(OpenStackCloud cloud) {
            if (!SEEN.isEmpty()) {
                firstRunningLater = running(SEEN.get(0).name(), SEEN.get(0).cluster().slice());
            }
            SEEN.add(cloud);
            CommandResult r = cloud.controller().call(new Sh(". /root/admin-openrc.sh && openstack token issue "
                    + "-f value -c project_id", false));
            assertThat(r.exitCode()).as(r.stderr()).isZero();
            assertThat(r.stdout().strip()).matches("[0-9a-f]{32}");
        }
    }

    @SpeedlingCloud(services = "keystone")
    static class SharedB {
        @InjectCloud
        OpenStackCloud cloud;  // a marked field works as well as a parameter

        @Test
        void aTokenFromTheHostWithTheCloudsYamlCredentials() throws Exception {
            SEEN.add(cloud);
            Credentials admin = cloud.admin();
            assertThat(admin.cloud()).isEqualTo(cloud.name() + "-admin");
            String body = """
                    {"auth": {"identity": {"methods": ["password"], "password": {"user": {"name": "%s",
                     "domain": {"name": "%s"}, "password": "%s"}}}, "scope": {"project": {"name": "%s",
                     "domain": {"name": "%s"}}}}}""".formatted(admin.username(), admin.userDomainName(),
                    admin.password(), admin.projectName(), admin.projectDomainName());
            HttpResponse<String> r = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                    URI.create(admin.authUrl() + "/auth/tokens")).header("Content-Type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
            assertThat(r.statusCode()).as(r.body()).isEqualTo(201);
            assertThat(r.headers().firstValue("X-Subject-Token")).isPresent();
            assertThat(r.body()).contains("\"type\": \"identity\"");
        }

        /** Rotated keys: a new token is made with the new primary, an older one's key stays until purged. */
        @Test
        void fernetKeysRotateAndNewTokensAreMadeWithTheNewPrimary() {
            var node = cloud.controller();
            String before = FernetTokens.issue(node);
            assertThat(FernetTokens.keysThatOpen(node, before)).isEqualTo("1");
            assertThat(cloud.rotateFernetKeys()).isEqualTo(2);
            String after = FernetTokens.issue(node);
            assertThat(FernetTokens.keysThatOpen(node, after)).as("the staged key became the primary").isEqualTo("2");
            assertThat(FernetTokens.keysThatOpen(node, before)).as("the old primary stays as a secondary").isEqualTo("1");
            assertThat(cloud.rotateFernetKeys()).isEqualTo(3);
            assertThat(node.call(Sh.checked("ls /etc/keystone/fernet-keys && stat -c '%U %a' "
                    + "/etc/keystone/fernet-keys/3")).stdout()).as("key 1 purged beyond three keys")
                    .isEqualTo("0\n2\n3\nkeystone 600\n");
        }
    }

    @SpeedlingCloud(services = "keystone", name = "junit-other")
    static class OtherSpec {
        @Test
        void getsItsOwnCloud(OpenStackCloud cloud) {
            SEEN.add(cloud);
        }
    }

    @SpeedlingCloud(services = "keystone", name = "junit-reuse", reuse = true)
    static class Reusing {
        static OpenStackCloud last;

        @Test
        void up(OpenStackCloud cloud) {
            last = cloud;
        }
    }

    @SpeedlingCloud(services = "keystone", name = "junit-keep", keepOnFailure = true)
    static class FailingKeeper {
        static OpenStackCloud last;

        @Test
        void failsOnPurpose(OpenStackCloud cloud) {
            last = cloud;
            throw new AssertionError("failing on purpose to keep the cloud");
        }
    }

    private static EngineExecutionResults run(String reuse, Class<?>... fixtures) {
        var kit = EngineTestKit.engine("junit-jupiter");
        for (Class<?> f : fixtures) {
            kit.selectors(selectClass(f));
        }
        EngineExecutionResults r = kit.configurationParameter(OpenStackCloud.REUSE_SETTING, reuse).execute();
        // a class that failed before its tests ran (a deploy, a wrong spec) shows here, not in the test counts
        r.containerEvents().failed().stream().forEach(e -> e.getPayload(org.junit.platform.engine.TestExecutionResult.class)
                .flatMap(org.junit.platform.engine.TestExecutionResult::getThrowable)
                .ifPresent(t -> {
                    throw new AssertionError("fixture class failed: " + t, t);
                }));
        return r;
    }

    /**
     * Runs {@code fixtures} through a launcher as Maven and IDEs do (so {@link SpeedlingTestPlanListener}
     * knows the plan), classes in name order.
     */
    private static org.junit.platform.launcher.listeners.TestExecutionSummary launch(Class<?>... fixtures) {
        var request = org.junit.platform.launcher.core.LauncherDiscoveryRequestBuilder.request()
                .configurationParameter(OpenStackCloud.REUSE_SETTING, "false")
                .configurationParameter("junit.jupiter.testclass.order.default",
                        "org.junit.jupiter.api.ClassOrderer$ClassName");
        for (Class<?> f : fixtures) {
            request.selectors(selectClass(f));
        }
        var summary = new org.junit.platform.launcher.listeners.SummaryGeneratingListener();
        org.junit.platform.launcher.core.LauncherFactory.create().execute(request.build(), summary);
        summary.getSummary().getFailures().forEach(f -> {
            throw new AssertionError(f.getTestIdentifier().getDisplayName() + " failed: " + f.getException(),
                    f.getException());
        });
        return summary.getSummary();
    }

    private static boolean running(String name, int slice) {
        AllInOne aio = AllInOne.of(CloudSpec.allInOne().name(name).slice(slice));
        return aio.provider().existing(aio.plan()).isPresent();
    }

    @Test
    void twoClassesShareOneCloudAndEachCloudIsRemovedAfterItsLastClass() {
        SEEN.clear();
        firstRunningLater = null;
        var summary = launch(SharedA.class, SharedB.class, OtherSpec.class);
        assertThat(summary.getTestsSucceededCount()).isEqualTo(4);
        // name order: OtherSpec, SharedA, SharedB
        assertThat(SEEN).hasSize(3);
        OpenStackCloud other = SEEN.get(0);
        assertThat(other.name()).isEqualTo("junit-other");
        assertThat(firstRunningLater).as("OtherSpec's cloud closed when its class ended, before SharedA ran")
                .isFalse();
        assertThat(SEEN.get(1)).isSameAs(SEEN.get(2)).isNotSameAs(other);
        assertThat(other.cluster().slice()).isNotEqualTo(SEEN.get(1).cluster().slice());
        OpenStackCloud c = SEEN.get(1);
        System.out.printf("shared cloud %s: deploy %.1f s, %d tasks%n", c.name(),
                c.deployResult().report().wallMs() / 1000.0, c.deployResult().report().tasks().size());
        assertThat(c.kept()).isFalse();
        assertThat(running(c.name(), c.cluster().slice())).as("node left running").isFalse();
        assertThat(c.stateDir()).doesNotExist();
    }

    @Test
    void aKeptCloudIsPickedUpByTheNextRun() {
        OpenStackCloud first = null;
        try {
            EngineExecutionResults r1 = run("true", Reusing.class);
            r1.testEvents().assertStatistics(s -> s.succeeded(1).failed(0));
            first = Reusing.last;
            if (first.reused()) {  // a kept cloud of an earlier test run: start from a fresh one
                AllInOne.of(first.spec()).wipe();
                run("true", Reusing.class).testEvents().assertStatistics(s -> s.succeeded(1));
                first = Reusing.last;
            }
            assertThat(first.reused()).isFalse();
            assertThat(first.kept()).isTrue();
            assertThat(running(first.name(), first.cluster().slice())).as("kept for reuse").isTrue();

            run("true", Reusing.class).testEvents().assertStatistics(s -> s.succeeded(1).failed(0));
            OpenStackCloud second = Reusing.last;
            assertThat(second).isNotSameAs(first);
            assertThat(second.reused()).isTrue();
            assertThat(second.deployResult().restarted()).isZero();
            assertThat(second.admin()).isEqualTo(first.admin());  // same cloud, same secrets
            System.out.printf("reuse: fresh deploy %.1f s, reused deploy %.1f s%n",
                    first.deployResult().report().wallMs() / 1000.0, second.deployResult().report().wallMs() / 1000.0);

            // without the user's consent the same spec gets a fresh cloud, removed at the end
            run("false", Reusing.class).testEvents().assertStatistics(s -> s.succeeded(1));
            assertThat(Reusing.last.reused()).isFalse();
            assertThat(running(first.name(), first.cluster().slice())).isFalse();
        } finally {
            if (first != null) {
                AllInOne.of(first.spec()).wipe();
            }
        }
    }

    @Test
    void aCloudWhoseTestFailedIsKeptWhenAsked() {
        FailingKeeper.last = null;
        try {
            EngineExecutionResults r = run("false", FailingKeeper.class);
            r.testEvents().assertStatistics(s -> s.started(1).failed(1));
            OpenStackCloud c = FailingKeeper.last;
            assertThat(c.kept()).isTrue();
            assertThat(running(c.name(), c.cluster().slice())).as("kept for inspection").isTrue();
            assertThat(c.sshConfig()).exists();
            assertThat(Files.exists(c.adminOpenrc())).isTrue();
        } finally {
            if (FailingKeeper.last != null) {
                AllInOne.of(FailingKeeper.last.spec()).wipe();
            }
        }
    }
}
