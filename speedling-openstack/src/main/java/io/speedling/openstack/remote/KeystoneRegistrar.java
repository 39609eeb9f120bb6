package io.speedling.openstack.remote;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.speedling.core.NodeContext;
import io.speedling.core.RemoteFunction;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
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

    /** Where a successful registration leaves the hash of its inputs, so an unchanged rerun skips it. */
    static final String MARKER = "/var/lib/speedling/once/keystone-register";

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

    private String stamp() throws Exception {
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
        Api api = new Api(keystoneUrl, adminPassword);
        int changed = 0;
        Map<String, String> serviceIds = new java.util.HashMap<>();
        api.get("/v3/services").path("services").forEach(sv -> serviceIds.put(sv.path("type").asText() + " "
                + sv.path("name").asText(), sv.path("id").asText()));
        Map<String, JsonNode> endpoints = new java.util.HashMap<>();
        api.get("/v3/endpoints").path("endpoints").forEach(ep -> {
            if (region.equals(ep.path("region_id").asText(ep.path("region").asText()))) {
                endpoints.putIfAbsent(ep.path("service_id").asText() + " " + ep.path("interface").asText(), ep);
            }
        });
        for (ServiceDef s : services) {
            String id = serviceIds.get(s.type() + " " + s.name());
            if (id == null) {
                id = api.post("/v3/services", obj("service", Map.of("name", s.name(), "type", s.type(), "enabled", true)))
                        .path("service").path("id").asText();
                serviceIds.put(s.type() + " " + s.name(), id);
                changed++;
            }
            for (Map.Entry<String, String> e : s.endpoints().entrySet()) {
                JsonNode ep = endpoints.get(id + " " + e.getKey());
                if (ep == null) {
                    api.post("/v3/endpoints", obj("endpoint", Map.of("service_id", id, "interface", e.getKey(),
                            "url", e.getValue(), "region_id", region, "enabled", true)));
                    changed++;
                } else if (!ep.path("url").asText().equals(e.getValue())) {
                    api.patch("/v3/endpoints/" + ep.path("id").asText(), obj("endpoint", Map.of("url", e.getValue())));
                    changed++;
                }
            }
        }
        Map<String, String> projects = api.ids("/v3/projects?domain_id=default", "projects");
        Map<String, String> userIds = api.ids("/v3/users?domain_id=default", "users");
        Map<String, String> roles = api.ids("/v3/roles", "roles");
        java.util.Set<String> assigned = new java.util.HashSet<>();
        api.get("/v3/role_assignments").path("role_assignments").forEach(a -> assigned.add(a.path("user").path("id")
                .asText() + " " + a.path("scope").path("project").path("id").asText() + " " + a.path("role").path("id")
                .asText()));
        for (UserDef u : users) {
            String project = projects.get(u.project());
            if (project == null) {
                project = api.post("/v3/projects", obj("project", Map.of("name", u.project(), "domain_id", "default")))
                        .path("project").path("id").asText();
                projects.put(u.project(), project);
            }
            String uid = userIds.get(u.name());
            if (uid == null) {
                uid = api.post("/v3/users", obj("user", Map.of("name", u.name(), "domain_id", "default", "password",
                        u.password(), "enabled", true))).path("user").path("id").asText();
                userIds.put(u.name(), uid);
                changed++;
            } else if (!api.passwordWorks(u.name(), u.password())) {
                api.patch("/v3/users/" + uid, obj("user", Map.of("password", u.password())));
                changed++;
            }
            for (String role : u.roles()) {
                String rid = roles.get(role);
                if (rid == null) {
                    rid = api.post("/v3/roles", obj("role", Map.of("name", role))).path("role").path("id").asText();
                    roles.put(role, rid);
                }
                if (assigned.add(uid + " " + project + " " + rid)) {
                    api.put("/v3/projects/" + project + "/users/" + uid + "/roles/" + rid);
                }
            }
        }
        return changed;
    }

    private static String enc(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8);
    }

    private static ObjectNode obj(String key, Map<String, Object> fields) {
        ObjectNode root = JSON.createObjectNode();
        root.set(key, JSON.valueToTree(fields));
        return root;
    }

    /** A tiny Keystone v3 client with an admin token. */
    static final class Api {
        private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(Duration.ofSeconds(5)).build();
        private final String base;
        private final String token;

        Api(String base, String adminPassword) throws Exception {
            String b = base.endsWith("/") ? base.substring(0, base.length() - 1) : base;
            // the API paths below start with /v3
            this.base = b.endsWith("/v3") ? b.substring(0, b.length() - 3) : b;
            HttpResponse<String> r = send("POST", "/v3/auth/tokens", auth("admin", adminPassword, true), null);
            if (r.statusCode() != 201) {
                throw new IllegalStateException("Keystone refused the admin credentials at " + base + ": HTTP "
                        + r.statusCode());
            }
            this.token = r.headers().firstValue("X-Subject-Token").orElseThrow();
        }

        /** Name to id of every item of a listing ({@code collection} is the JSON key of its array). */
        Map<String, String> ids(String path, String collection) throws Exception {
            Map<String, String> m = new java.util.HashMap<>();
            get(path).path(collection).forEach(x -> m.putIfAbsent(x.path("name").asText(), x.path("id").asText()));
            return m;
        }

        boolean passwordWorks(String user, String password) throws Exception {
            return send("POST", "/v3/auth/tokens", auth(user, password, false), null).statusCode() == 201;
        }

        private static String auth(String user, String password, boolean scoped) throws Exception {
            ObjectNode a = JSON.createObjectNode();
            ObjectNode id = a.putObject("auth").putObject("identity");
            id.putArray("methods").add("password");
            ObjectNode u = id.putObject("password").putObject("user");
            u.put("name", user).put("password", password).putObject("domain").put("id", "default");
            if (scoped) {
                ObjectNode p = ((ObjectNode) a.get("auth")).putObject("scope").putObject("project");
                p.put("name", "admin").putObject("domain").put("id", "default");
            }
            return JSON.writeValueAsString(a);
        }

        JsonNode get(String path) throws Exception {
            return check("GET", path, send("GET", path, null, token));
        }

        JsonNode post(String path, ObjectNode body) throws Exception {
            return check("POST", path, send("POST", path, JSON.writeValueAsString(body), token));
        }

        JsonNode patch(String path, ObjectNode body) throws Exception {
            return check("PATCH", path, send("PATCH", path, JSON.writeValueAsString(body), token));
        }

        void put(String path) throws Exception {
            check("PUT", path, send("PUT", path, null, token));
        }

        private HttpResponse<String> send(String method, String path, String body, String tok) throws Exception {
            HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(base + path)).timeout(Duration.ofSeconds(30))
                    .header("Content-Type", "application/json").header("Accept", "application/json");
            if (tok != null) {
                b.header("X-Auth-Token", tok);
            }
            b.method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
            return AdminSession.send(http, b.build());
        }

        private static JsonNode check(String method, String path, HttpResponse<String> r) throws Exception {
            if (r.statusCode() >= 300) {
                throw new IllegalStateException("Keystone " + method + " " + path.replaceAll("password=[^&]*", "")
                        + ": HTTP " + r.statusCode() + " " + r.body());
            }
            return r.body() == null || r.body().isEmpty() ? JSON.createObjectNode() : JSON.readTree(r.body());
        }
    }
}
