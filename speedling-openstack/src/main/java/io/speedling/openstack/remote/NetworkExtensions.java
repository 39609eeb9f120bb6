package io.speedling.openstack.remote;

import io.speedling.core.NodeContext;
import io.speedling.core.RemoteFunction;
import java.util.ArrayList;
import java.util.List;

/** The aliases of the extensions the cloud's Networking API has loaded, as admin asks for them. */
public record NetworkExtensions(String keystoneUrl, String adminPassword, String region)
        implements RemoteFunction<List<String>> {
    @Override
    public String toString() {
        return "NetworkExtensions[" + keystoneUrl + "]";  // no password
    }

    @Override
    public List<String> run(NodeContext node) throws Exception {
        AdminSession c = new AdminSession(keystoneUrl, adminPassword, region);
        List<String> aliases = new ArrayList<>();
        c.get(c.endpoint("network") + "/v2.0/extensions").path("extensions")
                .forEach(e -> aliases.add(e.path("alias").asText()));
        return aliases;
    }
}
