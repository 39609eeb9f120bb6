package io.speedling.openstack.components;

import io.speedling.core.tasks.Task;
import io.speedling.openstack.Component;
import io.speedling.openstack.Deploy;
import io.speedling.openstack.DistroFamily;
import io.speedling.openstack.Inventory;
import io.speedling.openstack.remote.Mysql;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * The SQL server, on each controller's own address. With several controllers it is a Galera
 * cluster across them (the first bootstraps it, the others join by state transfer), reached
 * through the load balancer's virtual IP, which sends every client to one controller while it lives
 * (Galera's writes on one node at a time: no certification conflicts). Creates every component's
 * database and user in one batch.
 */
public final class MariaDb extends Component {
    private static final String CONF = "/etc/mysql/mariadb.conf.d/99-speedling.cnf";
    private final LoadBalancer front;

    public MariaDb() {
        this("mariadb");
    }

    public MariaDb(String name) {
        this(name, null);
    }

    /**
     * @param front the load balancer whose virtual IP clients reach the database through, or null
     *     (a cloud of one controller)
     */
    public MariaDb(String name, LoadBalancer front) {
        super(name);
        this.front = front;
    }

    @Override
    public List<Component> requires() {
        return front == null ? List.of() : List.of(front);
    }

    /** Only the controllers run it. */
    @Override
    public List<String> packagesOn(io.speedling.openstack.Inventory inventory, String node) {
        return onControllersOnly(inventory, node);
    }

    @Override
    public Map<DistroFamily, List<String>> packages() {
        return Pkgs.of(List.of("mariadb-server", "python3-pymysql", "galera-4", "rsync"),
                List.of("mariadb-server", "python3-PyMySQL", "galera"), List.of("mariadb", "python3-PyMySQL", "galera"));
    }

    @Override
    public List<String> services() {
        return List.of("mariadb");
    }

    /**
     * The package's socket units listen on port 3306 of every address for the server: beside
     * HAProxy on the virtual IP's port they make a bind fail, and Galera's recovery step binds the
     * port itself. The server listens on its own.
     */
    @Override
    public List<String> masked() {
        return List.of("mariadb.socket", "mariadb-extra.socket");
    }

    @Override
    public List<Frontend> frontends() {
        return List.of(new Frontend("mariadb", 3306, null, true));
    }

    /** Done when the server runs (waited for by whoever needs SQL before the schemas). */
    public Task<Boolean> started(Deploy d) {
        return planned(d, "start");
    }

    /**
     * Done when the databases and users exist and the image's schemas are loaded (and, with several
     * controllers, every controller is in the cluster and the virtual IP takes connections): db
     * syncs wait for it.
     */
    public Task<?> schemas(Deploy d) {
        return planned(d, "schemas");
    }

    @Override
    protected void plan(Deploy d) {
        var ctl = d.withRole(Inventory.CONTROLLER);
        boolean galera = ctl.size() > 1;
        String cluster = ctl.nodes().stream().map(d::ipOf).collect(Collectors.joining(","));
        // group mysql: mariadbd runs as mysql and skips, without a word, a file it cannot read
        Task<Boolean> config = d.task(name() + ".config", ctx -> d.callEachIni(ctl, CONF, n -> {
            Map<String, Map<String, String>> s = new LinkedHashMap<>();
            s.put("mysqld", Map.of("bind-address", d.ipOf(n), "max_connections", "1000",
                    "skip-name-resolve", "1", "innodb_flush_log_at_trx_commit", "2",
                    "character-set-server", "utf8mb4", "collation-server", "utf8mb4_general_ci"));
            if (galera) {
                Map<String, String> g = new LinkedHashMap<>();
                g.put("wsrep_on", "ON");
                g.put("wsrep_provider", "/usr/lib/galera/libgalera_smm.so");
                g.put("wsrep_cluster_name", d.cloud().name());
                g.put("wsrep_cluster_address", "gcomm://" + cluster);
                g.put("wsrep_node_address", d.ipOf(n));
                g.put("wsrep_node_name", n.name());
                g.put("wsrep_sst_method", "rsync");
                g.put("binlog_format", "ROW");
                g.put("default_storage_engine", "InnoDB");
                g.put("innodb_autoinc_lock_mode", "2");
                s.put("galera", g);
            }
            return s;
        }, "mysql"));
        // with Galera, the first controller starts the cluster and the others join it before the schemas
        // load: their state transfer copies an empty server, and no service waits for it (the packages'
        // units start After=mariadb.service, so a service started on a joiner waits for its join)
        Task<Boolean> start = d.task(name() + ".start", ctx -> {
            if (galera) {
                return Galera.primary(d, ctl);
            }
            d.services(ctl, ctx.want(config), "mariadb");
            return false;
        }, config);
        Task<?> server = !galera ? start : d.task(name() + ".join", ctx -> {
            Galera.join(d, ctl, ctx.want(config), ctx.want(start));
            return null;
        }, start);
        d.task(name() + ".schemas", ctx -> {
            StringBuilder sql = new StringBuilder();
            for (Component c : d.cloud().components()) {
                for (Database db : c.databases()) {
                    String pw = d.secret("db-" + db.user()).replace("'", "''");
                    sql.append("CREATE DATABASE IF NOT EXISTS `").append(db.name()).append("`;\n");
                    for (String host : List.of("%", "localhost")) {
                        String u = "'" + db.user() + "'@'" + host + "'";
                        sql.append("CREATE USER IF NOT EXISTS ").append(u).append(" IDENTIFIED BY '").append(pw).append("';\n")
                                .append("ALTER USER ").append(u).append(" IDENTIFIED BY '").append(pw).append("';\n")
                                .append("GRANT ALL PRIVILEGES ON `").append(db.name()).append("`.* TO ").append(u).append(";\n");
                    }
                }
            }
            d.onController(new Mysql(sql.toString()));
            // schemas made at image build time, loaded into still-empty databases
            d.onController(new io.speedling.core.functions.Sh(io.speedling.openstack.SchemaSnapshot.loadScript(), true));
            return null;
        }, front == null ? new Task<?>[] {server} : new Task<?>[] {server, front.ready(d)});
    }
}
