package io.speedling.openstack;


/**
 * Database schemas made at image build time: a layer runs every component's db sync against a
 * throwaway MariaDB (socket only, no network) inside the image and keeps a dump of the resulting
 * schemas (tables and migration versions; no users or passwords but Keystone's admin, made with a
 * throwaway password and address that each deployment replaces) with the package version it was
 * made from. A deploy onto a fresh node loads the dumps into empty databases in a second and marks
 * those db syncs done for that version, so the db syncs (the deploy's critical path, minutes on 2
 * cores) do not run. Users, passwords and cells still happen per deployment.
 */
public final class SchemaSnapshot {
    public static final String DIR = "/usr/share/speedling/schemas";

    private SchemaSnapshot() {
    }

    /** The build script for the components of {@code cloud} that have schemas. */
    public static String buildScript(Cloud cloud) {
        StringBuilder s = new StringBuilder("""
                export LC_ALL=C.UTF-8
                out=%s; d=/tmp/speedling-schema; sock=/run/mysqld/speedling-build.sock
                mkdir -p $out $d /run/mysqld; chown mysql:mysql /run/mysqld
                # a copy of the packaged data directory: the image keeps its own untouched (Debian
                # testing's MariaDB 11.8 makes /var/lib/mariadb; up to Debian 13 it is /var/lib/mysql)
                src=/var/lib/mysql; [ -d /var/lib/mariadb/mysql ] && src=/var/lib/mariadb
                cp -a $src $d/data
                mysqld --user=mysql --skip-networking --socket=$sock --pid-file=/run/mysqld/speedling-build.pid \\
                  --datadir=$d/data --skip-log-bin > $d/mysqld.log 2>&1 &
                pid=$!
                stop() { mysqladmin --socket=$sock -uroot shutdown 2>/dev/null || kill $pid; wait $pid 2>/dev/null || true; rm -rf $d; }
                trap stop EXIT
                for i in $(seq 150); do [ -S $sock ] && break; sleep 0.2; done
                [ -S $sock ] || { cat $d/mysqld.log; exit 1; }
                m() { mysql --socket=$sock -uroot "$@"; }
                url() { echo "mysql+pymysql://root@localhost/$1?unix_socket=$sock"; }
                # dump NAME PACKAGE "MARKERS" DB...: schemas and version rows, then the DBs go again
                dump() {
                  n=$1; p=$2; marks=$3; shift 3
                  mysqldump --socket=$sock -uroot --skip-dump-date --skip-comments --databases "$@" > $out/$n.sql
                  dpkg-query -W -f='${Version}' $p > $out/$n.stamp
                  echo "$@" > $out/$n.dbs; echo "$marks" > $out/$n.names
                  for db in "$@"; do m -e "DROP DATABASE $db"; done
                }
                """.formatted(DIR));
        boolean any = false;
        for (Component c : cloud.components()) {
            String script = c.schemaScript();
            if (!script.isEmpty()) {
                s.append(script);
                any = true;
            }
        }
        return any ? s.toString() : "true\n";
    }

    /**
     * Run on the node after the databases and users exist: loads each dump whose databases are all
     * still empty and writes the db-sync markers with the dump's package version.
     */
    public static String loadScript() {
        return """
                dir=%s
                [ -d $dir ] || exit 0
                pids=
                # the databases holding tables, asked once (a rerun finds them all: one mysql run, not one per database)
                # (no answer stops here: a load into a database that only looked empty would overwrite it)
                full=$(mysql -N -e "SELECT DISTINCT table_schema FROM information_schema.tables") || exit 1
                full=" $(echo $full) "
                for f in $dir/*.sql; do
                  [ -e "$f" ] || continue
                  n=${f##*/}; n=${n%%.sql}; empty=1
                  for db in $(cat $dir/$n.dbs); do
                    case "$full" in *" $db "*) empty=0;; esac
                  done
                  [ $empty = 1 ] || continue
                  ( mysql < $f && mkdir -p /var/lib/speedling/once && for mk in $(cat $dir/$n.names); do
                      install -m 0600 $dir/$n.stamp /var/lib/speedling/once/$mk; done ) &
                  pids="$pids $!"
                done
                # each load by its pid: $(jobs -p) runs in a subshell, where dash lists no jobs, so the
                # script ended before its loads and a slow load was killed as a stray background process
                fail=0; for p in $pids; do wait $p || fail=1; done; exit $fail
                """.formatted(DIR);
    }
}
