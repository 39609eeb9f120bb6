package io.speedling.openstack.components;

import io.speedling.openstack.DistroFamily;
import java.util.List;
import java.util.Map;

/** Package names per family: Debian and Ubuntu share names; RDO (Fedora) and openSUSE are mapped. */
final class Pkgs {
    private Pkgs() {
    }

    static Map<DistroFamily, List<String>> of(List<String> debian, List<String> fedora, List<String> suse) {
        return Map.of(DistroFamily.DEBIAN, debian, DistroFamily.UBUNTU, debian, DistroFamily.FEDORA, fedora,
                DistroFamily.OPENSUSE, suse);
    }
}
