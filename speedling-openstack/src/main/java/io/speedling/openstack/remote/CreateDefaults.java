package io.speedling.openstack.remote;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.speedling.core.NodeContext;
import io.speedling.core.RemoteFunction;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Creates on the node, through the APIs (milliseconds a call, where each {@code openstack}
 * client run starts Python for seconds), what is missing of a fresh cloud's default resources:
 * flavors, a public flat network with a floating IP pool, demo's private network behind a router
 * whose gateway is on public, ICMP and SSH in demo's default security group, and a small test
 * image. Everything is looked up by name first, so a rerun creates nothing. Returns how many
 * resources it created.
 *
 * @param keystoneUrl Keystone's URL ({@code http://HOST:5000})
 * @param extPrefix the provider network's first three octets ({@code 10.232.7}), or null for no
 *     public network and no router gateway
 * @param part which of the three to create
 * @param flavors "name vcpus ramMiB diskGiB" each
 */
public record CreateDefaults(String keystoneUrl, String adminPassword, String region, Part part, String extPrefix,
                             List<String> flavors, String imageName) implements RemoteFunction<Integer> {
    /** What to create: each part needs only its own service, so each runs as soon as that answers. */
    public enum Part { FLAVORS, NETWORKS, IMAGE }

    private static final ObjectMapper JSON = new ObjectMapper();

    @Override
    public String toString() {
        return "CreateDefaults[" + keystoneUrl + "]";  // no password
    }

    @Override
    public Integer run(NodeContext node) throws Exception {
        AdminSession c = new AdminSession(keystoneUrl, adminPassword, region);
        return switch (part) {
            case FLAVORS -> flavors(c);
            case NETWORKS -> networks(c);
            case IMAGE -> image(c);
        };
    }

    private int flavors(AdminSession c) throws Exception {
        int made = 0;
        String nova = c.endpoint("compute");
        List<String> have = names(c.get(nova + "/flavors?is_public=None").path("flavors"));
        for (String f : flavors) {
            String[] p = f.split(" ");
            if (!have.contains(p[0])) {
                ObjectNode fl = JSON.createObjectNode();
                fl.putObject("flavor").put("name", p[0]).put("vcpus", Integer.parseInt(p[1]))
                        .put("ram", Integer.parseInt(p[2])).put("disk", Integer.parseInt(p[3]))
                        .put("os-flavor-access:is_public", true);
                c.send("POST", nova + "/flavors", fl);
                made++;
            }
        }
        return made;
    }

    /**
     * The networks, their subnets, the router and demo's rules in as few requests as Neutron takes
     * them: both networks in one bulk request, both subnets in another, the router made with its
     * gateway, both rules in one; lookups by name first (a rerun creates nothing). Neutron's API
     * serves one request at a time and the node's CPU is busy with services starting: each request
     * saved is time off the deploy's last task.
     */
    private int networks(AdminSession c) throws Exception {
        int made = 0;
        String neutron = c.endpoint("network") + "/v2.0";
        String demo = c.get(c.keystone + "/v3/projects?name=demo").path("projects").path(0).path("id").asText();
        if (demo.isEmpty()) {
            throw new IllegalStateException("project demo does not exist in Keystone");
        }
        // demo's security group rules do not depend on the networks: asked for beside them (the
        // networks are the deploy's last task, and each of Neutron's answers takes seconds on OVN)
        java.util.concurrent.CompletableFuture<Integer> rulesMade = java.util.concurrent.CompletableFuture.supplyAsync(
                () -> {
                    try {
                        return securityRules(c, neutron, demo);
                    } catch (Exception e) {
                        throw new java.util.concurrent.CompletionException(e);
                    }
                }, runnable -> {
                    Thread t = new Thread(runnable, "defaults-rules");
                    t.setDaemon(true);
                    t.start();
                });
        boolean withPublic = extPrefix != null;
        Map<String, String> nets = byName(c.get(neutron + "/networks?name=public&name=private").path("networks"), demo);
        List<ObjectNode> newNets = new ArrayList<>();
        if (withPublic && !nets.containsKey("public")) {
            newNets.add(JSON.createObjectNode().put("name", "public").put("router:external", true).put("shared", false)
                    .put("provider:network_type", "flat").put("provider:physical_network", "provider"));
        }
        if (!nets.containsKey("private")) {
            newNets.add(JSON.createObjectNode().put("name", "private").put("project_id", demo));
        }
        made += newNets.size();
        nets.putAll(byName(bulk(c, neutron + "/networks", "network", newNets), demo));
        String publicNet = nets.get("public");
        String privateNet = nets.get("private");

        Map<String, String> subnets = byName(c.get(neutron + "/subnets?name=public-subnet&name=private-subnet")
                .path("subnets"), demo);
        List<ObjectNode> newSubnets = new ArrayList<>();
        if (withPublic && !subnets.containsKey("public-subnet")) {
            ObjectNode sub = JSON.createObjectNode().put("name", "public-subnet").put("network_id", publicNet)
                    .put("ip_version", 4).put("cidr", extPrefix + ".0/24").put("gateway_ip", extPrefix + ".1")
                    .put("enable_dhcp", false);
            sub.putArray("allocation_pools").addObject().put("start", extPrefix + ".100").put("end", extPrefix + ".199");
            newSubnets.add(sub);
        }
        if (!subnets.containsKey("private-subnet")) {
            newSubnets.add(JSON.createObjectNode().put("name", "private-subnet").put("network_id", privateNet)
                    .put("ip_version", 4).put("cidr", "10.0.0.0/26").put("project_id", demo));
        }
        made += newSubnets.size();
        subnets.putAll(byName(bulk(c, neutron + "/subnets", "subnet", newSubnets), demo));
        String privateSubnet = subnets.get("private-subnet");

        JsonNode routers = c.get(neutron + "/routers?name=router1&project_id=" + demo).path("routers");
        String router;
        if (routers.isEmpty()) {
            ObjectNode r = JSON.createObjectNode();
            ObjectNode body = r.putObject("router").put("name", "router1").put("project_id", demo);
            if (withPublic) {
                body.putObject("external_gateway_info").put("network_id", publicNet);
            }
            router = c.send("POST", neutron + "/routers", r).path("router").path("id").asText();
            made++;
        } else {
            router = routers.get(0).path("id").asText();
            if (withPublic && !routers.get(0).path("external_gateway_info").has("network_id")) {
                ObjectNode g = JSON.createObjectNode();
                g.putObject("router").putObject("external_gateway_info").put("network_id", publicNet);
                c.send("PUT", neutron + "/routers/" + router, g);
                made++;
            }
        }
        JsonNode ports = c.get(neutron + "/ports?device_id=" + router + "&network_id=" + privateNet).path("ports");
        if (ports.isEmpty()) {
            ObjectNode i = JSON.createObjectNode().put("subnet_id", privateSubnet);
            c.send("PUT", neutron + "/routers/" + router + "/add_router_interface", i);
            made++;
        }
        try {
            return made + rulesMade.join();
        } catch (java.util.concurrent.CompletionException e) {
            throw e.getCause() instanceof Exception x ? x : e;
        }
    }

    /** ICMP and SSH into demo's default security group; how many rules it made. */
    private static int securityRules(AdminSession c, String neutron, String demo) throws Exception {
        // listing a project's security groups makes its default group if it has none yet
        String sg = find(c, neutron + "/security-groups?name=default&tenant_id=" + demo, "security_groups");
        if (sg == null) {
            throw new IllegalStateException("project demo has no default security group");
        }
        JsonNode rules = c.get(neutron + "/security-group-rules?security_group_id=" + sg + "&direction=ingress")
                .path("security_group_rules");
        List<ObjectNode> newRules = new ArrayList<>();
        for (String proto : List.of("icmp", "tcp")) {
            boolean present = false;
            for (JsonNode r : rules) {
                present |= proto.equals(r.path("protocol").asText()) && (proto.equals("icmp")
                        || r.path("port_range_min").asInt() == 22);
            }
            if (!present) {
                ObjectNode rule = JSON.createObjectNode().put("security_group_id", sg).put("direction", "ingress")
                        .put("ethertype", "IPv4").put("protocol", proto).put("remote_ip_prefix", "0.0.0.0/0")
                        .put("project_id", demo);
                if (proto.equals("tcp")) {
                    rule.put("port_range_min", 22).put("port_range_max", 22);
                }
                newRules.add(rule);
            }
        }
        bulk(c, neutron + "/security-group-rules", "security_group_rule", newRules);
        return newRules.size();
    }

    /** Creates {@code items} in one request ({@code {"<kind>s": [...]}}); what Neutron made, or nothing. */
    private static JsonNode bulk(AdminSession c, String url, String kind, List<ObjectNode> items) throws Exception {
        if (items.isEmpty()) {
            return JSON.createArrayNode();
        }
        ObjectNode body = JSON.createObjectNode();
        body.putArray(kind + "s").addAll(items);
        return c.send("POST", url, body).path(kind + "s");
    }

    /** Name to id of {@code items}; of a private one (with a project), only demo's. */
    private static Map<String, String> byName(JsonNode items, String demo) {
        Map<String, String> out = new java.util.HashMap<>();
        for (JsonNode i : items) {
            String name = i.path("name").asText();
            if (name.startsWith("private") && !demo.equals(i.path("project_id").asText())) {
                continue;
            }
            out.putIfAbsent(name, i.path("id").asText());
        }
        return out;
    }

    private int image(AdminSession c) throws Exception {
        int made = 0;
        String glance = c.endpoint("image") + "/v2";
        if (c.get(glance + "/images?name=" + enc(imageName)).path("images").isEmpty()) {
            ObjectNode img = JSON.createObjectNode().put("name", imageName).put("disk_format", "raw")
                    .put("container_format", "bare").put("visibility", "public");
            String id = c.send("POST", glance + "/images", img).path("id").asText();
            c.upload(glance + "/images/" + id + "/file", new byte[1024 * 1024]);
            made++;
        }
        return made;
    }

    private static List<String> names(JsonNode items) {
        List<String> out = new ArrayList<>();
        items.forEach(i -> out.add(i.path("name").asText()));
        return out;
    }

    private static String find(AdminSession c, String url, String collection) throws Exception {
        JsonNode items = c.get(url).path(collection);
        return items.isEmpty() ? null : items.get(0).path("id").asText();
    }

    private static String enc(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8);
    }
}
