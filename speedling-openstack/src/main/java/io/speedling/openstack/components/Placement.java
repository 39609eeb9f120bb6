package io.speedling.openstack.components;

import io.speedling.core.tasks.Task;
import io.speedling.openstack.Component;
import io.speedling.openstack.Deploy;
import io.speedling.openstack.DistroFamily;
import io.speedling.openstack.Inventory;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** The placement API (uwsgi on :8778). */
public final class Placement extends Component {
    private final MariaDb sql;
    private final Keystone keystone;

    private Placement(Builder b) {
        super(b.name, b.release);
        this.sql = required(b.sql, b.name, "an SQL server", "Placement.builder().sql(mariadb)");
        this.keystone = required(b.keystone, b.name, "keystone", "Placement.builder().keystone(keystone)");
    }

    public static Builder builder() {
        return new Builder();
    }

    public static final class Builder extends ServiceBuilder<Builder> {
        private Builder() {
            super("placement");
        }

        public Placement build() {
            return new Placement(this);
        }
    }

    @Override
    public List<Component> requires() {
        return List.of(sql, keystone);
    }

    /** Only the controllers run it. */
    @Override
    public List<String> packagesOn(io.speedling.openstack.Inventory inventory, String node) {
        return onControllersOnly(inventory, node);
    }

    @Override
    public Map<DistroFamily, List<String>> packages() {
        // Debian testing's Placement 15 does not start beside unstable's oslo.policy 6, which Glance needs
        // there (NoSuchOptError enforce_scope, 2026-12-03); unstable's 16.0.0 is taken with it
        String deb = madeFor(io.speedling.openstack.Release.GAZPACHO) ? "placement-api/sid" : "placement-api";
        return Pkgs.of(List.of(deb), List.of("openstack-placement-api"), List.of("openstack-placement-api"));
    }

    @Override
    public List<String> services() {
        return List.of("placement-api");
    }

    @Override
    public List<String> debconf() {
        return Pkgs.noSelfSetup("placement-common", "placement-api", "placement");
    }

    @Override
    public String schemaScript() {
        return """
                m -e 'CREATE DATABASE placement'
                printf '[placement_database]\\nconnection = %s\\n' "$(url placement)" > $d/placement.conf
                placement-manage --config-file $d/placement.conf db sync
                dump placement-db-sync placement-common placement-db-sync placement
                """;
    }

    /** Its database, HAProxy frontend, catalog entry and service user. */
    @Override
    protected Api api() {
        return new Api("placement", "placement", 8778);
    }

    /** Done when the placement API answers. */
    public Task<?> ready(Deploy d) {
        return planned(d, "ready");
    }

    @Override
    protected void plan(Deploy d) {
        var ctl = d.withRole(Inventory.CONTROLLER);
        Task<Boolean> config = d.task(name() + ".config", ctx -> {
            Map<String, Map<String, String>> s = new LinkedHashMap<>();
            s.put("placement_database", Map.of("connection", d.dbUrl("placement", "placement")));
            s.put("api", Map.of("auth_strategy", "keystone"));
            s.put("keystone_authtoken", d.authtoken("placement"));
            boolean a = d.ini(ctl, "/etc/placement/placement.conf", s, "placement");
            boolean b = d.ini(ctl, "/etc/placement/placement-api-uwsgi.ini",
                    Deploy.UWSGI, "placement");
            b |= d.listen(ctl, "placement-api", 8778, "/etc/placement/placement-api-uwsgi.ini");
            return a || b;
        });
        Task<Boolean> sync = dbSync(d, "placement-common", "placement", config, sql.schemas(d),
                "placement-manage", "db", "sync");
        // started while Keystone registers the catalog (see Keystone#answering); ready once it is in it
        Task<Void> start = d.task(name() + ".start", ctx -> {
            d.services(ctl, ctx.want(config), "placement-api");
            return null;
        }, sync, keystone.answering(d));
        answering(d, "ready", d.endpoints().url(8778, "/"), "placement-api", start, keystone.registered(d));
    }
}
