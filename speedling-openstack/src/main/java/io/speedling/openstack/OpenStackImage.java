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
    private OpenStackImage() {
    }

    /** debconf answers: no package configures a database or registers endpoints by itself. */
    static final String DEBCONF = String.join("\n",
            "keystone keystone/configure_db boolean false",
            "keystone keystone/create-admin-tenant boolean false",
            "keystone keystone/register-endpoint boolean false",
            "glance-common glance/configure_db boolean false",
            "glance-api glance/register-endpoint boolean false",
            "nova-common nova/configure_db boolean false",
            "nova-api nova/register-endpoint boolean false",
            "neutron-common neutron/configure_db boolean false",
            "neutron-server neutron/register-endpoint boolean false",
            "placement-common placement/configure_db boolean false",
            "placement-api placement/register-endpoint boolean false",
            "nova-common nova/my-ip string 127.0.0.1");

    /** The recipe for {@code suite} with the packages of {@code components} (Debian names). */
    public static Recipe recipe(String suite, List<String> packages, List<String> services) {
        Set<String> pkgs = new LinkedHashSet<>(packages);
        StringBuilder disable = new StringBuilder("# the deploy starts what it configured; nothing starts on its own\n");
        for (String s : services) {
            disable.append("systemctl disable ").append(s).append(" >/dev/null 2>&1 || true\n");
        }
        return Recipes.node(suite).packages(new ArrayList<>(pkgs), DEBCONF)
                .script("disable-services", disable.toString());
    }

    /** The image for {@code cloud}: its packages, services disabled, and its database schemas made ahead. */
    public static Recipe recipe(String suite, Cloud cloud) {
        return recipe(suite, cloud.packages(), cloud.services())
                .script("db-schemas", SchemaSnapshot.buildScript(cloud));
    }
}
