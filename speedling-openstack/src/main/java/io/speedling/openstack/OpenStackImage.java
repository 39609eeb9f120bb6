package io.speedling.openstack;

import io.speedling.virt.image.Recipe;
import io.speedling.virt.image.Recipes;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * The image layer a cloud is deployed on: every package of the enabled components installed
 * (non-interactive, no recommends, debconf answered, services kept from starting) and their
 * services disabled, so a deploy on it installs nothing and starts only what it configured.
 */
public final class OpenStackImage {
    /**
     * The user setting (also SPEEDLING_IMAGE_SERVICES) naming services whose packages every node
     * image holds besides the cloud's own, e.g. {@code all}: clouds of different service selections
     * then share one image instead of building one each (the test runs set it; a deploy starts only
     * its own services either way).
     */
    public static final String SHARED_SERVICES_SETTING = "speedling.image.services";

    private OpenStackImage() {
    }

    /** The services of {@link #SHARED_SERVICES_SETTING}, comma-separated, or none when it is not set. */
    static java.util.List<String> sharedServices() {
        String v = UserSettings.value(SHARED_SERVICES_SETTING, "SPEEDLING_IMAGE_SERVICES");
        return v == null || v.isBlank() ? List.of() : List.of(v.strip().split("\\s*,\\s*"));
    }

    /** The file that gives systemd a longer start limit, on images and on hosts given by a file alike. */
    static final String START_LIMIT_CONF = "/etc/systemd/system.conf.d/60-speedling.conf";

    /**
     * Shell lines giving systemd a start limit of 300 s: a service that says when it is ready
     * (nova-conductor, nova-scheduler) may take longer than systemd's 90 s to say so when three
     * controllers start theirs on two cores (seen in CI: the start failed on a timeout); units that set
     * their own limit keep it.
     */
    static String startLimitScript() {
        return "mkdir -p /etc/systemd/system.conf.d\n"
                + "printf '[Manager]\\nDefaultTimeoutStartSec=300s\\n' > " + START_LIMIT_CONF + "\n";
    }

    /** Shell lines disabling {@code units}, each on its own (a unit a node lacks is no error). */
    static String disableScript(List<String> units) {
        StringBuilder s = new StringBuilder();
        for (String u : units) {
            s.append("systemctl disable ").append(u).append(" >/dev/null 2>&1 || true\n");
        }
        return s.toString();
    }

    /** The recipe for {@code suite} with the packages of {@code components} (Debian names). */
    public static Recipe recipe(String suite, List<String> packages, List<String> services, List<String> masked,
                                List<String> debconf) {
        Set<String> pkgs = new LinkedHashSet<>(packages);
        StringBuilder disable = new StringBuilder("# the deploy starts what it configured; nothing starts on its own\n");
        disable.append(disableScript(services));
        for (String s : masked) {
            disable.append("systemctl mask ").append(s).append(" >/dev/null 2>&1\n");
        }
        disable.append(startLimitScript());
        // sorted: the layer's key must not depend on the order components were wired in
        return Recipes.node(suite).packages(new ArrayList<>(pkgs), String.join("\n", new java.util.TreeSet<>(debconf)))
                .script("disable-services", disable.toString());
    }

    /** The image for {@code cloud}: its packages, services disabled, and its database schemas made ahead. */
    public static Recipe recipe(String suite, Cloud cloud) {
        List<String> debconf = new ArrayList<>();
        cloud.components().forEach(c -> debconf.addAll(c.debconf()));
        return recipe(suite, cloud.packages(), cloud.services(), cloud.masked(), debconf)
                .script("db-schemas", SchemaSnapshot.buildScript(cloud));
    }
}
