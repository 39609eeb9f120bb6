package io.speedling.openstack.components;

import io.speedling.openstack.DistroFamily;
import java.util.List;
import java.util.Map;

/** Package names per family: Debian and Ubuntu share names; RDO (Fedora) and openSUSE are mapped. */
final class Pkgs {
    private Pkgs() {
    }

    /**
     * debconf answers that keep a service's Debian packages from setting up a database or
     * registering endpoints by themselves: {@code dbPackage} owns question {@code q/configure_db},
     * {@code apiPackage} owns {@code q/register-endpoint}. The deploy does both itself.
     */
    static List<String> noSelfSetup(String dbPackage, String apiPackage, String q) {
        return List.of(dbPackage + " " + q + "/configure_db boolean false",
                apiPackage + " " + q + "/register-endpoint boolean false");
    }

    static Map<DistroFamily, List<String>> of(List<String> debian, List<String> fedora, List<String> suse) {
        return Map.of(DistroFamily.DEBIAN, debian, DistroFamily.UBUNTU, debian, DistroFamily.FEDORA, fedora,
                DistroFamily.OPENSUSE, suse);
    }
}
