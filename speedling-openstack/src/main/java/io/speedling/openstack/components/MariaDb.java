package io.speedling.openstack.components;

import io.speedling.core.tasks.Task;
import io.speedling.openstack.Component;
import io.speedling.openstack.Deploy;
import io.speedling.openstack.DistroFamily;
import io.speedling.openstack.Inventory;
import io.speedling.openstack.remote.Mysql;
import java.util.List;
import java.util.Map;

/** The SQL server. Creates every component's database and user in one batch. */
public final class MariaDb extends Component {
    public MariaDb() {
        this("mariadb");
    }

    public MariaDb(String name) {
        super(name);
    }

    @Override
    public List<Component> requires() {
        return List.of();
    }

    @Override
    public Map<DistroFamily, List<String>> packages() {
        return Pkgs.of(List.of("mariadb-server", "python3-pymysql"), List.of("mariadb-server", "python3-PyMySQL"),
                List.of("mariadb", "python3-PyMySQL"));
    }

    @Override
    public List<String> services() {
        return List.of("mariadb");
    }

    /** Done when the server runs (waited for by whoever needs SQL before the schemas). */
    public Task<Void> started(Deploy d) {
        return planned(d, "start");
    }

    /** Done when the databases and users exist and the image's schemas are loaded: db syncs wait for it. */
    public Task<?> schemas(Deploy d) {
        return planned(d, "schemas");
    }

    @Override
    protected void plan(Deploy d) {
        var ctl = d.withRole(Inventory.CONTROLLER);
        // group mysql: mariadbd runs as mysql and skips, without a word, a file it cannot read
        Task<Boolean> config = d.task(name() + ".config", ctx -> d.ini(ctl, "/etc/mysql/mariadb.conf.d/99-speedling.cnf",
                Map.of("mysqld", Map.of("bind-address", "0.0.0.0", "max_connections", "1000",
                        "skip-name-resolve", "1", "innodb_flush_log_at_trx_commit", "2",
                        "character-set-server", "utf8mb4", "collation-server", "utf8mb4_general_ci")), "mysql"));
        Task<Void> start = d.task(name() + ".start", ctx -> {
            d.services(ctl, ctx.want(config), "mariadb");
            return null;
        }, config);
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
        }, start);
    }
}
