package io.speedling.openstack;

import io.speedling.openstack.components.Nova;
import io.speedling.openstack.components.Tempest;
import io.speedling.virt.nodes.SlicePlan;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HexFormat;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.function.Consumer;

/**
 * What cloud to stand up: which services (with what they need, the caller's own components
 * included through {@link #registry}) in which topology, and how to treat it when done. The one
 * description of a cloud that {@code bin/cloud}, {@link OpenStackCloud#up}, the JUnit extension,
 * jshell and {@link AllInOne} go through. An immutable value: each setter returns a new spec,
 * checked at once (an unknown service, node or setting is refused here, before any slow work).
 * Two equal specs describe the same cloud, so one deploy can serve both; {@link #hash()}
 * identifies it across runs for reuse.
 *
 * <pre>{@code
 * CloudSpec spec = CloudSpec.allInOne().services("keystone", "glance").reuse(true);
 * }</pre>
 */
public final class CloudSpec {
    private final Values v;

    /** Every field of a spec; copied, changed and checked by {@link #with}. */
    private static final class Values implements Cloneable {
        Set<String> services;
        int controllers = 1;
        int workers;
        int storage;
        String name;
        int slice = -1;
        boolean reuse;
        boolean keepOnFailure;
        boolean verify;
        List<ConfigOverride> config = List.of();
        String computeDriver = Nova.FAKE;
        String tempest;
        ServiceRegistry registry = ServiceRegistry.builtIn();
        Hosts hosts;
        Release release = Release.DEFAULT;
        Provider provider = Provider.NSPAWN;
        /** Every service was asked for ("all", or no selection): on a release, every service it runs. */
        boolean everything;

        Values copy() {
            try {
                return (Values) clone();
            } catch (CloneNotSupportedException e) {
                throw new AssertionError(e);
            }
        }

        List<Object> all() {
            return java.util.Arrays.asList(services, controllers, workers, storage, name, slice, reuse, keepOnFailure,
                    verify, config, computeDriver, tempest, registry, hosts, release, provider);
        }
    }

    private CloudSpec(Values v) {
        if (v.everything) {
            Set<String> all = new LinkedHashSet<>(v.services);
            all.addAll(ServiceRegistry.builtIn().needs().keySet());
            v.services = v.registry.select(all);
        } else {
            v.services = v.registry.select(v.services);
        }
        AllInOne.requireControllers(v.controllers);
        AllInOne.requireNodes("workers", v.workers, "all-in-one");
        AllInOne.requireNodes("storage nodes", v.storage, "storage on the controller");
        if (v.name != null) {
            Component.requireName("cloud", v.name, " (it names the state directory)");
        }
        if (v.slice != -1) {
            SlicePlan.requireSlice(v.slice);
        }
        v.config = List.copyOf(v.config);
        v.computeDriver = Nova.driverName(v.computeDriver);
        Tempest.requireRunnable(v.tempest, v.services);
        requireOnRelease(v);
        if (v.hosts != null && (v.controllers != 1 || v.workers != 0 || v.storage != 0)) {
            throw new IllegalArgumentException("the hosts file " + v.hosts.file() + " gives the nodes and their roles; "
                    + "leave controllers, workers and storage unset (they say how many nodes speedling boots)");
        }
        if (v.hosts != null && v.provider != Provider.NSPAWN) {
            throw new IllegalArgumentException("the hosts file " + v.hosts.file() + " gives the machines; leave the "
                    + "node provider (" + v.provider + ") unset: it says where speedling boots nodes of its own");
        }
        // an unknown node (worker-03 of a cloud with 2 workers) or a malformed setting is refused here
        this.v = v;
        inventory();
    }

    /**
     * What a release does not run yet is refused here, naming the release that does: every
     * component and several controllers run on every release; the libvirt driver is proven on Zed
     * and 2025.1, not on 2026.1.
     */
    private static void requireOnRelease(Values v) {
        if (v.release == Release.ZED) {
            return;
        }
        if (!Nova.FAKE.equals(v.computeDriver) && !v.release.offersLibvirt()) {
            throw new IllegalArgumentException("the libvirt compute driver is not built for OpenStack "
                    + v.release.describe() + " yet: use the fake driver, or choose release 2025.1 or zed for libvirt");
        }
    }

    private CloudSpec with(Consumer<Values> change) {
        Values next = v.copy();
        change.accept(next);
        return new CloudSpec(next);
    }

    /** Every built-in service on one node. */
    public static CloudSpec allInOne() {
        Values v = new Values();
        v.services = ServiceRegistry.builtIn().needs().keySet();
        v.everything = true;
        return new CloudSpec(v);
    }

    /** The selected services with what they need, in the registry's order. */
    public Set<String> services() {
        return v.services;
    }

    /** Only these services and what they need; an unknown name is refused listing the known ones. */
    public CloudSpec services(Collection<String> s) {
        List<String> wanted = List.copyOf(s);
        return with(x -> {
            x.services = x.registry.select(wanted);
            x.everything = wanted.stream().anyMatch(w -> w.strip().equalsIgnoreCase(ServiceRegistry.ALL));
        });
    }

    public CloudSpec services(String... s) {
        return services(List.of(s));
    }

    /** The services to select from ({@link ServiceRegistry#builtIn()} unless the caller registered its own). */
    public ServiceRegistry registry() {
        return v.registry;
    }

    /**
     * The services to select from: the built-in ones and those of the caller's own registered in
     * {@code r} ({@link ServiceRegistry#with}). The selection is kept.
     */
    public CloudSpec registry(ServiceRegistry r) {
        Objects.requireNonNull(r, "registry");
        return with(x -> x.registry = r);
    }

    /**
     * Without the default resources (flavors, networks, router, test image: {@link
     * io.speedling.openstack.components.Defaults}) and what needs them (Tempest): the services
     * alone, as a bare cloud.
     */
    public CloudSpec bare() {
        Set<String> without = new LinkedHashSet<>(v.services);
        without.remove(ServiceRegistry.DEFAULTS);
        without.removeAll(v.registry.dependents(ServiceRegistry.DEFAULTS));
        return services(without);
    }

    /** How many controllers: 1, or 3 or 5 behind a virtual IP. */
    public int controllers() {
        return v.controllers;
    }

    /**
     * {@code n} controllers ({@code controller-01} ...): 1 (the default), or 3 or 5 for high
     * availability: HAProxy on each behind a virtual IP that keepalived moves to a live one, a
     * Galera database and a RabbitMQ cluster across them, every API and scheduler on each.
     */
    public CloudSpec controllers(int n) {
        return with(x -> x.controllers = n);
    }

    /**
     * The nodes and their roles ({@value AllInOne#NODE} ..., {@code worker-NN}, {@code storage-NN};
     * the virtual IP with several controllers) with the config overrides.
     */
    public Inventory inventory() {
        if (v.hosts != null) {
            return v.hosts.inventory().config(v.config);
        }
        return AllInOne.inventory(v.controllers, v.workers, v.storage, sliceOrDerived()).config(v.config);
    }

    /** The machines the cloud is deployed onto, or null when speedling boots its own nodes. */
    public Hosts hosts() {
        return v.hosts;
    }

    /**
     * Deploys onto machines the user already has ({@link Hosts#read}: an inventory file) instead
     * of nodes speedling boots: their names and roles are the topology, packages missing there are
     * installed during the deploy, and a host without Java gets a runtime for the agent. Null goes
     * back to booted nodes.
     */
    public CloudSpec hosts(Hosts h) {
        return with(x -> x.hosts = h);
    }

    /** Worker nodes for nova-compute and the network agent; 0 puts everything on one node. */
    public int workers() {
        return v.workers;
    }

    /** A controller and {@code n} worker nodes (nova-compute and the network agent on the workers). */
    public CloudSpec workers(int n) {
        return with(x -> x.workers = n);
    }

    /** Storage nodes for Ceph's OSDs and Swift's servers; 0 keeps storage on the controller. */
    public int storage() {
        return v.storage;
    }

    /**
     * Storage nodes ({@code storage-01} ...) for Ceph's OSDs and Swift's servers, one replica each
     * up to three; 0 (the default) keeps storage on the controller.
     */
    public CloudSpec storage(int n) {
        return with(x -> x.storage = n);
    }

    /** Tempest's selection run at the end of each deploy, or null for none. */
    public String tempest() {
        return v.tempest;
    }

    /**
     * Tempest's tests at the end of each deploy: {@code "smoke"}, or a regular expression over test
     * ids; null runs none. Needs the tempest service (not a bare cloud).
     */
    public CloudSpec tempest(String selection) {
        return with(x -> x.tempest = selection);
    }

    /**
     * "all-in-one", "controller+N workers" or "3 controllers+N workers", with "+M storage" when there
     * are storage nodes.
     */
    public String topology() {
        if (v.hosts != null) {
            return "hosts " + String.join(",", v.hosts.inventory().nodes());
        }
        String ctl = v.controllers == 1 ? "controller" : v.controllers + " controllers";
        return (v.workers == 0 ? (v.controllers == 1 ? "all-in-one" : ctl) : ctl + "+" + v.workers + " workers")
                + (v.storage == 0 ? "" : "+" + v.storage + " storage");
    }

    /** The cloud's name (its state directory), or null for one derived from the hash ({@link #cloudName()}). */
    public String name() {
        return v.name;
    }

    public CloudSpec name(String n) {
        return with(x -> x.name = n);
    }

    /** The virt slice, or -1 for one derived from the hash ({@link #sliceOrDerived()}). */
    public int slice() {
        return v.slice;
    }

    public CloudSpec slice(int s) {
        return with(x -> x.slice = s);
    }

    /**
     * Whether the cloud is kept running after use and picked up next time; takes effect only when
     * the user also enables reuse ({@link OpenStackCloud#reuseEnabled()}).
     */
    public boolean reuse() {
        return v.reuse;
    }

    public CloudSpec reuse(boolean r) {
        return with(x -> x.reuse = r);
    }

    /** Whether the cloud is kept for inspection when a test using it failed. */
    public boolean keepOnFailure() {
        return v.keepOnFailure;
    }

    public CloudSpec keepOnFailure(boolean k) {
        return with(x -> x.keepOnFailure = k);
    }

    /** Whether the {@link Verifier} runs after deploying. */
    public boolean verify() {
        return v.verify;
    }

    public CloudSpec verify(boolean check) {
        return with(x -> x.verify = check);
    }

    /** The OpenStack release the cloud runs ({@link Release#DEFAULT} unless given). */
    public Release release() {
        return v.release;
    }

    /** The OpenStack release: it picks the nodes' Debian suite, the packages and each component's config. */
    public CloudSpec release(Release r) {
        java.util.Objects.requireNonNull(r, "release");
        return with(x -> x.release = r);
    }

    /**
     * The release named {@code name}: {@code zed}, {@code 2025.1} or {@code 2026.1} (or its
     * codename or Debian suite, {@link Release#of}).
     *
     * @throws IllegalArgumentException for an unknown name, listing the known releases
     */
    public CloudSpec release(String name) {
        return release(Release.of(name));
    }

    /** Where the nodes speedling boots come from ({@link Provider#NSPAWN} unless given). */
    public Provider provider() {
        return v.provider;
    }

    /**
     * Where speedling boots the cloud's nodes: nspawn containers (the default) or libvirt VMs
     * ({@link Provider}); the same cloud, deployed the same way, on other machines.
     */
    public CloudSpec provider(Provider p) {
        Objects.requireNonNull(p, "provider");
        return with(x -> x.provider = p);
    }

    /**
     * The provider named {@code name}: {@code nspawn} or {@code libvirt}.
     *
     * @throws IllegalArgumentException for an unknown name, listing the known ones
     */
    public CloudSpec provider(String name) {
        return provider(Provider.of(name));
    }

    /** Nova's compute driver, {@code fake.FakeDriver} or {@code libvirt.LibvirtDriver} ({@link Nova#driverName}). */
    public String computeDriver() {
        return v.computeDriver;
    }

    /** Nova's compute driver: {@code fake} (the default) or {@code libvirt} (servers are qemu domains). */
    public CloudSpec computeDriver(String driver) {
        return with(x -> x.computeDriver = driver);
    }

    /** Per-node config settings that win over the components' own, in order (a later one of the same key wins). */
    public List<ConfigOverride> config() {
        return v.config;
    }

    /** This spec with one more config override, e.g. {@code config("controller-01", "/etc/nova/nova.conf", "DEFAULT", "debug", "true")}. */
    public CloudSpec config(String node, String path, String section, String key, String value) {
        ConfigOverride o = new ConfigOverride(node, path, section, key, value);
        return with(x -> {
            List<ConfigOverride> c = new ArrayList<>(x.config);
            c.add(o);
            x.config = c;
        });
    }

    /** This spec with one more config override written {@code NODE:PATH:SECTION.KEY=VALUE} ({@link ConfigOverride#parse}). */
    public CloudSpec config(String override) {
        ConfigOverride o = ConfigOverride.parse(override);
        return config(o.node(), o.path(), o.section(), o.key(), o.value());
    }

    /**
     * The components of the selected services, wired and placed on this spec's nodes (the
     * controller {@value AllInOne#NODE}, {@code worker-NN}, {@code storage-NN}), with the config
     * overrides and Tempest's selection applied.
     */
    public Cloud cloud() {
        Cloud c = v.registry.cloud(cloudName(), inventory(), v.services, v.computeDriver, v.release);
        if (v.tempest == null) {
            return c;
        }
        return Cloud.builder(c.name()).component(c.components().stream()
                .map(x -> x instanceof Tempest t ? t.toBuilder().selection(v.tempest).build() : x).toArray(Component[]::new))
                .inventory(c.inventory()).release(c.release()).build();
    }

    /**
     * 12 hex digits of SHA-256 over what makes the cloud what it is (topology, services, config
     * overrides, compute driver, release and node provider; not the reuse, keep, verify or Tempest settings, which
     * say what happens after). Zed's specs hash as they did before releases could be chosen.
     */
    public String hash() {
        try {
            MessageDigest md = MessageDigest.getInstance("SHA-256");
            md.update((topology() + "\n" + String.join(",", v.services) + "\n" + (v.name == null ? "" : v.name)
                    + (v.config.isEmpty() ? "" : "\n" + v.config)
                    + (Nova.FAKE.equals(v.computeDriver) ? "" : "\n" + v.computeDriver)
                    + (v.hosts == null ? "" : "\n" + v.hosts)
                    + (v.release == Release.ZED ? "" : "\nrelease " + v.release.id())
                    + (v.provider == Provider.NSPAWN ? "" : "\nprovider " + v.provider)).getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(md.digest()).substring(0, 12);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java has SHA-256", e);
        }
    }

    /** The start of a name derived from the hash (a cloud the caller did not name). */
    static final String DERIVED_PREFIX = "cloud-";

    /** The name, or {@code cloud-<hash>}. */
    public String cloudName() {
        return v.name != null ? v.name : DERIVED_PREFIX + hash().substring(0, 8);
    }

    /** The slice, or one in 100-199 derived from the hash. */
    public int sliceOrDerived() {
        return v.slice >= 0 ? v.slice : 100 + (int) (Long.parseLong(hash().substring(0, 8), 16) % 100);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof CloudSpec s && v.all().equals(s.v.all());
    }

    @Override
    public int hashCode() {
        return v.all().hashCode();
    }

    @Override
    public String toString() {
        return "CloudSpec[" + cloudName() + " " + topology() + " " + v.release.id()
                + (v.provider == Provider.NSPAWN ? "" : " on " + v.provider) + " services=" + v.services
                + (v.computeDriver.equals(Nova.FAKE) ? "" : " " + v.computeDriver)
                + (v.tempest == null ? "" : " tempest=" + v.tempest) + (v.config.isEmpty() ? "" : " config=" + v.config)
                + (v.reuse ? " reuse" : "") + (v.keepOnFailure ? " keepOnFailure" : "") + (v.verify ? " verify" : "")
                + "]";
    }
}
