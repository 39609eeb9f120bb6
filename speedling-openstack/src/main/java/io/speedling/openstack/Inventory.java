package io.speedling.openstack;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Which node plays which role: {@code controller} (databases, APIs, schedulers, network agents)
 * and {@code compute} (nova-compute and its network agent). All-in-one puts both on one node;
 * controller + workers puts compute on the workers.
 */
public final class Inventory {
    public static final String CONTROLLER = "controller";
    public static final String COMPUTE = "compute";

    private final Map<String, Set<String>> nodeRoles;

    private Inventory(Map<String, Set<String>> nodeRoles) {
        this.nodeRoles = nodeRoles;
    }

    public static Inventory allInOne(String node) {
        return new Inventory(Map.of(node, Set.of(CONTROLLER, COMPUTE)));
    }

    public static Inventory controllerAndWorkers(String controller, List<String> workers) {
        Map<String, Set<String>> m = new LinkedHashMap<>();
        m.put(controller, Set.of(CONTROLLER));
        workers.forEach(w -> m.put(w, Set.of(COMPUTE)));
        return new Inventory(m);
    }

    public List<String> nodesWith(String role) {
        List<String> out = new ArrayList<>();
        nodeRoles.forEach((n, r) -> {
            if (r.contains(role)) {
                out.add(n);
            }
        });
        return out;
    }

    public String controller() {
        List<String> c = nodesWith(CONTROLLER);
        if (c.size() != 1) {
            throw new IllegalStateException("the inventory needs exactly one controller, has " + c);
        }
        return c.get(0);
    }

    public Set<String> nodes() {
        return nodeRoles.keySet();
    }
}
