package io.speedling.core;

import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * One node of an inventory: its name, roles, free-form data, and how to reach it
 * (over SSH, or in this process for a local node).
 *
 * <pre>{@code
 * NodeSpec remote = NodeSpec.ssh("controller-01", SshTarget.of("10.0.0.5")).roles("controller")
 *         .data("mgmt_ip", "10.0.0.5");
 * NodeSpec here = NodeSpec.local("here");
 * }</pre>
 *
 * @param name unique node name (letters, digits, '.', '_' and '-')
 * @param roles the node's roles, used to select nodes and place services
 * @param data free-form JSON-like data only this node's agent sees
 * @param ssh how to reach the node, or null for a node run in this process
 */
public record NodeSpec(String name, Set<String> roles, Map<String, Object> data, SshTarget ssh) {
    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,62}");

    public NodeSpec {
        Objects.requireNonNull(name, "name");
        if (!NAME.matcher(name).matches()) {
            throw new IllegalArgumentException("node name '" + name
                    + "' is not valid: use 1-63 letters, digits, '.', '_' or '-', starting with a letter or digit");
        }
        roles = Set.copyOf(roles);
        data = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(data));
    }

    public static NodeSpec ssh(String name, SshTarget target) {
        return new NodeSpec(name, Set.of(), Map.of(), Objects.requireNonNull(target, "target"));
    }

    /** A node that runs its calls in this JVM, with no SSH and no agent process. */
    public static NodeSpec local(String name) {
        return new NodeSpec(name, Set.of(), Map.of(), null);
    }

    public NodeSpec roles(String... more) {
        Set<String> r = new LinkedHashSet<>(roles);
        r.addAll(List.of(more));
        return new NodeSpec(name, r, data, ssh);
    }

    public NodeSpec data(String key, Object value) {
        Map<String, Object> d = new LinkedHashMap<>(data);
        d.put(key, value);
        return new NodeSpec(name, roles, d, ssh);
    }

    public boolean isLocal() {
        return ssh == null;
    }
}
