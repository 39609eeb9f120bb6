package io.speedling.virt.nodes;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Roles by name, with per-distro overrides: the defaults are controller (8 GiB, 4 vCPU, mgmt+ext),
 * worker (4 GiB, 2 vCPU, mgmt+ext) and storage (2 GiB, 1 vCPU, mgmt, two 10 GiB disks). Immutable; the
 * caller extends it with {@link #with(Role)} and {@link #override(String, Role)}.
 */
public final class NodeMatrix {
    private final Map<String, Role> roles;
    private final Map<String, Map<String, Role>> perDistro;

    private NodeMatrix(Map<String, Role> roles, Map<String, Map<String, Role>> perDistro) {
        this.roles = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(roles));
        this.perDistro = Map.copyOf(perDistro);
    }

    public static NodeMatrix defaults() {
        Map<String, Role> r = new LinkedHashMap<>();
        r.put("controller", new Role("controller", 8192, 4, List.of("mgmt", "ext"), List.of()));
        r.put("worker", new Role("worker", 4096, 2, List.of("mgmt", "ext"), List.of()));
        r.put("storage", new Role("storage", 2048, 1, List.of("mgmt"), List.of(10, 10)));
        return new NodeMatrix(r, Map.of());
    }

    /** Adds or replaces a role for every distro. */
    public NodeMatrix with(Role role) {
        Map<String, Role> r = new LinkedHashMap<>(roles);
        r.put(role.name(), role);
        return new NodeMatrix(r, perDistro);
    }

    /** Replaces a role's settings for one distro only (say, more memory on one that needs it). */
    public NodeMatrix override(String distro, Role role) {
        Map<String, Map<String, Role>> d = new LinkedHashMap<>(perDistro);
        Map<String, Role> forDistro = new LinkedHashMap<>(d.getOrDefault(distro, Map.of()));
        forDistro.put(role.name(), role);
        d.put(distro, Map.copyOf(forDistro));
        return new NodeMatrix(roles, d);
    }

    /** The role for a distro, or an error listing the roles that exist. */
    public Role role(String name, String distro) {
        Role over = perDistro.getOrDefault(distro, Map.of()).get(name);
        if (over != null) {
            return over;
        }
        Role r = roles.get(name);
        if (r == null) {
            throw new IllegalArgumentException("unknown role '" + name + "': known roles are "
                    + String.join(", ", roles.keySet()) + " (add one with NodeMatrix.with(new Role(...)))");
        }
        return r;
    }

    public List<String> roleNames() {
        return List.copyOf(roles.keySet());
    }
}
