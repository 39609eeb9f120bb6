package io.speedling.openstack;

/** Package naming families. Only Debian is deployed and tested here; the others are mapped. */
public enum DistroFamily {
    DEBIAN, UBUNTU, FEDORA, OPENSUSE
}
