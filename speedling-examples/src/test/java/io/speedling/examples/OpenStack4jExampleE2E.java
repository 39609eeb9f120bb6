package io.speedling.examples;

import static org.assertj.core.api.Assertions.assertThat;

import io.speedling.openstack.Credentials;
import io.speedling.openstack.OpenStackCloud;
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
                .contains("identity", "image", "network", "compute", "placement");
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
