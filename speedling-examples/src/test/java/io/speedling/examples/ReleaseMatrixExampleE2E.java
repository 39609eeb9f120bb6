package io.speedling.examples;

import static org.assertj.core.api.Assertions.assertThat;

import io.speedling.core.functions.Sh;
import io.speedling.openstack.OpenStackCloud;
import io.speedling.openstack.Release;
import io.speedling.openstack.junit.SpeedlingCloud;
import io.speedling.openstack.junit.SpeedlingReleases;
import org.junit.jupiter.api.Test;

/**
 * What a release matrix looks like to a user: the class runs once per release, each time with the
 * cloud of that release handed in (shown as "OpenStack zed (Zed, Debian bookworm)" and so on).
 */
@SpeedlingReleases({"zed", "2025.1"})
@SpeedlingCloud(services = "keystone")
class ReleaseMatrixExampleE2E {
    @Test
    void keystoneIssuesATokenOnEveryRelease(OpenStackCloud cloud) {
        Release release = cloud.spec().release();
        String out = cloud.controller().call(Sh.checked(". /root/admin-openrc.sh && . /etc/os-release && "
                + "echo $VERSION_CODENAME && dpkg-query -W -f '${Version}\\n' keystone && "
                + "openstack token issue -f value -c expires >/dev/null && echo token")).stdout();
        java.util.List<String> lines = out.lines().toList();
        assertThat(lines).hasSize(3).endsWith("token").startsWith(release.suite());
        // Keystone 22 is Zed's, 27 is 2025.1's
        assertThat(lines.get(1)).startsWith(release == Release.ZED ? "2:22." : "2:27.");
    }
}
