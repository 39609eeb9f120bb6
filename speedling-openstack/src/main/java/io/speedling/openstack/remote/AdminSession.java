package io.speedling.openstack.remote;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;

/**
 * An admin session on the node: a project-scoped token and the catalog's internal endpoints, for
 * the remote functions that set a cloud up through its APIs (milliseconds a call, where an
 * {@code openstack} client run starts Python for seconds).
 */
final class AdminSession {
    private static final ObjectMapper JSON = new ObjectMapper();
    private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(Duration.ofSeconds(5)).build();
    final String keystone;
    private final String token;
    private final JsonNode catalog;
    private final String region;

    AdminSession(String keystoneUrl, String adminPassword, String region) throws Exception {
        this.keystone = keystoneUrl.replaceAll("/+$", "").replaceAll("/v3$", "");
        this.region = region;
        ObjectNode a = auth("admin", adminPassword, true);
        HttpResponse<String> r = send(http, request("POST", keystone + "/v3/auth/tokens", null)
                .POST(HttpRequest.BodyPublishers.ofString(JSON.writeValueAsString(a))).build());
        if (r.statusCode() != 201) {
            throw new IllegalStateException("Keystone refused the admin credentials at " + keystone + ": HTTP "
                    + r.statusCode());
        }
        this.token = r.headers().firstValue("X-Subject-Token").orElseThrow();
        this.catalog = JSON.readTree(r.body()).path("token").path("catalog");
    }

    /** How long a request answered 503 is repeated before the 503 is the answer. */
    static final Duration UNAVAILABLE_LIMIT = Duration.ofSeconds(60);

    /**
     * Sends {@code r}, once more on a fresh connection when the server closed the one it went out
     * on before answering anything (a uwsgi API closes idle kept-alive connections): the request was
     * not read, so repeating it is safe. A 503 is repeated every second for up to {@link
     * #UNAVAILABLE_LIMIT}: it says the request was not handled (HAProxy with no backend up, or an API's
     * token check finding Keystone too slow to answer, as seen with three controllers starting on two
     * cores: "The Keystone service is temporarily unavailable").
     */
    static HttpResponse<String> send(HttpClient http, HttpRequest r) throws Exception {
        long deadline = System.nanoTime() + UNAVAILABLE_LIMIT.toNanos();
        while (true) {
            HttpResponse<String> a = sendOnce(http, r);
            if (a.statusCode() != 503 || System.nanoTime() > deadline) {
                return a;
            }
            Thread.sleep(1000);
        }
    }

    private static HttpResponse<String> sendOnce(HttpClient http, HttpRequest r) throws Exception {
        try {
            return http.send(r, HttpResponse.BodyHandlers.ofString());
        } catch (java.io.IOException e) {
            if (e.getMessage() == null || !e.getMessage().contains("received no bytes")) {
                throw e;
            }
            return http.send(r, HttpResponse.BodyHandlers.ofString());
        }
    }

    /** The internal URL of the service of {@code type} in this region. */
    String endpoint(String type) {
        for (JsonNode s : catalog) {
            if (type.equals(s.path("type").asText())) {
                for (JsonNode e : s.path("endpoints")) {
                    if ("internal".equals(e.path("interface").asText())
                            && region.equals(e.path("region_id").asText(e.path("region").asText()))) {
                        return e.path("url").asText().replaceAll("/+$", "");
                    }
                }
            }
        }
        throw new IllegalStateException("no " + type + " endpoint in region " + region + " in the catalog");
    }

    /**
     * How long one request may take: a Neutron request of the default resources (an HA router's
     * interface) took more than 60 s while three controllers started their services on 2 cores.
     */
    private static final Duration REQUEST_LIMIT = Duration.ofSeconds(180);

    private HttpRequest.Builder request(String method, String url, String tok) {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(url)).timeout(REQUEST_LIMIT)
                .setHeader("Content-Type", "application/json").header("Accept", "application/json");
        if (tok != null) {
            b.header("X-Auth-Token", tok);
        }
        return b;
    }

    JsonNode get(String url) throws Exception {
        return check("GET", url, send(http, request("GET", url, token).GET().build()));
    }

    /** {@code method} with {@code body} as JSON, or with no body when it is null. */
    JsonNode send(String method, String url, ObjectNode body) throws Exception {
        return check(method, url, send(http, request(method, url, token).method(method, body == null
                ? HttpRequest.BodyPublishers.noBody()
                : HttpRequest.BodyPublishers.ofString(JSON.writeValueAsString(body))).build()));
    }

    /** Name to id of every item of a listing ({@code collection} is the JSON key of its array). */
    java.util.Map<String, String> ids(String url, String collection) throws Exception {
        java.util.Map<String, String> m = new java.util.HashMap<>();
        get(url).path(collection).forEach(x -> m.putIfAbsent(x.path("name").asText(), x.path("id").asText()));
        return m;
    }

    /** Whether Keystone issues {@code user} (domain Default) a token for {@code password}. */
    boolean passwordWorks(String user, String password) throws Exception {
        return send(http, request("POST", keystone + "/v3/auth/tokens", null).POST(HttpRequest.BodyPublishers
                .ofString(JSON.writeValueAsString(auth(user, password, false)))).build()).statusCode() == 201;
    }

    /** A password authentication, scoped to the admin project when {@code scoped}. */
    private static ObjectNode auth(String user, String password, boolean scoped) {
        ObjectNode a = JSON.createObjectNode();
        ObjectNode id = a.putObject("auth").putObject("identity");
        id.putArray("methods").add("password");
        id.putObject("password").putObject("user").put("name", user).put("password", password)
                .putObject("domain").put("id", "default");
        if (scoped) {
            ((ObjectNode) a.get("auth")).putObject("scope").putObject("project").put("name", "admin")
                    .putObject("domain").put("id", "default");
        }
        return a;
    }

    void upload(String url, byte[] data) throws Exception {
        check("PUT", url, send(http, request("PUT", url, token).setHeader("Content-Type", "application/octet-stream")
                .PUT(HttpRequest.BodyPublishers.ofByteArray(data)).build()));
    }

    private static JsonNode check(String method, String url, HttpResponse<String> r) throws Exception {
        if (r.statusCode() >= 300) {
            throw new IllegalStateException(method + " " + url.replaceAll("password=[^&]*", "") + ": HTTP "
                    + r.statusCode() + " " + r.body());
        }
        return r.body() == null || r.body().isBlank() ? JSON.createObjectNode() : JSON.readTree(r.body());
    }
}
