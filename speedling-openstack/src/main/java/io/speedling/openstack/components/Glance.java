package io.speedling.openstack.components;

import io.speedling.core.tasks.Task;
import io.speedling.openstack.Component;
import io.speedling.openstack.Deploy;
import io.speedling.openstack.DistroFamily;
import io.speedling.openstack.Inventory;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** The image service with the file store; storage backends may extend its config. */
public final class Glance extends Component {
    private final MariaDb sql;
    private final Keystone keystone;
    private final Map<String, Map<String, String>> extraConfig;
    private final Ceph ceph;

    private Glance(Builder b) {
        super(b.name, b.release);
        this.sql = required(b.sql, b.name, "an SQL server", "Glance.builder().sql(mariadb)");
        this.keystone = required(b.keystone, b.name, "keystone", "Glance.builder().keystone(keystone)");
        this.extraConfig = Map.copyOf(b.extra);
        this.ceph = b.ceph;
    }

    public static Builder builder() {
        return new Builder();
    }

    public static final class Builder extends ServiceBuilder<Builder> {
        private final Map<String, Map<String, String>> extra = new LinkedHashMap<>();
        private Ceph ceph;
        private Builder() {
            super("glance");
        }

        /** Extra glance-api.conf settings (a storage backend's section, say). */
        public Builder config(String section, Map<String, String> settings) {
            extra.computeIfAbsent(section, s -> new LinkedHashMap<>()).putAll(settings);
            return this;
        }

        /**
         * Keeps images in Ceph's {@code images} pool (as user {@code glance}) instead of files on the
         * controller: servers and volumes booted from them are then copy-on-write clones.
         */
        public Builder images(Ceph c) {
            this.ceph = c;
            return this;
        }

        public Glance build() {
            return new Glance(this);
        }
    }

    @Override
    public List<Component> requires() {
        return ceph == null ? List.of(sql, keystone) : List.of(sql, keystone, ceph);
    }

    /** Only the controllers run it. */
    @Override
    public List<String> packagesOn(io.speedling.openstack.Inventory inventory, String node) {
        return onControllersOnly(inventory, node);
    }

    /**
     * Debian testing (2026.1) caught in a transition on this machine's mirror (2026-12-03): Glance 33
     * needs python3-oslo.policy 6, testing still has 5.0.0; unstable's 6.0.1 is taken (and Neutron
     * then takes unstable's neutron-lib, which oslo.policy 6 requires: see Neutron).
     */
    private List<String> fromUnstable() {
        return madeFor(io.speedling.openstack.Release.GAZPACHO) ? List.of("python3-oslo.policy/sid") : List.of();
    }

    @Override
    public Map<DistroFamily, List<String>> packages() {
        List<String> deb = new java.util.ArrayList<>(List.of("glance"));
        if (ceph != null) {
            deb.addAll(List.of("python3-rbd", "python3-rados"));
        }
        deb.addAll(fromUnstable());
        if (ceph != null) {
            return Pkgs.of(deb, List.of("openstack-glance", "python3-rbd"),
                    List.of("openstack-glance", "python3-rbd"));
        }
        return Pkgs.of(deb, List.of("openstack-glance"), List.of("openstack-glance"));
    }

    @Override
    public List<String> services() {
        return List.of("glance-api");
    }

    @Override
    public List<String> debconf() {
        return Pkgs.noSelfSetup("glance-common", "glance-api", "glance");
    }

    @Override
    public String schemaScript() {
        return """
                m -e 'CREATE DATABASE glance'
                printf '[database]\\nconnection = %s\\n' "$(url glance)" > $d/glance.conf
                glance-manage --config-file $d/glance.conf db_sync
                dump glance-db-sync glance-common glance-db-sync glance
                """;
    }

    /** Its database, catalog entry and service user. */
    @Override
    protected Api api() {
        return new Api("glance", "image", 9292);
    }

    /** Images kept in files live on one controller: all clients go to it while it lives. */
    @Override
    public List<Frontend> frontends() {
        return List.of(new Frontend("glance", 9292, "/", ceph == null));
    }

    /** Done when the image API answers (and, with images in Ceph, the pools take writes). */
    public Task<?> ready(Deploy d) {
        return planned(d, "ready");
    }

    @Override
    protected void plan(Deploy d) {
        var ctl = d.withRole(Inventory.CONTROLLER);
        Task<Boolean> config = d.task(name() + ".config", ctx -> {
            Map<String, Map<String, String>> s = new LinkedHashMap<>();
            // one API process (the default forks one per CPU): start-up CPU matters more than throughput here
            s.put("DEFAULT", Map.of("enabled_backends", "fs:file", "workers", "1"));
            s.put("database", Map.of("connection", d.dbUrl("glance", "glance")));
            s.put("keystone_authtoken", d.authtoken("glance"));
            s.put("paste_deploy", Map.of("flavor", "keystone"));
            Map<String, String> store = new LinkedHashMap<>();
            store.put("default_backend", "fs");
            store.put("filesystem_store_datadir", null);
            s.put("glance_store", store);
            s.put("fs", Map.of("filesystem_store_datadir", "/var/lib/glance/images/"));
            if (ceph != null) {
                s.put("DEFAULT", Map.of("enabled_backends", "fs:file, rbd:rbd", "workers", "1",
                        "show_image_direct_url", "True"));
                store.put("default_backend", "rbd");
                s.put("rbd", Map.of("rbd_store_pool", Ceph.IMAGES, "rbd_store_user", "glance", "rbd_store_ceph_conf",
                        "/etc/ceph/ceph.conf", "rbd_store_chunk_size", "8"));
            }
            extraConfig.forEach((k, v) -> s.merge(k, v, (a, b) -> {
                Map<String, String> m = new LinkedHashMap<>(a);
                m.putAll(b);
                return m;
            }));
            // on the node's own address: the virtual IP's port is HAProxy's
            boolean a = d.callEachIni(ctl, "/etc/glance/glance-api.conf", n -> Inventory.overlay(s,
                    Map.of("DEFAULT", Map.of("bind_host", d.ipOf(n)))), "glance");
            if (ceph != null) {
                a |= Ceph.writeClientKeyring(d, ctl, "glance");
            }
            boolean b = d.ini(ctl, "/etc/glance/glance-api-uwsgi.ini",
                    Deploy.UWSGI, "glance");
            return a || b;
        });
        Task<Boolean> sync = dbSync(d, "glance-common", "glance", config, sql.schemas(d), "glance-manage", "db_sync");
        // started while Keystone registers the catalog (see Keystone#answering); ready once it is in it
        Task<Void> start = d.task(name() + ".start", ctx -> {
            d.services(ctl, ctx.want(config), "glance-api");
            return null;
        }, sync, keystone.answering(d));
        answering(d, "ready", d.endpoints().url(9292, "/"), "glance-api", ceph == null
                ? new Task<?>[] {start, keystone.registered(d)} : new Task<?>[] {start, keystone.registered(d),
                    ceph.ready(d)});
    }
}
