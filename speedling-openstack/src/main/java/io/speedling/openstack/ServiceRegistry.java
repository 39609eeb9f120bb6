package io.speedling.openstack;

import io.speedling.openstack.components.Ceph;
import io.speedling.openstack.components.Cinder;
import io.speedling.openstack.components.Defaults;
import io.speedling.openstack.components.Glance;
import io.speedling.openstack.components.Keystone;
import io.speedling.openstack.components.LoadBalancer;
import io.speedling.openstack.components.MariaDb;
import io.speedling.openstack.components.Memcached;
import io.speedling.openstack.components.Neutron;
import io.speedling.openstack.components.Nova;
import io.speedling.openstack.components.OpenStackClient;
import io.speedling.openstack.components.Placement;
import io.speedling.openstack.components.RabbitMq;
import io.speedling.openstack.components.Swift;
import io.speedling.openstack.components.Tempest;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;

/**
 * The services a cloud can be made of, by name: each with the services it needs and how its
 * component is made from the components of those. A component is added by its own file and one
 * registration; selecting it by name ({@code --services}, {@link CloudSpec#services}) brings what it
 * needs along. Immutable: {@link #with} returns a new registry.
 *
 * <pre>{@code
 * ServiceRegistry mine = ServiceRegistry.builtIn().with("tenants", List.of("keystone", "openstackclient"),
 *         w -> new Tenants(w.get(Keystone.class), w.get(OpenStackClient.class), List.of("alice")));
 * CloudSpec spec = CloudSpec.allInOne().registry(mine).services("tenants");
 * }</pre>
 */
public final class ServiceRegistry {
    /** The service every cloud gets: verification and the openrc files use it. */
    public static final String CLIENT = "openstackclient";
    /** The virtual IP and HAProxy in front of several controllers ({@link LoadBalancer}). */
    public static final String LOAD_BALANCER = "haproxy";
    /** The flavors, networks, router and image a user expects in a fresh cloud ({@link Defaults}). */
    public static final String DEFAULTS = "defaults";

    /** What a registration's factory gets: the components of the services it needs, already made. */
    public interface Wiring {
        /**
         * The selected component of this type.
         *
         * @throws IllegalArgumentException when none was selected (a registration that uses a
         *     service it does not name in its needs)
         */
        <T extends Component> T get(Class<T> type);

        /** The selected component of this type, if one was selected. */
        <T extends Component> Optional<T> find(Class<T> type);

        /** Nova's compute driver for this cloud ({@link Nova#driverName}). */
        String computeDriver();

        /** The OpenStack release the cloud runs: components that differ between releases are made for it. */
        Release release();
    }

    private record Entry(String name, List<String> needs, Function<Wiring, Component> make) {
    }

    private static final ServiceRegistry BUILT_IN = new ServiceRegistry(Map.of())
            // the virtual IP in front of several controllers (added to every cloud whose inventory has one)
            .with(LOAD_BALANCER, List.of(), w -> new LoadBalancer())
            .with("mariadb", List.of(), w -> new MariaDb("mariadb", w.find(LoadBalancer.class).orElse(null)))
            .with("rabbitmq", List.of(), w -> new RabbitMq())
            .with("memcached", List.of(), w -> new Memcached())
            .with("ceph", List.of(), w -> new Ceph())
            .with("keystone", List.of("mariadb", "memcached"), w -> Keystone.builder().sql(w.get(MariaDb.class))
                    .memcached(w.get(Memcached.class)).build())
            // images in Ceph when Ceph is part of the cloud, else files on the controller
            .with("glance", List.of("keystone"), w -> Glance.builder().sql(w.get(MariaDb.class))
                    .keystone(w.get(Keystone.class)).images(w.find(Ceph.class).orElse(null)).release(w.release()).build())
            .with("placement", List.of("keystone"), w -> Placement.builder().sql(w.get(MariaDb.class))
                    .keystone(w.get(Keystone.class)).release(w.release()).build())
            .with("neutron", List.of("keystone", "rabbitmq"), w -> Neutron.builder().sql(w.get(MariaDb.class))
                    .messaging(w.get(RabbitMq.class)).keystone(w.get(Keystone.class)).release(w.release()).build())
            // with the libvirt driver and Ceph in the cloud, servers' disks are RBD images in Ceph
            .with("nova", List.of("keystone", "rabbitmq", "placement", "glance", "neutron"), w -> Nova.builder()
                    .sql(w.get(MariaDb.class)).messaging(w.get(RabbitMq.class)).keystone(w.get(Keystone.class))
                    .placement(w.get(Placement.class)).glance(w.get(Glance.class)).networking(w.get(Neutron.class))
                    .computeDriver(w.computeDriver()).ephemeral(Nova.LIBVIRT.equals(w.computeDriver())
                            ? w.find(Ceph.class).orElse(null) : null).release(w.release()).build())
            .with("swift", List.of("keystone", "memcached"), w -> new Swift(w.get(Keystone.class),
                    w.get(Memcached.class)))
            // with Nova's libvirt driver, the compute nodes get what attaching RBD volumes to domains needs
            .with("cinder", List.of("keystone", "rabbitmq", "ceph", "glance"), w -> Cinder.builder()
                    .sql(w.get(MariaDb.class)).messaging(w.get(RabbitMq.class)).keystone(w.get(Keystone.class))
                    .ceph(w.get(Ceph.class)).nova(w.find(Nova.class).orElse(null)).release(w.release()).build())
            .with(CLIENT, List.of("keystone"), w -> new OpenStackClient(w.get(Keystone.class)))
            .with(DEFAULTS, List.of("neutron", "nova", "glance", CLIENT), w -> new Defaults(w.get(Neutron.class),
                    w.get(Nova.class), w.get(Glance.class), w.get(OpenStackClient.class)))
            // configured for whichever of block and object storage the cloud has
            .with("tempest", List.of(DEFAULTS), w -> Tempest.builder().keystone(w.get(Keystone.class))
                    .defaults(w.get(Defaults.class)).cinder(w.find(Cinder.class).orElse(null))
                    .swift(w.find(Swift.class).orElse(null)).release(w.release()).build());

    private final Map<String, Entry> entries;

    private ServiceRegistry(Map<String, Entry> entries) {
        this.entries = entries;
    }

    /**
     * The services speedling brings: MariaDB, RabbitMQ, Memcached, Keystone, Glance, Placement,
     * Neutron, Nova, Swift, Ceph, Cinder, the client, the default resources and Tempest.
     */
    public static ServiceRegistry builtIn() {
        return BUILT_IN;
    }

    /**
     * This registry and one more service.
     *
     * @param name the name users select it by ({@link Component#requireName} rules)
     * @param needs the services its component is wired to; each must be registered already
     * @param make makes the component from the components of {@code needs}
     * @throws IllegalArgumentException for a name taken or malformed, or a need not registered
     */
    public ServiceRegistry with(String name, List<String> needs, Function<Wiring, Component> make) {
        Component.requireName("service", name, "");
        if (entries.containsKey(name)) {
            throw new IllegalArgumentException("service '" + name + "' is registered already; give yours another name");
        }
        for (String n : needs) {
            if (!entries.containsKey(n)) {
                throw new IllegalArgumentException("service '" + name + "' needs '" + n + "', which is not registered; "
                        + "the registered services are " + String.join(", ", entries.keySet()));
            }
        }
        Map<String, Entry> m = new LinkedHashMap<>(entries);
        m.put(name, new Entry(name, List.copyOf(needs), java.util.Objects.requireNonNull(make)));
        return new ServiceRegistry(Collections.unmodifiableMap(m));
    }

    /** Every service name with what it needs, in registration order. */
    public Map<String, List<String>> needs() {
        Map<String, List<String>> m = new LinkedHashMap<>();
        entries.forEach((n, e) -> m.put(n, e.needs()));
        return Collections.unmodifiableMap(m);
    }

    /** The services that need {@code name}, directly or through others, in registration order. */
    public Set<String> dependents(String name) {
        Set<String> out = new LinkedHashSet<>();
        boolean grew = true;
        while (grew) {
            grew = false;
            for (Entry e : entries.values()) {
                if (!out.contains(e.name()) && (e.needs().contains(name)
                        || e.needs().stream().anyMatch(out::contains))) {
                    grew = out.add(e.name());
                }
            }
        }
        return Collections.unmodifiableSet(out);
    }

    /** Selects every registered service ({@link #select}). */
    public static final String ALL = "all";

    /**
     * The named services plus everything they need and the client, in registration order;
     * {@value #ALL} selects every one.
     *
     * @throws IllegalArgumentException for a name that is not a service, listing the known ones
     */
    public Set<String> select(Collection<String> wanted) {
        if (wanted.isEmpty()) {
            throw new IllegalArgumentException("no services selected: name at least one of " + entries.keySet());
        }
        Set<String> closure = new LinkedHashSet<>();
        List<String> todo = new ArrayList<>();
        for (String w : wanted) {
            String n = w.strip().toLowerCase(Locale.ROOT);
            if (n.equals(ALL)) {
                todo.addAll(entries.keySet());
                continue;
            }
            if (!entries.containsKey(n)) {
                throw new IllegalArgumentException("unknown service '" + w + "': the known services are "
                        + String.join(", ", entries.keySet()) + " (or all)" + nearest(n));
            }
            todo.add(n);
        }
        if (entries.containsKey(CLIENT)) {
            todo.add(CLIENT);
        }
        while (!todo.isEmpty()) {
            String n = todo.remove(todo.size() - 1);
            if (closure.add(n)) {
                todo.addAll(entries.get(n).needs());
            }
        }
        Set<String> ordered = new LinkedHashSet<>();
        entries.keySet().stream().filter(closure::contains).forEach(ordered::add);
        return Collections.unmodifiableSet(ordered);
    }

    /**
     * The components of the selected services (and what they need), made and wired for
     * {@code release}, in registration order.
     */
    public List<Component> components(Collection<String> wanted, String computeDriver, Release release) {
        Set<String> selected = select(wanted);
        String driver = Nova.driverName(computeDriver);
        Map<String, Component> made = new LinkedHashMap<>();
        Wiring w = new Wiring() {
            @Override
            public <T extends Component> T get(Class<T> type) {
                return find(type).orElseThrow(() -> new IllegalArgumentException("no " + type.getSimpleName()
                        + " among the services made so far " + made.keySet() + ": name the service that makes it in "
                        + "the registration's needs"));
            }

            @Override
            public <T extends Component> Optional<T> find(Class<T> type) {
                return made.values().stream().filter(type::isInstance).map(type::cast).findFirst();
            }

            @Override
            public String computeDriver() {
                return driver;
            }

            @Override
            public Release release() {
                return release;
            }
        };
        for (String n : selected) {
            made.put(n, entries.get(n).make().apply(w));
        }
        return List.copyOf(made.values());
    }

    /**
     * The selected services' components (and what they need), wired, placed on {@code inventory}'s
     * nodes as cloud {@code name} of OpenStack {@code release}; Nova with {@code computeDriver}
     * ({@code fake} or {@code libvirt}). An inventory with a virtual IP (several controllers) gets the
     * {@value #LOAD_BALANCER} service too.
     */
    public Cloud cloud(String name, Inventory inventory, Collection<String> wanted, String computeDriver,
                       Release release) {
        if (inventory.virtualIp().isPresent() && entries.containsKey(LOAD_BALANCER)) {
            List<String> w = new ArrayList<>(wanted);
            w.add(LOAD_BALANCER);
            wanted = w;
        }
        return Cloud.builder(name).component(components(wanted, computeDriver, release).toArray(Component[]::new))
                .inventory(inventory).release(release).build();
    }

    /** "; did you mean 'x'?" for a name within two edits of a known one, else "". */
    private String nearest(String n) {
        String best = null;
        int bestD = 3;
        for (String k : entries.keySet()) {
            int d = distance(n, k);
            if (d < bestD) {
                bestD = d;
                best = k;
            }
        }
        return best == null ? "" : "; did you mean '" + best + "'?";
    }

    private static int distance(String a, String b) {
        int[] prev = new int[b.length() + 1];
        int[] cur = new int[b.length() + 1];
        for (int j = 0; j <= b.length(); j++) {
            prev[j] = j;
        }
        for (int i = 1; i <= a.length(); i++) {
            cur[0] = i;
            for (int j = 1; j <= b.length(); j++) {
                int sub = prev[j - 1] + (a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1);
                cur[j] = Math.min(sub, Math.min(prev[j] + 1, cur[j - 1] + 1));
            }
            int[] t = prev;
            prev = cur;
            cur = t;
        }
        return prev[b.length()];
    }
}
