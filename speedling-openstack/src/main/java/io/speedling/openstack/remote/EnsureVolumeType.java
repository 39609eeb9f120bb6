package io.speedling.openstack.remote;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.speedling.core.NodeContext;
import io.speedling.core.RemoteFunction;

/**
 * Makes the public volume type {@code name} that selects backend {@code backend} (its
 * {@code volume_backend_name}) through the block storage API, unless it is there with that backend.
 * Returns true when it created or corrected something.
 */
public record EnsureVolumeType(String keystoneUrl, String adminPassword, String region, String name, String backend)
        implements RemoteFunction<Boolean> {
    private static final ObjectMapper JSON = new ObjectMapper();

    @Override
    public String toString() {
        return "EnsureVolumeType[" + name + " -> " + backend + "]";  // no password
    }

    @Override
    public Boolean run(NodeContext node) throws Exception {
        AdminSession c = new AdminSession(keystoneUrl, adminPassword, region);
        String cinder = c.endpoint("volumev3");
        String id = null;
        for (JsonNode t : c.get(cinder + "/types?is_public=None").path("volume_types")) {
            if (name.equals(t.path("name").asText())) {
                id = t.path("id").asText();
                if (backend.equals(t.path("extra_specs").path("volume_backend_name").asText())) {
                    return false;
                }
            }
        }
        if (id == null) {
            ObjectNode t = JSON.createObjectNode();
            t.putObject("volume_type").put("name", name).put("os-volume-type-access:is_public", true)
                    .putObject("extra_specs").put("volume_backend_name", backend);
            c.send("POST", cinder + "/types", t);
        } else {
            ObjectNode spec = JSON.createObjectNode();
            spec.putObject("extra_specs").put("volume_backend_name", backend);
            c.send("POST", cinder + "/types/" + id + "/extra_specs", spec);
        }
        return true;
    }
}
