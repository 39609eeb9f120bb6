package io.speedling.openstack;

import io.speedling.virt.image.Recipe;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The image layer a cloud is deployed on: every package of the enabled components installed
 * (non-interactive, no recommends, debconf answered, services kept from starting) and their
 * services disabled, so a deploy on it installs nothing and starts only what it configured.
 */
public final class OpenStackImage {
    /**
     * The user setting (also SPEEDLING_IMAGE_SERVICES) naming services whose packages every node
     * image holds besides the cloud's own, e.g. {@code all}: clouds of different service selections
     * then share one image instead of building one each (the test runs set it; a deploy starts only
     * its own services either way).
     */
    public static final String SHARED_SERVICES_SETTING = "speedling.image.services";

    private OpenStackImage() {
    }

    /**
     * The services of {@link #SHARED_SERVICES_SETTING} for images of {@code release}, comma-separated,
     * or none when it is not set. {@code speedling.image.services.RELEASE} (also
     * SPEEDLING_IMAGE_SERVICES_RELEASE, e.g. {@code SPEEDLING_IMAGE_SERVICES_2025_1}) sets it for one
     * release: the tests share one image of every service on Zed and a smaller one on 2025.1, whose
     * classes deploy fewer services.
     */
    static java.util.List<String> sharedServices(Release release) {
        String v = UserSettings.value(SHARED_SERVICES_SETTING + "." + release.id(),
                "SPEEDLING_IMAGE_SERVICES_" + release.id().toUpperCase(java.util.Locale.ROOT).replace('.', '_'));
        if (v == null) {
            v = UserSettings.value(SHARED_SERVICES_SETTING, "SPEEDLING_IMAGE_SERVICES");
        }
        return v == null || v.isBlank() ? List.of() : List.of(v.strip().split("\\s*,\\s*"));
    }

    /** The file that gives systemd a longer start limit, on images and on hosts given by a file alike. */
    static final String START_LIMIT_CONF = "/etc/systemd/system.conf.d/60-speedling.conf";

    /**
     * Shell lines giving systemd a start limit of 300 s: a service that says when it is ready
     * (nova-conductor, nova-scheduler) may take longer than systemd's 90 s to say so when three
     * controllers start theirs on two cores (seen in CI: the start failed on a timeout); units that set
     * their own limit keep it.
     */
    static String startLimitScript() {
        return "mkdir -p /etc/systemd/system.conf.d\n"
                + "printf '[Manager]\\nDefaultTimeoutStartSec=300s\\n' > " + START_LIMIT_CONF + "\n";
    }

    /** Shell line setting {@code f} to the packaged file of unit {@code $u} (Debian 12 and 13 paths). */
    private static final String UNIT_FILE =
            "  f=/usr/lib/systemd/system/$u.service; [ -f $f ] || f=/lib/systemd/system/$u.service\n";

    /**
     * The services a packaged OpenStack unit of Debian 13 and later wants ({@code Wants=}) which
     * run only where their own component puts them.
     */
    static final List<String> WANTED_ELSEWHERE = List.of("mysql", "postgresql", "rabbitmq-server", "keystone",
            "ntp", "tgt", "libvirtd");

    /**
     * Shell lines that give each of {@code units} whose packaged file wants one of {@link
     * #WANTED_ELSEWHERE} a copy in {@code /etc/systemd/system} without those wants (its ordering
     * stays). The units of 2025.1's packages want the database, the message queue and Keystone, so
     * starting nova-compute or the OVN metadata agent on a worker started all three there, and
     * Keystone, unconfigured, respawned its uWSGI workers without end (two cores' worth, seen on
     * a 2025.1 cloud here). A drop-in cannot take a dependency away; the copy carries speedling's
     * mark, so a wipe of hosts removes it, and it does not follow a later package upgrade of the unit.
     */
    static String unwantScript(List<String> units) {
        String names = String.join("|", WANTED_ELSEWHERE);
        return "for u in " + String.join(" ", units) + "; do\n"
                + UNIT_FILE
                + "  [ -f $f ] && grep -Eq '^Wants=.*(" + names + ")[.]service' $f || continue\n"
                + "  { echo '# written by speedling: the package'\\''s unit, without wanting services that run "
                + "where their own component puts them'\n"
                + "    sed -E '/^Wants=/s/ ?(" + names + ")[.]service//g' $f; } > /etc/systemd/system/$u.service\n"
                + "done\n";
    }

    /**
     * Shell lines disabling {@code units}, each on its own (a unit a node lacks is no error). A
     * unit whose install section names only aliases (OVN's databases: {@code Alias=ovn-nb-ovsdb.service})
     * never starts at boot by itself, so it is left as its package installed it: disabling it
     * would only take its alias away, and the deploy's enable brought the alias back while the
     * unit ran. systemd had by then a separate, inactive unit under the alias's name (ovn-northd
     * orders itself after it), and its next reload gave the running database that unit's state:
     * inactive, its server still in its group, so the following start (a rerun) ran ovn-ctl, which
     * found the server and exited, and systemd stopped the server with the unit (CI, 2026-12-03:
     * the southbound database gone for minutes).
     */
    static String disableScript(List<String> units) {
        return "for u in " + String.join(" ", units) + "; do\n"
                + UNIT_FILE
                + "  if [ -f $f ] && ! grep -Eq '^(WantedBy|RequiredBy|UpheldBy)=' $f; then continue; fi\n"
                + "  systemctl disable $u >/dev/null 2>&1 || true\n"
                + "done\n";
    }

    /**
     * Shell lines that make the packaged units of {@code units} start only when the deploy starts
     * them ({@link #unwantScript}, then {@link #disableScript}): on images and on hosts given by a
     * file alike.
     */
    static String unitsScript(List<String> units) {
        return unwantScript(units) + disableScript(units);
    }

    /**
     * Shell writing each file of {@code files} (path, text) byte for byte, so the deploy's
     * comparison finds it unchanged.
     */
    public static String unitFilesScript(Map<String, String> files) {
        StringBuilder out = new StringBuilder();
        files.forEach((path, text) -> out.append("mkdir -p ").append(quoted(path.substring(0, path.lastIndexOf('/'))))
                .append(" && printf '%s' ").append(quoted(text)).append(" > ").append(quoted(path)).append('\n'));
        return out.toString();
    }

    /** {@code s} as one single-quoted shell word. */
    private static String quoted(String s) {
        return "'" + s.replace("'", "'\\''") + "'";
    }

    /** {@code base} (a node of the release's suite) with the packages of {@code components} (Debian names). */
    public static Recipe recipe(Recipe base, List<String> packages, List<String> services, List<String> masked,
                                List<String> debconf) {
        return recipe(base, packages, services, masked, debconf, Map.of());
    }

    /** As above, with unit files (path, text) the components write the same on every deployment. */
    public static Recipe recipe(Recipe base, List<String> packages, List<String> services, List<String> masked,
                                List<String> debconf, Map<String, String> unitFiles) {
        Set<String> pkgs = new LinkedHashSet<>(packages);
        StringBuilder disable = new StringBuilder();
        if (!unitFiles.isEmpty()) {
            disable.append("# unit files the deploy would write (and reload systemd for)\n")
                    .append(unitFilesScript(unitFiles));
        }
        disable.append("# the deploy starts what it configured; nothing starts on its own\n");
        disable.append(unitsScript(services));
        for (String s : masked) {
            disable.append("systemctl mask ").append(s).append(" >/dev/null 2>&1\n");
        }
        disable.append(startLimitScript());
        // sorted: the layer's key must not depend on the order components were wired in
        return base.packages(new ArrayList<>(pkgs), String.join("\n", new java.util.TreeSet<>(debconf)))
                .script("disable-services", disable.toString());
    }

    /** The image for {@code cloud}: its packages, services disabled, and its database schemas made ahead. */
    public static Recipe recipe(Recipe base, Cloud cloud) {
        List<String> debconf = new ArrayList<>();
        cloud.components().forEach(c -> debconf.addAll(c.debconf()));
        return recipe(base, cloud.packages(), cloud.services(), cloud.masked(), debconf, cloud.unitFiles())
                .script("db-schemas", SchemaSnapshot.buildScript(cloud))
                .script("entry-point-caches", ENTRY_POINT_CACHES);
    }

    /**
     * The last layer: stevedore's entry-point cache made ahead for every service user. Each
     * OpenStack process looks its plugins up through stevedore, which keeps the scan of every
     * installed package's entry points in {@code ~/.cache/python-entrypoints}, under a hash of the
     * interpreter and of each {@code sys.path} entry with its modification time. On a fresh node no
     * service user had one, so each of ~20 processes scanned (0.18 s of CPU each) and wrote its own.
     * Made here for the two ways the services run: a command in {@code /usr/bin} (the path's head is
     * {@code /usr/bin}) and uWSGI (its head is {@code .} and {@code ''}, {@code .} being the user's
     * home, the units' working directory, and its executable uWSGI's binary). Last, so no later layer changes a hashed time; a home the
     * deploy changes before its service starts just misses, and stevedore scans as before.
     */
    static final String ENTRY_POINT_CACHES = """
            command -v python3 >/dev/null && python3 -c 'import stevedore' 2>/dev/null || exit 0
            python3 - <<'EOF'
            import json, os, pwd, sys
            from stevedore import _cache
            base = sys.path[1:]
            data = _cache._build_cacheable_data()
            users = [u for u in pwd.getpwall() if u.pw_uid == 0 or (u.pw_dir.startswith('/var/lib/')
                     and os.path.isdir(u.pw_dir) and os.stat(u.pw_dir).st_uid == u.pw_uid)]
            # every cache directory first: making one changes its home's time, which the hash holds
            for u in users:
                for d in (os.path.join(u.pw_dir, '.cache'), os.path.join(u.pw_dir, '.cache', 'python-entrypoints')):
                    os.makedirs(d, exist_ok=True)
                    os.chown(d, u.pw_uid, u.pw_gid)
            python = sys.executable
            # uWSGI's Python reports uWSGI's binary as its executable, which the hash holds too
            uwsgi = os.path.realpath('/usr/bin/uwsgi_python3')
            for u in users:
                os.chdir(u.pw_dir)
                for exe, path in ((python, ['/usr/bin'] + base), (uwsgi, ['.', ''] + base)):
                    sys.executable = exe
                    digest, values = _cache._hash_settings_for_path(path)
                    f = os.path.join(u.pw_dir, '.cache', 'python-entrypoints', digest)
                    with open(f, 'w') as out:
                        json.dump(dict(data, path_values=values, **{'sys.executable': exe}), out)
                    os.chown(f, u.pw_uid, u.pw_gid)
            print('entry-point caches for', ' '.join(u.pw_name for u in users))
            EOF
            """;
}
