package io.speedling.openstack;

import io.speedling.core.tasks.Task;

import io.speedling.openstack.remote.KeystoneRegistrar;
import io.speedling.openstack.remote.Once;
import io.speedling.openstack.remote.WaitHttp;
import java.util.List;
import java.util.Map;

/**
 * A part of the cloud (a database, a message queue, an OpenStack service) wired to the components
 * it uses through its builder. It declares its packages per distro family, its services, the
 * databases and Keystone objects it needs, and adds its steps to the deploy's task graph.
 */
public abstract class Component {
    private final String name;
    private final Release release;

    /** A component that fits any release. */
    protected Component(String name) {
        this(name, null);
    }

    /** A component made for {@code release} (null: any), which it reports ({@link #release()}). */
    protected Component(String name, Release release) {
        this.name = requireName("component", name, "");
        this.release = release;
    }

    /**
     * {@code name} when it is 1-31 lower-case letters, digits or '-' starting with a letter (names
     * of clouds, components and the like end up in paths, unit names and Keystone).
     *
     * @param kind what is named, for the message ("cloud", "component", "tenant")
     * @param why appended to the message, e.g. " (it names the state directory)"
     */
    public static String requireName(String kind, String name, String why) {
        if (name == null || !name.matches("[a-z][a-z0-9-]{0,30}")) {
            throw new IllegalArgumentException(kind + " name '" + name + "' must be 1-31 lower-case letters, digits "
                    + "or '-'" + why);
        }
        return name;
    }

    public final String name() {
        return name;
    }

    /** The components this one was wired to. */
    public abstract List<Component> requires();

    /** Package names per distro family. */
    public abstract Map<DistroFamily, List<String>> packages();

    /**
     * The Debian packages of this component that {@code node} of {@code inventory} needs: what a
     * deploy onto the user's own hosts installs there. By default all of {@link #packages()} on
     * every node; components that place their services by role narrow it to each node's own (a
     * node image holds every package anyway).
     */
    public List<String> packagesOn(Inventory inventory, String node) {
        return packages().get(DistroFamily.DEBIAN);
    }

    /** All of this component's Debian packages on a controller, none elsewhere (for what runs only there). */
    protected final List<String> onControllersOnly(Inventory inventory, String node) {
        return inventory.rolesOf(node).contains(Inventory.CONTROLLER) ? packages().get(DistroFamily.DEBIAN)
                : List.of();
    }

    /** systemd units this component runs (Debian names). */
    public abstract List<String> services();

    /**
     * The release this component was made for (its builder's {@code release(...)}): what it installs
     * or writes may follow it (Neutron: linuxbridge on Zed, OVN later); empty when it was made for
     * any. A cloud refuses a component made for another release than its own.
     */
    public final java.util.Optional<Release> release() {
        return java.util.Optional.ofNullable(release);
    }

    /** Whether this component was made for {@code r} (never when it was made for any release). */
    protected final boolean madeFor(Release r) {
        return release == r;
    }

    /** The release it was made for, or the default one when it was made for any. */
    protected final Release releaseOrDefault() {
        return release == null ? Release.DEFAULT : release;
    }

    /**
     * systemd units its packages bring along that must never start on a node (they fail in a
     * container, or serve nothing the cloud uses): masked in the image.
     */
    public List<String> masked() {
        return List.of();
    }

    /**
     * Unit files (path, text) it writes that are the same on every deployment: the image carries
     * them, so a deploy onto it writes nothing and needs no systemd reload for them (~0.8 s of CPU
     * each on a busy node). The deploy still writes them where they differ (hosts without the image).
     */
    public Map<String, String> unitFiles() {
        return Map.of();
    }

    /**
     * debconf answers its Debian packages need to install unattended ({@code "package question type
     * value"}), e.g. that no package configures a database or registers endpoints by itself.
     */
    public List<String> debconf() {
        return List.of();
    }

    /**
     * Shell lines that make its database schemas at image build time, against a throwaway MariaDB
     * ({@link SchemaSnapshot}: the functions {@code m}, {@code url} and {@code dump} are defined
     * there), or "" when it has none. A deploy onto a fresh node then loads them instead of running
     * the db sync.
     */
    public String schemaScript() {
        return "";
    }

    /**
     * Settings this component adds to files that other components write (path, then section, key
     * and value): e.g. block storage adding Nova's {@code [cinder]} section, or a storage backend
     * pointing Glance at itself. Merged over the file owner's own settings on every node that file
     * is written, under the inventory's overrides. Called while the deploy runs, so it may use
     * {@code d}'s addresses and secrets.
     */
    public Map<String, Map<String, Map<String, String>>> extensions(Deploy d) {
        return Map.of();
    }

    /**
     * The ports it serves on each controller that clients reach through the cloud's address ({@link
     * Endpoints#host()}): with several controllers, HAProxy listens there on the virtual IP and
     * passes each connection to a controller whose port passes the check. Its {@link #api()}'s, else none.
     */
    public List<Frontend> frontends() {
        Api a = api();
        return a == null ? List.of() : List.of(Frontend.http(a.name(), a.port(), a.check()));
    }

    /**
     * A port served on every controller.
     *
     * @param name names it in HAProxy's config (letters, digits, '-')
     * @param port the port, on the controllers' own addresses and on the virtual IP
     * @param check the HTTP path whose answer below 400 says a controller serves (a port that takes
     *     connections is not enough: a service that is still starting takes them), or null for a
     *     TCP check
     * @param oneAtATime true when clients must all reach the same controller while it lives (the
     *     others are backups): a database written on one node, files kept on one node
     */
    public record Frontend(String name, int port, String check, boolean oneAtATime) {
        public Frontend {
            requireName("frontend", name, "");
            if (port < 1 || port > 65535) {
                throw new IllegalArgumentException("frontend " + name + ": port " + port + " is not a TCP port");
            }
        }

        /** An HTTP API served by every controller at once, checked at {@code path}. */
        public static Frontend http(String name, int port, String path) {
            return new Frontend(name, port, path, false);
        }
    }

    /**
     * What an OpenStack API service declares once, from which its usual declarations follow (each
     * may still be overridden): database {@code name} owned by user {@code name} ({@link
     * #databases}), HTTP on {@code port} of every controller checked at {@code check} ({@link
     * #frontends}), one catalog entry of {@code type} at the port's URL plus {@code path} ({@link
     * #catalog}) and service user {@code name} ({@link #users}).
     */
    public record Api(String name, String type, int port, String path, String check) {
        /** An API whose catalog URL is the port's root, checked at {@code /}. */
        public Api(String name, String type, int port) {
            this(name, type, port, "", "/");
        }
    }

    /** This component's API service, or null when it is none (the default). */
    protected Api api() {
        return null;
    }

    /** Databases (name, user) it needs on the SQL server: its {@link #api()}'s, else none. */
    public List<Database> databases() {
        Api a = api();
        return a == null ? List.of() : List.of(new Database(a.name(), a.name()));
    }

    /** Catalog entries to register in Keystone: its {@link #api()}'s, else none. */
    public List<KeystoneRegistrar.ServiceDef> catalog(Deploy d) {
        Api a = api();
        return a == null ? List.of() : endpoint(a.name(), a.type(), d.endpoints().url(a.port(), a.path()));
    }

    /** Users to register in Keystone: its {@link #api()}'s service user, else none. */
    public List<KeystoneRegistrar.UserDef> users(Deploy d) {
        Api a = api();
        return a == null ? List.of() : serviceUser(d, a.name());
    }

    /**
     * This component's task {@code step}, planned by its own {@link #plan}: what a component's
     * typed accessor (e.g. {@code keystone.registered(d)}) returns to the components that wait for it,
     * so no task name is spelled outside the file that plans it.
     */
    protected final <T> Task<T> planned(Deploy d, String step) {
        return d.task(name + "." + step);
    }

    /** Adds this component's tasks; the tasks of the components it requires are already there. */
    protected abstract void plan(Deploy d);

    /**
     * An API service's schema sync, task {@code <name>.db_sync}: {@code command} run once on the
     * first controller as {@code user} after {@code config} and the SQL server's {@code schemas}, and
     * again only when package {@code pkg} changes version (newer code, newer schema).
     */
    protected final Task<Boolean> dbSync(Deploy d, String pkg, String user, Task<?> config, Task<?> schemas,
                                         String... command) {
        return d.task(name + ".db_sync", ctx -> d.onController(new Once(user + "-db-sync", packageVersion(d, pkg),
                List.of(command), Map.of(), user)), config, schemas);
    }

    /** The version of package {@code pkg} on the first controller. */
    protected static String packageVersion(Deploy d, String pkg) {
        return d.controller().call(new io.speedling.core.functions.Sh("dpkg-query -W -f='${Version}' " + pkg, true))
                .stdout().trim();
    }

    /**
     * Task {@code <name>.<step>}: done when {@code url} answers HTTP (any status), after {@code
     * after}; fails after 120 s naming {@code unit}, whose journal says why.
     */
    protected final Task<Integer> answering(Deploy d, String step, String url, String unit, Task<?>... after) {
        return d.task(name + "." + step, ctx -> d.onController(new WaitHttp(url, 120, unit)), after);
    }

    /** A database and the user that owns it; the password is the secret {@code db-<user>}. */
    public record Database(String name, String user) {
    }

    @Override
    public String toString() {
        return getClass().getSimpleName() + "(" + name + ")";
    }

    /** A catalog entry with the same URL for the public, internal and admin interfaces. */
    protected static List<KeystoneRegistrar.ServiceDef> endpoint(String name, String type, String url) {
        return List.of(new KeystoneRegistrar.ServiceDef(name, type, Map.of("public", url, "internal", url, "admin", url)));
    }

    /**
     * A service user in the service project with the admin and service roles (and {@code moreRoles},
     * made when missing); its password is secret keystone-NAME.
     */
    protected static List<KeystoneRegistrar.UserDef> serviceUser(Deploy d, String name, String... moreRoles) {
        List<String> roles = new java.util.ArrayList<>(List.of("admin", "service"));
        roles.addAll(List.of(moreRoles));
        return List.of(new KeystoneRegistrar.UserDef(name, d.secret("keystone-" + name), "service", List.copyOf(roles)));
    }

    /** Helper: a component that requires {@code dep} but got none. */
    protected static <T> T required(T dep, String component, String what, String how) {
        if (dep == null) {
            throw new IllegalArgumentException(component + " requires " + what + ", but none was wired: " + how);
        }
        return dep;
    }
}
