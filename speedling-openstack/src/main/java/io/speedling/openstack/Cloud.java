package io.speedling.openstack;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * What to deploy: named components wired to each other, and the inventory that places them.
 * {@link Builder#build()} checks the wiring before anything touches a node: every component a
 * component requires must be part of the cloud, and no two components may share a name.
 */
public final class Cloud {
    private final String name;
    private final List<Component> components;
    private final Inventory inventory;
    private final String region;
    private final DistroFamily family;
    private final Release release;

    private Cloud(String name, List<Component> components, Inventory inventory, String region, DistroFamily family,
                  Release release) {
        this.name = name;
        this.components = List.copyOf(components);
        this.inventory = inventory;
        this.region = region;
        this.family = family;
        this.release = release;
    }

    public static Builder builder(String name) {
        return new Builder(name);
    }

    public String name() {
        return name;
    }

    /** Components in dependency order (what a component requires comes before it). */
    public List<Component> components() {
        return components;
    }

    public Inventory inventory() {
        return inventory;
    }

    public String region() {
        return region;
    }

    public DistroFamily family() {
        return family;
    }

    /** The OpenStack release (and so the Debian suite) the nodes run; the components were made for it. */
    public Release release() {
        return release;
    }

    @SuppressWarnings("unchecked")
    public <T extends Component> T component(Class<T> type) {
        return (T) components.stream().filter(type::isInstance).findFirst().orElseThrow(
                () -> new IllegalArgumentException("cloud " + name + " has no " + type.getSimpleName()));
    }

    /** Every package of every component for the family, in order, without repeats. */
    public List<String> packages() {
        Set<String> all = new LinkedHashSet<>();
        for (Component c : components) {
            List<String> p = c.packages().get(family);
            if (p == null) {
                throw new IllegalStateException(c.name() + " names no packages for " + family);
            }
            all.addAll(p);
        }
        return new ArrayList<>(all);
    }

    /** The Debian packages {@code node} needs ({@link Component#packagesOn}), in component order. */
    public List<String> packagesOn(String node) {
        Set<String> all = new LinkedHashSet<>();
        for (Component c : components) {
            all.addAll(c.packagesOn(inventory, node));
        }
        return new ArrayList<>(all);
    }

    public List<String> services() {
        return units(Component::services);
    }

    /** Units the components' packages bring that must not start ({@link Component#masked}). */
    public List<String> masked() {
        return units(Component::masked);
    }

    /** The components' unit files that are the same on every deployment ({@link Component#unitFiles}). */
    public java.util.SortedMap<String, String> unitFiles() {
        java.util.SortedMap<String, String> all = new java.util.TreeMap<>();
        components.forEach(c -> all.putAll(c.unitFiles()));
        return all;
    }

    /** What {@code of} says of each component, once each, in wiring order. */
    private List<String> units(java.util.function.Function<Component, List<String>> of) {
        Set<String> all = new LinkedHashSet<>();
        components.forEach(c -> all.addAll(of.apply(c)));
        return new ArrayList<>(all);
    }

    /** A builder holding this cloud's components, inventory, region, family and release, to add to or change. */
    public Builder toBuilder() {
        return builder(name).component(components.toArray(Component[]::new)).inventory(inventory).region(region)
                .family(family).release(release);
    }

    public static final class Builder {
        private final String name;
        private final List<Component> components = new ArrayList<>();
        private Inventory inventory;
        private String region = "RegionOne";
        private DistroFamily family = DistroFamily.DEBIAN;
        private Release release = Release.DEFAULT;

        private Builder(String name) {
            this.name = Component.requireName("cloud", name, " (it names the state directory)");
        }

        public Builder component(Component... cs) {
            components.addAll(List.of(cs));
            return this;
        }

        public Builder inventory(Inventory inv) {
            this.inventory = inv;
            return this;
        }

        public Builder region(String r) {
            this.region = r;
            return this;
        }

        public Builder family(DistroFamily f) {
            this.family = f;
            return this;
        }

        /**
         * The release the nodes run ({@link Release#DEFAULT} unless given). Components that differ
         * between releases are made for one ({@link ServiceRegistry} makes them for the spec's); a
         * component made for another release than the cloud's is refused by {@link #build()}.
         */
        public Builder release(Release r) {
            this.release = java.util.Objects.requireNonNull(r, "release");
            return this;
        }

        public Cloud build() {
            if (components.isEmpty()) {
                throw new IllegalArgumentException("cloud " + name + " has no components");
            }
            if (inventory == null) {
                throw new IllegalArgumentException("cloud " + name + " has no inventory: say where it runs, e.g. "
                        + "Inventory.allInOne(\"controller-01\")");
            }
            Map<String, Component> byName = new LinkedHashMap<>();
            for (Component c : components) {
                Component other = byName.putIfAbsent(c.name(), c);
                if (other != null && other != c) {
                    throw new IllegalArgumentException("two components of cloud " + name + " are named '" + c.name()
                            + "': " + other + " and " + c + "; give one of them another name");
                }
            }
            for (Component c : byName.values()) {
                for (Component dep : c.requires()) {
                    if (byName.get(dep.name()) != dep) {
                        throw new IllegalArgumentException(c.name() + " requires " + dep + ", which is not part of cloud "
                                + name + ": add it with .component(...)");
                    }
                }
            }
            // dependency order, keeping the caller's order where it is free
            List<Component> ordered = new ArrayList<>();
            Set<Component> visiting = new LinkedHashSet<>();
            for (Component c : byName.values()) {
                visit(c, ordered, visiting);
            }
            for (Component c : ordered) {
                c.release().filter(r -> r != release).ifPresent(r -> {
                    throw new IllegalArgumentException(c.name() + " was made for OpenStack " + r.describe()
                            + ", cloud " + name + " runs " + release.describe() + ": make it for " + release.id()
                            + " (its builder's release(...)) or give the cloud release " + r.id());
                });
            }
            return new Cloud(name, ordered, inventory, region, family, release);
        }

        private static void visit(Component c, List<Component> out, Set<Component> visiting) {
            if (out.contains(c)) {
                return;
            }
            if (!visiting.add(c)) {
                throw new IllegalArgumentException("components require each other in a circle: " + visiting);
            }
            for (Component d : c.requires()) {
                visit(d, out, visiting);
            }
            visiting.remove(c);
            out.add(c);
        }
    }
}
