package io.speedling.openstack.remote;

import com.fasterxml.jackson.databind.JsonNode;
import io.speedling.core.NodeContext;
import io.speedling.core.RemoteFunction;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The ids of named resources, looked up through the APIs as admin in one session (one token):
 * each wanted entry is {@code "image NAME"}, {@code "flavor NAME"} or {@code "network NAME"};
 * {@link #NETWORK_EXTENSIONS} gives the aliases of the extensions the Networking API has loaded,
 * comma-separated. Returns entry to id (or aliases).
 *
 * @throws IllegalStateException naming a resource that is not there
 */
public record FindIds(String keystoneUrl, String adminPassword, String region, List<String> wanted)
        implements RemoteFunction<Map<String, String>> {
    /** The entry whose value is the Networking API's loaded extensions (aliases, comma-separated). */
    public static final String NETWORK_EXTENSIONS = "extensions network";

    @Override
    public String toString() {
        return "FindIds" + wanted;  // no password
    }

    @Override
    public Map<String, String> run(NodeContext node) throws Exception {
        AdminSession c = new AdminSession(keystoneUrl, adminPassword, region);
        Map<String, String> ids = new LinkedHashMap<>();
        JsonNode flavors = null;  // the flavor list cannot filter by name: listed once for all
        for (String w : wanted) {
            if (w.equals(NETWORK_EXTENSIONS)) {
                List<String> aliases = new java.util.ArrayList<>();
                c.get(c.endpoint("network") + "/v2.0/extensions").path("extensions")
                        .forEach(e -> aliases.add(e.path("alias").asText()));
                ids.put(w, String.join(",", aliases));
                continue;
            }
            String[] kindName = w.split(" ", 2);
            String name = URLEncoder.encode(kindName[1], StandardCharsets.UTF_8);
            JsonNode candidates = switch (kindName[0]) {
                case "image" -> c.get(c.endpoint("image") + "/v2/images?name=" + name).path("images");
                case "network" -> c.get(c.endpoint("network") + "/v2.0/networks?name=" + name).path("networks");
                case "flavor" -> flavors != null ? flavors
                        : (flavors = c.get(c.endpoint("compute") + "/flavors?is_public=None").path("flavors"));
                default -> throw new IllegalArgumentException("cannot look up '" + w + "': give image, flavor or "
                        + "network and a name");
            };
            String id = null;
            for (JsonNode x : candidates) {
                if (kindName[1].equals(x.path("name").asText())) {
                    id = x.path("id").asText();
                    break;
                }
            }
            if (id == null) {
                throw new IllegalStateException("no " + kindName[0] + " named '" + kindName[1] + "' in the cloud");
            }
            ids.put(w, id);
        }
        return ids;
    }
}
