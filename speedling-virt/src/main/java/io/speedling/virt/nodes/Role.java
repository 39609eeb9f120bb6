package io.speedling.virt.nodes;

import java.util.List;
import java.util.Objects;

/**
 * What a node of one kind gets: memory and vCPUs (for VMs; containers share the host), the
 * networks it joins (names of {@link NetworkDef}s, first one carries the default route and SSH),
 * and extra disks in GiB.
 */
public record Role(String name, int memoryMiB, int vcpus, List<String> networks, List<Integer> extraDisksGiB) {
    public Role {
        Objects.requireNonNull(name, "name");
        if (!name.matches("[a-z][a-z0-9]{0,15}")) {
            throw new IllegalArgumentException("role name '" + name + "' must be 1-16 lower-case letters or digits");
        }
        if (memoryMiB < 256) {
            throw new IllegalArgumentException("role " + name + ": memory " + memoryMiB + " MiB is below 256 MiB");
        }
        if (vcpus < 1) {
            throw new IllegalArgumentException("role " + name + ": needs at least one vCPU, not " + vcpus);
        }
        networks = List.copyOf(networks);
        if (networks.isEmpty()) {
            throw new IllegalArgumentException("role " + name + " joins no network; it needs at least one for SSH");
        }
        extraDisksGiB = List.copyOf(extraDisksGiB);
    }

    public Role memoryMiB(int mib) {
        return new Role(name, mib, vcpus, networks, extraDisksGiB);
    }

    public Role vcpus(int n) {
        return new Role(name, memoryMiB, n, networks, extraDisksGiB);
    }

    public Role networks(String... names) {
        return new Role(name, memoryMiB, vcpus, List.of(names), extraDisksGiB);
    }

    public Role extraDisksGiB(Integer... sizes) {
        return new Role(name, memoryMiB, vcpus, networks, List.of(sizes));
    }
}
