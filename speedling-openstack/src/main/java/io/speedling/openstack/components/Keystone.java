package io.speedling.openstack.components;

import io.speedling.core.tasks.Task;
import io.speedling.openstack.Component;
import io.speedling.openstack.Deploy;
import io.speedling.openstack.DistroFamily;
import io.speedling.openstack.Inventory;
import io.speedling.openstack.remote.FernetKeys;
import io.speedling.openstack.remote.FernetRotation;
import io.speedling.openstack.remote.KeystoneRegistrar;
import io.speedling.openstack.remote.Once;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Identity, served by the package's uwsgi unit on :5000, with fernet tokens and a memcached cache.
 * After it answers, one bulk call registers every component's catalog entries and users.
 */
public final class Keystone extends Component {
    /** The fernet token key repository on the controllers. */
    public static final String FERNET_KEYS = "/etc/keystone/fernet-keys";
    private final MariaDb sql;
    private final Memcached memcached;

    private Keystone(Builder b) {
        super(b.name);
        this.sql = required(b.sql, b.name, "an SQL server", "Keystone.builder().sql(mariadb)");
        this.memcached = required(b.memcached, b.name, "memcached", "Keystone.builder().memcached(memcached)");
    }

    public static Builder builder() {
        return new Builder();
    }

    public static final class Builder {
        private String name = "keystone";
        private MariaDb sql;
        private Memcached memcached;

        public Builder name(String n) {
            this.name = n;
            return this;
        }

        public Builder sql(MariaDb db) {
            this.sql = db;
            return this;
        }

        public Builder memcached(Memcached m) {
            this.memcached = m;
            return this;
        }

        public Keystone build() {
            return new Keystone(this);
        }
    }

    @Override
    public List<Component> requires() {
        return List.of(sql, memcached);
    }

    /** Only the controllers run it. */
    @Override
    public List<String> packagesOn(io.speedling.openstack.Inventory inventory, String node) {
        return onControllersOnly(inventory, node);
    }

    @Override
    public Map<DistroFamily, List<String>> packages() {
        return Pkgs.of(List.of("keystone"), List.of("openstack-keystone", "httpd", "python3-mod_wsgi"),
                List.of("openstack-keystone"));
    }

    @Override
    public List<String> services() {
        return List.of("keystone");
    }

    @Override
    public List<String> debconf() {
        List<String> answers = new ArrayList<>(Pkgs.noSelfSetup("keystone", "keystone", "keystone"));
        answers.add("keystone keystone/create-admin-tenant boolean false");
        return answers;
    }

    @Override
    public String schemaScript() {
        return """
                m -e 'CREATE DATABASE keystone'
                printf '[database]\\nconnection = %s\\n[identity]\\npassword_hash_rounds = 4\\n' "$(url keystone)" > $d/keystone.conf
                keystone-manage --config-file $d/keystone.conf db_sync
                # the admin user, project and roles and the identity service with its endpoints, made once here
                # with a throwaway password and address: a deploy sets both (Keystone's bootstrap step); the
                # bootstrap wants token and credential keys, throwaway ones here too
                printf '[fernet_tokens]\\nkey_repository = %s\\n[credential]\\nkey_repository = %s\\n' $d/fk $d/ck \\
                  >> $d/keystone.conf
                mkdir -p $d/fk $d/ck
                keystone-manage --config-file $d/keystone.conf fernet_setup --keystone-user root --keystone-group root
                keystone-manage --config-file $d/keystone.conf credential_setup --keystone-user root --keystone-group root
                OS_BOOTSTRAP_PASSWORD=$(head -c 18 /dev/urandom | base64) OS_BOOTSTRAP_REGION_ID=RegionOne \\
                  OS_BOOTSTRAP_ADMIN_URL=http://speedling.invalid:5000/v3/ \\
                  OS_BOOTSTRAP_INTERNAL_URL=http://speedling.invalid:5000/v3/ \\
                  OS_BOOTSTRAP_PUBLIC_URL=http://speedling.invalid:5000/v3/ \\
                  keystone-manage --config-file $d/keystone.conf bootstrap
                # no key may stay in the image (a build left root's keys in the default repository once, which
                # Keystone could then not read): each deployment writes its own (Keystone's fernet step)
                rm -rf /etc/keystone/fernet-keys /etc/keystone/credential-keys
                dump keystone-db-sync keystone keystone-db-sync keystone
                """;
    }

    /**
     * Keystone's bootstrap on a database the image's schema snapshot made with its admin already
     * there (see {@link #schemaScript}): the admin's password (bcrypt, the cost Keystone is set to)
     * and the identity endpoints' address and region, in SQL, about 0.1 s of CPU instead of the
     * 3 s of {@code keystone-manage bootstrap}, which stays what runs where no admin exists yet (a
     * host without the image) or no bcrypt module is at hand. On a database with no other service
     * yet it also writes the first registration (every component's catalog entries and users) in
     * SQL, copying the rows the bootstrap made, before Keystone starts: about seventy requests on
     * Keystone's one worker (12 s while every other service starts) become one mysql run, and the
     * registrar, finding its stamp, has nothing left to do. Later changes go through Keystone's
     * API. Inputs in the environment as for keystone-manage; runs as root (MariaDB's socket login).
     * The script is {@code keystone-bootstrap.py} beside this class.
     */
    static final String BOOTSTRAP = resource("keystone-bootstrap.py");

    private static String resource(String name) {
        try (var in = Keystone.class.getResourceAsStream(name)) {
            if (in == null) {
                throw new IllegalStateException(name + " is missing from speedling-openstack's jar");
            }
            return new String(in.readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    @Override
    public List<Database> databases() {
        return List.of(new Database("keystone", "keystone"));
    }

    @Override
    public List<Frontend> frontends() {
        return List.of(Frontend.http("keystone", 5000, "/v3"));
    }

    public String url(Deploy d) {
        return d.endpoints().url(5000, "/v3");
    }

    @Override
    public List<KeystoneRegistrar.UserDef> users(Deploy d) {
        return List.of(new KeystoneRegistrar.UserDef("demo", d.secret("keystone-demo"), "demo", List.of("member")));
    }

    /**
     * Done when Keystone answers, before the registration: what a service waits for that only checks
     * tokens once requests come (it starts while the registration keeps Keystone busy on one core).
     */
    public Task<?> answering(Deploy d) {
        return planned(d, "ready");
    }

    /** Done when Keystone answers and every component's catalog entries and users are registered. */
    public Task<?> registered(Deploy d) {
        return planned(d, "register");
    }

    @Override
    protected void plan(Deploy d) {
        var ctl = d.withRole(Inventory.CONTROLLER);
        Task<Boolean> config = d.task(name() + ".config", ctx -> {
            Map<String, Map<String, String>> s = new LinkedHashMap<>();
            s.put("database", Map.of("connection", d.dbUrl("keystone", "keystone")));
            s.put("token", Map.of("provider", "fernet"));
            // bcrypt's cheapest cost instead of 2^12 rounds: every service start, token issue and the
            // registration's password check hashes a password, 0.25 s of CPU each at the default, 12 s
            // of Keystone's CPU in a complete deploy on 2 cores; a dev cloud's passwords are in its own
            // secrets file anyway
            s.put("identity", Map.of("password_hash_rounds", "4"));
            s.put("cache", Map.of("enabled", "true", "backend", "oslo_cache.memcache_pool",
                    "memcache_servers", d.endpoints().memcachedServers()));
            boolean a = d.ini(ctl, "/etc/keystone/keystone.conf", s, "keystone");
            boolean b = d.ini(ctl, "/etc/keystone/keystone-uwsgi.ini",
                    Deploy.UWSGI, "keystone");
            b |= d.listen(ctl, "keystone", 5000, "/etc/keystone/keystone-uwsgi.ini");
            // keystone-manage runs as root for the key setup and as keystone for the rest: whichever
            // runs first must not leave a log file the other cannot write
            ctl.call(new io.speedling.core.functions.Sh("install -d -o keystone -g keystone /var/log/keystone && "
                    + "touch /var/log/keystone/keystone-manage.log /var/log/keystone/keystone.log && "
                    + "chown keystone:keystone /var/log/keystone/*.log", true));
            return a || b;
        });
        Task<Boolean> sync = dbSync(d, "keystone", "keystone", config, sql.schemas(d), "keystone-manage", "db_sync");
        // what keystone-manage fernet_setup and credential_setup do, without two Python start-ups, and
        // the same keys on every controller
        Task<Boolean> keys = d.task(name() + ".fernet", ctx -> {
            // a controller whose token keys differ from the others' (a fresh node, or one that was down
            // while they were rotated) gets the most rotated repository of its peers
            boolean copied = converge(d.fleet(), ctl.names());
            return ctl.call(new FernetKeys(List.of(FERNET_KEYS, "/etc/keystone/credential-keys"), "keystone",
                    d.secret("keystone-keys"))).containsValue(Boolean.TRUE) || copied;
        }, config);
        String url = d.endpoints().url(5000, "/v3/");
        Task<Boolean> bootstrap = d.task(name() + ".bootstrap", ctx -> {
            KeystoneRegistrar registrar = registrar(d);
            String pw = registrar.adminPassword();
            String region = registrar.region();
            String stamp = registrar.stamp();
            String catalog = new com.fasterxml.jackson.databind.ObjectMapper().writeValueAsString(Map.of(
                    "services", registrar.services(), "users", registrar.users()));
            // the registration's stamp covers the admin's password, Keystone's address and the region too
            return d.onController(new Once("keystone-bootstrap", stamp, List.of("python3", "-c", BOOTSTRAP),
                    Map.of("OS_BOOTSTRAP_PASSWORD", pw,
                    "OS_BOOTSTRAP_ADMIN_URL", url, "OS_BOOTSTRAP_INTERNAL_URL", url, "OS_BOOTSTRAP_PUBLIC_URL", url,
                    "OS_BOOTSTRAP_REGION_ID", region, "SPEEDLING_CATALOG", catalog, "SPEEDLING_REGISTER_STAMP", stamp,
                    "SPEEDLING_REGISTER_MARKER", KeystoneRegistrar.MARKER), null));
        }, sync, keys);
        Task<Void> start = d.task(name() + ".start", ctx -> {
            d.services(ctl, ctx.want(config), "keystone");
            return null;
        }, bootstrap, memcached.started(d));
        Task<Integer> ready = answering(d, "ready", url, "keystone", start);
        // nothing to do when the bootstrap wrote this registration (its stamp is on the node)
        d.task(name() + ".register", ctx -> d.onController(registrar(d)), ready);
    }

    /** Every component's catalog entries and users, as one registration. */
    private static KeystoneRegistrar registrar(Deploy d) {
        List<KeystoneRegistrar.ServiceDef> services = new ArrayList<>();
        List<KeystoneRegistrar.UserDef> users = new ArrayList<>();
        for (Component c : d.cloud().components()) {
            services.addAll(c.catalog(d));
            users.addAll(c.users(d));
        }
        return new KeystoneRegistrar(d.endpoints().url(5000), d.secret("keystone-admin"), d.cloud().region(),
                services, users);
    }

    /**
     * Rotates the fernet token keys of {@code controllers} together ({@link
     * io.speedling.openstack.OpenStackCloud#rotateFernetKeys}): the first controller's repository,
     * rotated once, is written to all of them. The index of the new primary key.
     */
    public static int rotateFernetKeys(io.speedling.core.Fleet fleet, List<String> controllers) {
        converge(fleet, controllers);
        Map<String, String> now = fleet.node(controllers.get(0)).call(new FernetRotation.Read(FERNET_KEYS));
        Map<String, String> next = FernetRotation.rotate(now, FernetRotation.newKey(), 3);
        fleet.group(controllers.toArray(String[]::new)).call(new FernetRotation.Write(FERNET_KEYS, "keystone", next));
        return FernetRotation.primary(next);
    }

    /**
     * Gives the controllers whose token key repository differs from the most rotated one (the
     * highest primary index) that one; nothing when none has keys yet or all agree. True when it
     * wrote somewhere.
     */
    static boolean converge(io.speedling.core.Fleet fleet, List<String> controllers) {
        if (controllers.size() < 2) {
            return false;
        }
        Map<String, Map<String, String>> repos = fleet.group(controllers.toArray(String[]::new))
                .call(new FernetRotation.Read(FERNET_KEYS));
        var newest = repos.values().stream().filter(r -> r.size() >= 2)
                .max(java.util.Comparator.comparingInt(FernetRotation::primary));
        if (newest.isEmpty()) {
            return false;
        }
        String[] behind = repos.entrySet().stream().filter(e -> !e.getValue().equals(newest.get()))
                .map(Map.Entry::getKey).toArray(String[]::new);
        if (behind.length == 0) {
            return false;
        }
        fleet.group(behind).call(new FernetRotation.Write(FERNET_KEYS, "keystone", newest.get()));
        return true;
    }
}
