package io.speedling.examples;

import static org.assertj.core.api.Assertions.assertThat;

import io.speedling.openstack.Credentials;
import io.speedling.openstack.OpenStackCloud;
import io.speedling.openstack.junit.InjectCloud;
import io.speedling.openstack.junit.SpeedlingCloud;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.openstack4j.api.Builders;
import org.openstack4j.api.OSClient.OSClientV3;
import org.openstack4j.model.common.ActionResponse;
import org.openstack4j.model.common.Identifier;
import org.openstack4j.model.image.v2.Image;
import org.openstack4j.model.network.Network;
import org.openstack4j.openstack.OSFactory;

/**
 * What a user's test looks like: one annotation, a cloud handed in, and a Java client on the
 * host (openstack4j) authenticating with the credentials of the generated clouds.yaml. Every class
 * with the same spec in this test run shares the one cloud.
 */
@SpeedlingCloud
class OpenStack4jExampleE2E {
    @InjectCloud
    static OpenStackCloud cloud;  // injected before @BeforeAll

    static OSClientV3 login(Credentials c) {
        return OSFactory.builderV3().endpoint(c.authUrl())
                .credentials(c.username(), c.password(), Identifier.byName(c.userDomainName()))
                .scopeToProject(Identifier.byName(c.projectName()), Identifier.byName(c.projectDomainName()))
                .authenticate();
    }

    static OSClientV3 admin;

    @BeforeAll
    static void login() {
        Credentials c = Credentials.fromCloudsYaml(cloud.cloudsYaml(), cloud.name() + "-admin");
        admin = login(c);
    }

    @Test
    void listsImagesNetworksAndServers() {
        List<? extends Image> images = admin.imagesV2().list();
        List<? extends Network> networks = admin.networking().network().list();
        var servers = admin.compute().servers().list();
        assertThat(images).isNotNull();
        assertThat(networks).isNotNull();
        assertThat(servers).isNotNull();
        assertThat(admin.getToken().getCatalog()).extracting(s -> s.getType())
                .contains("identity", "image", "network", "compute", "placement", "object-store");
    }

    @Test
    void theDefaultResourcesAreThereAsAUserExpects() {
        assertThat(admin.compute().flavors().list()).extracting(f -> f.getName()).contains("m1.nano", "m1.tiny",
                "m1.small", "m1.medium", "m1.large", "m1.xlarge");
        assertThat(admin.networking().network().list()).extracting(Network::getName).contains("public", "private");
        assertThat(admin.imagesV2().list()).extracting(Image::getName).contains("speedling-tiny");
    }

    @Test
    void theDemoUserPutsAndGetsAnObject() {
        OSClientV3 demo = login(cloud.demo());
        var swift = demo.objectStorage();
        assertThat(swift.containers().create("o4j-container").isSuccess()).isTrue();
        try {
            swift.objects().put("o4j-container", "greeting",
                    org.openstack4j.model.common.Payloads.create(new java.io.ByteArrayInputStream(
                            "hello".getBytes(java.nio.charset.StandardCharsets.UTF_8))));
            assertThat(swift.objects().list("o4j-container")).extracting(o -> o.getName()).containsExactly("greeting");
            assertThat(swift.objects().download("o4j-container", "greeting").getInputStream())
                    .hasContent("hello");
        } finally {
            swift.objects().delete("o4j-container", "greeting");
            swift.containers().delete("o4j-container");
        }
    }

    @Test
    void theDemoUserMakesAVolumeInCeph() throws Exception {
        OSClientV3 demo = login(cloud.demo());
        var cinder = demo.blockStorage();
        var v = cinder.volumes().create(Builders.volume().name("o4j-volume").size(1).build());
        try {
            long end = System.nanoTime() + 120_000_000_000L;
            org.openstack4j.model.storage.block.Volume.Status status = v.getStatus();
            while (status != org.openstack4j.model.storage.block.Volume.Status.AVAILABLE && System.nanoTime() < end) {
                Thread.sleep(300);
                status = cinder.volumes().get(v.getId()).getStatus();
            }
            assertThat(status).isEqualTo(org.openstack4j.model.storage.block.Volume.Status.AVAILABLE);
            assertThat(cinder.volumes().get(v.getId()).getVolumeType()).isEqualTo("ceph");
        } finally {
            ActionResponse r = cinder.volumes().delete(v.getId());
            assertThat(r.isSuccess()).as(r.getFault()).isTrue();
        }
    }

    @Test
    void createsANetworkAndDeletesIt() {
        Network n = admin.networking().network().create(Builders.network().name("o4j-example").adminStateUp(true)
                .build());
        try {
            assertThat(admin.networking().network().list()).extracting(Network::getName).contains("o4j-example");
        } finally {
            ActionResponse r = admin.networking().network().delete(n.getId());
            assertThat(r.isSuccess()).as(r.getFault()).isTrue();
        }
    }

    @Test
    void theDemoUserSeesOnlyItsProject() {
        OSClientV3 demo = login(cloud.demo());
        assertThat(demo.getToken().getProject().getName()).isEqualTo("demo");
        assertThat(demo.networking().network().list()).isNotNull();
    }
}
