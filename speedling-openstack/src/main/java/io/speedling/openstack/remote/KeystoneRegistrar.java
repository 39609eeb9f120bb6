package io.speedling.openstack.remote;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.speedling.core.NodeContext;
import io.speedling.core.RemoteFunction;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;

/**
 * Registers every service, endpoint, project, user and role assignment the components need in one
 * call on the node, through Keystone's v3 API on localhost (no CLI process per object). Idempotent:
 * existing objects are reused, endpoint URLs and user passwords converged. Returns how many
 * objects it created or changed.
 */
public record KeystoneRegistrar(String keystoneUrl, String adminPassword, String region, List<ServiceDef> services,
                                List<UserDef> users) implements RemoteFunction<Integer> {

    /** A catalog entry: name, type and URL per interface (public, internal, admin). */
    public record ServiceDef(String name, String type, Map<String, String> endpoints) {
    }

    /** A user in a project with roles (projects and roles are created when missing). */
    public record UserDef(String name, String password, String project, List<String> roles) {
        @Override
        public String toString() {
            return "UserDef[" + name + " in " + project + " as " + roles + "]";
        }
    }

    @Override
    public String toString() {
        return "KeystoneRegistrar[" + keystoneUrl + ", " + services.size() + " services, " + users.size() + " users]";
    }

    private static final ObjectMapper JSON = new ObjectMapper();

    /**
     * Where a successful registration leaves the hash of its inputs, so an unchanged rerun skips it
     * (Keystone's bootstrap leaves it too when it wrote the first registration in SQL).
     */
    public static final String MARKER = "/var/lib/speedling/once/keystone-register";

    @Override
    public Integer run(NodeContext node) throws Exception {
        String stamp = stamp();
        java.nio.file.Path marker = java.nio.file.Path.of(MARKER);
        if (java.nio.file.Files.exists(marker) && java.nio.file.Files.readString(marker).equals(stamp)) {
            return 0;
        }
        int changed = register();
        node.writeFile(MARKER, stamp.getBytes(StandardCharsets.UTF_8), io.speedling.core.FileSpec.mode(0600));
        return changed;
    }

    /** The hash of this registration's inputs, as {@link #MARKER} holds it after a success. */
    public String stamp() throws Exception {
        java.security.MessageDigest md = java.security.MessageDigest.getInstance("SHA-256");
        // maps sorted: the catalog's Map.of iterates in a different order in every JVM, and an unchanged
        // rerun must find the same stamp
        md.update(JSON.copy().configure(com.fasterxml.jackson.databind.SerializationFeature.ORDER_MAP_ENTRIES_BY_KEYS,
                true).writeValueAsBytes(List.of(keystoneUrl, adminPassword, region, services, users)));
        return java.util.HexFormat.of().formatHex(md.digest());
    }

    /**
     * Lists what Keystone has once (services, endpoints, projects, users, roles, role assignments:
     * six requests), then writes only what is missing or different: on a fresh cloud about ninety
     * lookups fewer than asking item by item, on Keystone's one worker while every service starts.
     */
    private int register() throws Exception {
        AdminSession api = new AdminSession(keystoneUrl, adminPassword, region);
        String v3 = api.keystone + "/v3";
        int changed = 0;
        Map<String, String> serviceIds = new java.util.HashMap<>();
        api.get(v3 + "/services").path("services").forEach(sv -> serviceIds.put(sv.path("type").asText() + " "
                + sv.path("name").asText(), sv.path("id").asText()));
        Map<String, JsonNode> endpoints = new java.util.HashMap<>();
        api.get(v3 + "/endpoints").path("endpoints").forEach(ep -> {
            if (region.equals(ep.path("region_id").asText(ep.path("region").asText()))) {
                endpoints.putIfAbsent(ep.path("service_id").asText() + " " + ep.path("interface").asText(), ep);
            }
        });
        for (ServiceDef s : services) {
            String id = serviceIds.get(s.type() + " " + s.name());
            if (id == null) {
                id = api.send("POST", v3 + "/services", obj("service", Map.of("name", s.name(), "type", s.type(),
                        "enabled", true))).path("service").path("id").asText();
                serviceIds.put(s.type() + " " + s.name(), id);
                changed++;
            }
            for (Map.Entry<String, String> e : s.endpoints().entrySet()) {
                JsonNode ep = endpoints.get(id + " " + e.getKey());
                if (ep == null) {
                    api.send("POST", v3 + "/endpoints", obj("endpoint", Map.of("service_id", id, "interface", e.getKey(),
                            "url", e.getValue(), "region_id", region, "enabled", true)));
                    changed++;
                } else if (!ep.path("url").asText().equals(e.getValue())) {
                    api.send("PATCH", v3 + "/endpoints/" + ep.path("id").asText(), obj("endpoint", Map.of("url",
                            e.getValue())));
                    changed++;
                }
            }
        }
        Map<String, String> projects = api.ids(v3 + "/projects?domain_id=default", "projects");
        Map<String, String> userIds = api.ids(v3 + "/users?domain_id=default", "users");
        Map<String, String> roles = api.ids(v3 + "/roles", "roles");
        java.util.Set<String> assigned = new java.util.HashSet<>();
        api.get(v3 + "/role_assignments").path("role_assignments").forEach(a -> assigned.add(a.path("user").path("id")
                .asText() + " " + a.path("scope").path("project").path("id").asText() + " " + a.path("role").path("id")
                .asText()));
        for (UserDef u : users) {
            String project = projects.get(u.project());
            if (project == null) {
                project = api.send("POST", v3 + "/projects", obj("project", Map.of("name", u.project(), "domain_id",
                        "default"))).path("project").path("id").asText();
                projects.put(u.project(), project);
            }
            String uid = userIds.get(u.name());
            if (uid == null) {
                uid = api.send("POST", v3 + "/users", obj("user", Map.of("name", u.name(), "domain_id", "default",
                        "password", u.password(), "enabled", true))).path("user").path("id").asText();
                userIds.put(u.name(), uid);
                changed++;
            } else if (!api.passwordWorks(u.name(), u.password())) {
                api.send("PATCH", v3 + "/users/" + uid, obj("user", Map.of("password", u.password())));
                changed++;
            }
            for (String role : u.roles()) {
                String rid = roles.get(role);
                if (rid == null) {
                    rid = api.send("POST", v3 + "/roles", obj("role", Map.of("name", role))).path("role").path("id")
                            .asText();
                    roles.put(role, rid);
                }
                if (assigned.add(uid + " " + project + " " + rid)) {
                    api.send("PUT", v3 + "/projects/" + project + "/users/" + uid + "/roles/" + rid, null);
                }
            }
        }
        return changed;
    }

    private static ObjectNode obj(String key, Map<String, Object> fields) {
        ObjectNode root = JSON.createObjectNode();
        root.set(key, JSON.valueToTree(fields));
        return root;
    }
}
