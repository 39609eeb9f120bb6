package io.speedling.openstack;

import io.speedling.openstack.components.Nova;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Collection;
import java.util.HexFormat;
import java.util.List;
import java.util.Set;

/**
 * What cloud to stand up: which services (with what they need) in which topology, and how to
 * treat it when done. Two equal specs describe the same cloud, so one deploy can serve both;
 * {@link #hash()} identifies it across runs for reuse.
 *
 * <pre>
 * CloudSpec.allInOne().services("keystone", "glance").reuse(true)
 * </pre>
 *
 * @param services the selected services with what they need ({@link AllInOne#SERVICES} order)
 * @param workers worker nodes for nova-compute and the network agent; 0 puts everything on one node
 * @param storage storage nodes for Ceph's OSDs and Swift's servers; 0 keeps storage on the controller
 * @param name the cloud's name (state directory), or null for one derived from the hash
 * @param slice the virt slice, or -1 for one derived from the hash (100-199)
 * @param reuse keep the cloud running after use and pick it up next time; takes effect only when
 *     the user also enables reuse ({@link OpenStackCloud#reuseEnabled()})
 * @param keepOnFailure keep the cloud for inspection when a test using it failed
 * @param verify run the {@link Verifier} after deploying
 * @param config per-node config settings that win over the components' own, in order (a later one
 *     of the same key wins)
 * @param computeDriver Nova's compute driver, {@code fake.FakeDriver} or {@code libvirt.LibvirtDriver}
 *     ({@link Nova#driverName})
 * @param tempest Tempest's tests run at the end of each deploy ({@code "smoke"} or a regular expression over
 *     test ids), or null for none
 * @param registry the services to select from ({@link ServiceRegistry#builtIn()} unless the caller
 *     registered its own components)
 */
public record CloudSpec(Set<String> services, int workers, int storage, String name, int slice, boolean reuse,
                        boolean keepOnFailure, boolean verify, List<ConfigOverride> config, String computeDriver,
                        String tempest, ServiceRegistry registry) {

    public CloudSpec {
        registry = java.util.Objects.requireNonNull(registry, "registry");
        services = registry.select(services);
        AllInOne.requireNodes("workers", workers, "all-in-one");
        AllInOne.requireNodes("storage nodes", storage, "storage on the controller");
        if (name != null) {
            Component.requireName("cloud", name, " (it names the state directory)");
        }
        if (slice != -1) {
            io.speedling.virt.nodes.SlicePlan.requireSlice(slice);
        }
        config = List.copyOf(config);
        computeDriver = Nova.driverName(computeDriver);
        io.speedling.openstack.components.Tempest.requireRunnable(tempest, services);
        // an unknown node (worker-03 of a cloud with 2 workers) or a malformed setting is refused here
        AllInOne.inventory(workers, storage).config(config);
    }

    /** Every service on one node. */
    public static CloudSpec allInOne() {
        return new CloudSpec(AllInOne.SERVICES.keySet(), 0, 0, null, -1, false, false, false, List.of(), Nova.FAKE, null,
                ServiceRegistry.builtIn());
    }

    /** Only these services and what they need; an unknown name is refused listing the known ones. */
    public CloudSpec services(Collection<String> s) {
        return new CloudSpec(registry.select(s), workers, storage, name, slice, reuse, keepOnFailure, verify, config,
                computeDriver, tempest, registry);
    }

    public CloudSpec services(String... s) {
        return services(List.of(s));
    }

    /**
     * The services to select from: the built-in ones and those of the caller's own registered in
     * {@code r} ({@link ServiceRegistry#with}). The selection is kept.
     */
    public CloudSpec registry(ServiceRegistry r) {
        return new CloudSpec(services, workers, storage, name, slice, reuse, keepOnFailure, verify, config, computeDriver, tempest, r);
    }

    /**
     * Without the default resources (flavors, networks, router, test image: {@link
     * io.speedling.openstack.components.Defaults}) and what needs them (Tempest): the services
     * alone, as a bare cloud.
     */
    public CloudSpec bare() {
        Set<String> without = new java.util.LinkedHashSet<>(services);
        without.remove(ServiceRegistry.DEFAULTS);
        without.removeAll(registry.dependents(ServiceRegistry.DEFAULTS));
        return services(without);
    }

    /** A controller and {@code n} worker nodes (nova-compute and the network agent on the workers). */
    public CloudSpec workers(int n) {
        return new CloudSpec(services, n, storage, name, slice, reuse, keepOnFailure, verify, config, computeDriver, tempest, registry);
    }

    /**
     * Storage nodes ({@code storage-01} ...) for Ceph's OSDs and Swift's servers, one replica each
     * up to three; 0 (the default) keeps storage on the controller.
     */
    public CloudSpec storage(int n) {
        return new CloudSpec(services, workers, n, name, slice, reuse, keepOnFailure, verify, config, computeDriver,
                tempest, registry);
    }

    /**
     * Tempest's tests at the end of each deploy: {@code "smoke"}, or a regular expression over test
     * ids; null runs none. Needs the tempest service (not a bare cloud).
     */
    public CloudSpec tempest(String selection) {
        return new CloudSpec(services, workers, storage, name, slice, reuse, keepOnFailure, verify, config,
                computeDriver, selection, registry);
    }

    /** "all-in-one" or "controller+N workers", with "+M storage" when there are storage nodes. */
    public String topology() {
        return (workers == 0 ? "all-in-one" : "controller+" + workers + " workers")
                + (storage == 0 ? "" : "+" + storage + " storage");
    }

    public CloudSpec name(String n) {
        return new CloudSpec(services, workers, storage, n, slice, reuse, keepOnFailure, verify, config, computeDriver, tempest, registry);
    }

    public CloudSpec slice(int s) {
        return new CloudSpec(services, workers, storage, name, s, reuse, keepOnFailure, verify, config, computeDriver, tempest, registry);
    }

    public CloudSpec reuse(boolean r) {
        return new CloudSpec(services, workers, storage, name, slice, r, keepOnFailure, verify, config, computeDriver, tempest, registry);
    }

    public CloudSpec keepOnFailure(boolean k) {
        return new CloudSpec(services, workers, storage, name, slice, reuse, k, verify, config, computeDriver, tempest, registry);
    }

    public CloudSpec verify(boolean v) {
        return new CloudSpec(services, workers, storage, name, slice, reuse, keepOnFailure, v, config, computeDriver, tempest, registry);
    }

    /** Nova's compute driver: {@code fake} (the default) or {@code libvirt} (servers are qemu domains). */
    public CloudSpec computeDriver(String driver) {
        return new CloudSpec(services, workers, storage, name, slice, reuse, keepOnFailure, verify, config, driver, tempest, registry);
    }

    /** This spec with one more config override, e.g. {@code config("controller-01", "/etc/nova/nova.conf", "DEFAULT", "debug", "true")}. */
    public CloudSpec config(String node, String path, String section, String key, String value) {
        List<ConfigOverride> c = new java.util.ArrayList<>(config);
        c.add(new ConfigOverride(node, path, section, key, value));
        return new CloudSpec(services, workers, storage, name, slice, reuse, keepOnFailure, verify, c, computeDriver, tempest, registry);
    }

    /** This spec with one more config override written {@code NODE:PATH:SECTION.KEY=VALUE} ({@link ConfigOverride#parse}). */
    public CloudSpec config(String override) {
        ConfigOverride o = ConfigOverride.parse(override);
        return config(o.node(), o.path(), o.section(), o.key(), o.value());
    }

    /**
     * 12 hex digits of SHA-256 over what makes the cloud what it is (topology, services, config
     * overrides and compute driver; not
     * the reuse or keep settings, which say what happens after).
     */
    public String hash() {
        try {
            MessageDigest md = MessageDigest.getInstance("SHA-256");
            md.update((topology() + "\n" + String.join(",", services) + "\n" + (name == null ? "" : name)
                    + (config.isEmpty() ? "" : "\n" + config) + (Nova.FAKE.equals(computeDriver) ? "" : "\n"
                    + computeDriver)).getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(md.digest()).substring(0, 12);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java has SHA-256", e);
        }
    }

    /** The start of a name derived from the hash (a cloud the caller did not name). */
    static final String DERIVED_PREFIX = "cloud-";

    /** The name, or {@code cloud-<hash>}. */
    public String cloudName() {
        return name != null ? name : DERIVED_PREFIX + hash().substring(0, 8);
    }

    /** The slice, or one in 100-199 derived from the hash. */
    public int sliceOrDerived() {
        return slice >= 0 ? slice : 100 + (int) (Long.parseLong(hash().substring(0, 8), 16) % 100);
    }
}
