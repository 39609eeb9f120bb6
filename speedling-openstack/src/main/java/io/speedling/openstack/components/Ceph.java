package io.speedling.openstack.components;

import io.speedling.core.FileSpec;
import io.speedling.core.NodeGroup;
import io.speedling.core.functions.Sh;
import io.speedling.core.functions.WriteFile;
import io.speedling.core.tasks.Task;
import io.speedling.openstack.Component;
import io.speedling.openstack.Deploy;
import io.speedling.openstack.DistroFamily;
import io.speedling.openstack.Inventory;
import io.speedling.openstack.remote.Once;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * A Ceph cluster without disks: a monitor and a manager on each controller, one OSD per storage
 * node (nodes with the {@code storage} role, else the controllers) whose BlueStore lives in a sparse
 * file in the OSD's directory (no LVM, no block device: how Ceph's own developer setups run), and
 * the pools and cephx users OpenStack uses: {@code volumes} and {@code vms} for Cinder and Nova
 * (user {@code cinder}), {@code images} for Glance (user {@code glance}).
 *
 * <p>Every key is derived from the cloud's secrets, so the keyrings are written before any daemon
 * runs and a rerun rewrites nothing; the monitors are made with every key in their first keyring
 * (no {@code ceph auth} round trips), and the OSDs, pools and users are set up by one Python
 * process talking to the monitors through librados instead of a dozen {@code ceph} command start-ups.
 * Replicas: one copy per storage node, up to three, so a single node is healthy.
 */
public final class Ceph extends Component {
    /** Pool of Cinder's volumes. */
    public static final String VOLUMES = "volumes";
    /** Pool of Glance's images. */
    public static final String IMAGES = "images";
    /** Pool of Nova's ephemeral disks. */
    public static final String VMS = "vms";
    /** Size of each OSD's (sparse) BlueStore file. */
    static final long OSD_BYTES = 24L << 30;

    public Ceph() {
        super("ceph");
    }

    @Override
    public List<Component> requires() {
        return List.of();
    }

    @Override
    public Map<DistroFamily, List<String>> packages() {
        List<String> p = List.of("ceph-mon", "ceph-mgr", "ceph-osd", "ceph-common");
        return Pkgs.of(p, p, p);
    }

    @Override
    public List<String> services() {
        return List.of("ceph.target", "ceph-mon.target", "ceph-mgr.target", "ceph-osd.target", "ceph-crash");
    }

    @Override
    public List<String> masked() {
        // ceph-osd pulls in lvm2 for ceph-volume; a container node has no device-mapper; nvme-cli (pulled
        // in from Ceph 18 on) connects NVMe-over-fabrics targets at boot, which fails in a container and
        // leaves the node degraded
        return List.of("lvm2-monitor", "lvm2-lvmpolld.socket", "dm-event.socket", "blk-availability",
                "nvmf-autoconnect");
    }

    /** Done when every placement group is active: the pools take reads and writes. */
    public Task<?> ready(Deploy d) {
        return planned(d, "ready");
    }

    /** The monitor nodes: the controllers. */
    static List<String> monNodes(Inventory inv) {
        return inv.nodesWith(Inventory.CONTROLLER);
    }

    /** The OSD nodes, in OSD id order: those with the storage role, else the controllers. */
    static List<String> osdNodes(Inventory inv) {
        List<String> s = inv.nodesWith(Inventory.STORAGE);
        return s.isEmpty() ? inv.nodesWith(Inventory.CONTROLLER) : s;
    }

    /** The cluster's id, fixed for the cloud. */
    public static String fsid(Deploy d) {
        return UUID.nameUUIDFromBytes(d.secret("ceph-fsid").getBytes(StandardCharsets.UTF_8)).toString();
    }

    /**
     * The UUID libvirt keeps the {@code client.cinder} key under on compute nodes (Cinder's
     * {@code rbd_secret_uuid}).
     */
    public static String libvirtSecretUuid(Deploy d) {
        return UUID.nameUUIDFromBytes(d.secret("ceph-libvirt-secret").getBytes(StandardCharsets.UTF_8)).toString();
    }

    /**
     * The cephx key of {@code entity} (e.g. {@code client.cinder}): Ceph's encoding (a key type, a
     * creation time, the key bytes) of bytes derived from the cloud's secrets, so every run and node
     * computes the same key without asking the monitors. The type is the newest the release's Ceph
     * takes by default ({@link #aes256k}).
     */
    public static String key(Deploy d, String entity) {
        return encodeKey(d.secret("ceph-key-" + entity), aes256k(d.cloud().release()));
    }

    /**
     * Whether the release's Ceph wants AES-256 keys (cephx key type 2, 32 bytes): Ceph 20.2.4
     * (2026.1 on Debian testing) refuses the older AES-128 keys (type 1) unless {@code
     * mon_auth_allow_insecure_key} is set, and reports them as a health error; Ceph 16 (Zed) and 18.2.7
     * (2025.1) know only type 1.
     */
    static boolean aes256k(io.speedling.openstack.Release release) {
        return release == io.speedling.openstack.Release.GAZPACHO;
    }

    static String encodeKey(String seed, boolean aes256k) {
        byte[] secret;
        try {
            secret = MessageDigest.getInstance("SHA-256").digest(seed.getBytes(StandardCharsets.UTF_8));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
        int len = aes256k ? 32 : 16;
        ByteBuffer b = ByteBuffer.allocate(2 + 4 + 4 + 2 + len).order(ByteOrder.LITTLE_ENDIAN);
        b.putShort((short) (aes256k ? 2 : 1)).putInt(0).putInt(0).putShort((short) len).put(secret, 0, len);
        return Base64.getEncoder().encodeToString(b.array());
    }

    /** A keyring with the key of each entity and its capabilities ({@code caps} "mon", "allow *", ...). */
    static String keyring(Deploy d, Map<String, List<String>> entities) {
        StringBuilder s = new StringBuilder();
        entities.forEach((entity, caps) -> {
            s.append('[').append(entity).append("]\n\tkey = ").append(key(d, entity)).append('\n');
            for (int i = 0; i + 1 < caps.size(); i += 2) {
                s.append("\tcaps ").append(caps.get(i)).append(" = \"").append(caps.get(i + 1)).append("\"\n");
            }
        });
        return s.toString();
    }

    /** The keyring of {@code entity} alone (no caps: the monitors hold those), for its daemon's or user's files. */
    static String keyring(Deploy d, String entity) {
        return keyring(d, Map.of(entity, List.of()));
    }

    /**
     * Writes {@code client.NAME}'s keyring where Ceph's clients look for it
     * ({@code /etc/ceph/ceph.client.NAME.keyring}), readable by the system user NAME only (0640, its
     * group). True when a node's file changed.
     */
    public static boolean writeClientKeyring(Deploy d, NodeGroup nodes, String name) {
        return nodes.call(WriteFile.text("/etc/ceph/ceph.client." + name + ".keyring", keyring(d, "client." + name),
                new FileSpec(name, name, 0640))).containsValue(Boolean.TRUE);
    }

    /**
     * Writes {@code client.cinder}'s keyring on {@code nodes} for whoever reads it there: Cinder's
     * volume service on the controllers and nova-compute on compute nodes whose ephemeral disks are
     * RBD images ({@link Nova.Builder#ephemeral}). One rule for its owner and group whichever component
     * writes it (0640; owner cinder where Cinder runs, group nova where Nova reads it), so an
     * all-in-one node's file does not change hands between the two. True when a node's file changed.
     */
    public static boolean writeCinderKeyring(Deploy d, NodeGroup nodes) {
        Inventory inv = d.cloud().inventory();
        boolean cinder = d.cloud().components().stream().anyMatch(Cinder.class::isInstance);
        boolean nova = novaDisks(d);
        String keyring = keyring(d, "client.cinder");
        return nodes.callEach(n -> {
            boolean volume = cinder && inv.nodesWith(Inventory.CONTROLLER).contains(n.name());
            boolean compute = nova && inv.nodesWith(Inventory.COMPUTE).contains(n.name());
            return WriteFile.text("/etc/ceph/ceph.client.cinder.keyring", keyring,
                    new FileSpec(volume ? "cinder" : "root", compute ? "nova" : volume ? "cinder" : "root", 0640));
        }).containsValue(Boolean.TRUE);
    }

    /** True when the cloud's Nova keeps servers' disks in Ceph ({@link Nova.Builder#ephemeral}). */
    static boolean novaDisks(Deploy d) {
        return d.cloud().components().stream().anyMatch(c -> c instanceof Nova n && n.ephemeralOnRbd());
    }

    /**
     * Plans, once per deploy, the libvirt secret holding {@code client.cinder}'s key on the compute
     * nodes (the UUID is {@link #libvirtSecretUuid}): what domains' RBD disks (Cinder's volumes, Nova's
     * ephemeral disks) authenticate with. The key goes through a 0600 file, not argv.
     *
     * @param libvirtd done when libvirtd runs on the compute nodes
     */
    public static Task<?> libvirtSecret(Deploy d, Task<?> libvirtd) {
        String name = "ceph.libvirt_secret";
        if (d.has(name)) {
            return d.task(name);
        }
        var compute = d.withRole(Inventory.COMPUTE);
        String uuid = libvirtSecretUuid(d);
        String key = key(d, "client.cinder");
        return d.task(name, ctx -> {
            compute.call(Sh.checked("set -e; f=$(mktemp -d); trap 'rm -rf $f' EXIT\n"
                    + "virsh -q secret-list | grep -q " + uuid + " || { printf '%s' '<secret ephemeral=\"no\" "
                    + "private=\"no\"><uuid>" + uuid + "</uuid><usage type=\"ceph\"><name>client.cinder secret"
                    + "</name></usage></secret>' > $f/s.xml; virsh -q secret-define --file $f/s.xml >/dev/null; }\n"
                    + "umask 077; printf '%s' '" + key + "' > $f/key\n"
                    + "virsh -q secret-set-value --secret " + uuid + " --file $f/key >/dev/null\n"));
            return null;
        }, libvirtd);
    }

    /**
     * The OpenStack users: client name to capabilities. {@code client.cinder} is Cinder's and, for
     * servers' disks in Ceph, Nova's user: it reads the images pool (volumes and disks are clones of
     * images) and writes it only when Nova keeps disks in Ceph ({@code novaDisks}: Nova's snapshot of
     * such a disk is a clone it makes in the images pool).
     */
    static Map<String, List<String>> clients(boolean novaDisks) {
        Map<String, List<String>> m = new LinkedHashMap<>();
        m.put("client.glance", List.of("mon", "profile rbd", "osd", "profile rbd pool=" + IMAGES, "mgr",
                "profile rbd pool=" + IMAGES));
        m.put("client.cinder", List.of("mon", "profile rbd", "osd", "profile rbd pool=" + VOLUMES + ", profile rbd pool="
                + VMS + ", profile " + (novaDisks ? "rbd" : "rbd-read-only") + " pool=" + IMAGES, "mgr",
                "profile rbd pool=" + VOLUMES + ", profile rbd pool=" + VMS));
        return m;
    }

    /** Every entity of the cluster with its capabilities: what the monitors are made with. */
    static Map<String, List<String>> entities(Inventory inv, boolean novaDisks) {
        Map<String, List<String>> m = new LinkedHashMap<>();
        m.put("mon.", List.of("mon", "allow *"));
        m.put("client.admin", List.of("mon", "allow *", "osd", "allow *", "mds", "allow *", "mgr", "allow *"));
        for (String mon : monNodes(inv)) {
            m.put("mgr." + mon, List.of("mon", "allow profile mgr", "osd", "allow *", "mds", "allow *"));
        }
        List<String> osds = osdNodes(inv);
        for (int i = 0; i < osds.size(); i++) {
            m.put("osd." + i, List.of("mon", "allow profile osd", "mgr", "allow profile osd", "osd", "allow *"));
        }
        m.putAll(clients(novaDisks));
        return m;
    }

    /**
     * What the setup process does once the monitors answer: puts every key and capability in (so a
     * cloud that grew gets its new OSDs' and users' keys), registers the OSDs by id and UUID, makes
     * the pools and marks them for RBD. Idempotent: each command leaves what is already right.
     */
    static String setupScript(List<String> osdUuids, List<String> pools) {
        StringBuilder py = new StringBuilder("""
                import json, sys, rados
                c = rados.Rados(conffile='/etc/ceph/ceph.conf', name='client.admin')
                c.connect(timeout=120)
                def mon(inbuf=b'', **cmd):
                    ret, out, err = c.mon_command(json.dumps(cmd), inbuf, timeout=120)
                    if ret != 0:
                        sys.exit('ceph %s failed (%d): %s' % (cmd['prefix'], ret, err))
                    return out
                mon(open('/etc/ceph/ceph.speedling.keyring', 'rb').read(), prefix='auth import')
                """);
        for (int i = 0; i < osdUuids.size(); i++) {
            py.append("mon(prefix='osd new', uuid='").append(osdUuids.get(i)).append("', id=").append(i).append(")\n");
        }
        for (String p : pools) {
            py.append("mon(prefix='osd pool create', pool='").append(p).append("', pg_num=8, pgp_num=8)\n");
            py.append("mon(prefix='osd pool application enable', pool='").append(p).append("', app='rbd')\n");
        }
        return py.toString();
    }

    /**
     * What waits for the cluster: every OSD up, then each pool initialised for RBD (a write, so it
     * waits for the pool's placement groups to become active). Prints the health status last.
     */
    static String readyScript(List<String> pools, int osds, int seconds) {
        StringBuilder py = new StringBuilder("""
                import json, sys, time, rados, rbd
                # a write to a pool whose placement groups never become active fails instead of waiting forever
                c = rados.Rados(conffile='/etc/ceph/ceph.conf', name='client.admin', conf={'rados_osd_op_timeout': '%d'})
                c.connect(timeout=60)
                def mon(**cmd):
                    ret, out, err = c.mon_command(json.dumps(dict(cmd, format='json')), b'', timeout=60)
                    if ret != 0:
                        sys.exit('ceph %%s failed (%%d): %%s' %% (cmd['prefix'], ret, err))
                    return json.loads(out)
                end = time.time() + %d
                while True:
                    s = mon(prefix='osd stat')
                    if s.get('num_up_osds', 0) >= %d:
                        break
                    if time.time() > end:
                        sys.exit('ceph: %%d of %d OSDs up after %d s: see /var/log/ceph on the storage nodes'
                                 %% s.get('num_up_osds', 0))
                    time.sleep(0.1)
                """.formatted(seconds, seconds, osds, osds, seconds));
        // initialising a pool writes to it: it returns once the pool's placement groups are active
        py.append("for p in ").append(pools.stream().map(p -> "'" + p + "'").toList()).append(":\n");
        py.append("""
                    with c.open_ioctx(p) as io:
                        rbd.RBD().pool_init(io, False)
                # after a restart the copies written meanwhile are recovered: done when no placement group is
                # inactive, degraded or recovering and no OSD is down, seen twice over a stats period
                calm = 0
                while calm < 2:
                    h = mon(prefix='health')
                    busy = sorted(k for k in h.get('checks', {}) if k.startswith(('PG_', 'OSD_')))
                    calm = calm + 1 if not busy else 0
                    if busy and time.time() > end:
                        sys.exit('ceph: %s after %d s: see ceph health detail' % (', '.join(busy), SECONDS))
                    time.sleep(0.6)
                print(h['status'])
                """.replace("SECONDS", String.valueOf(seconds)));
        return py.toString();
    }

    @Override
    protected void plan(Deploy d) {
        Inventory inv = d.cloud().inventory();
        List<String> mons = monNodes(inv);
        List<String> osds = osdNodes(inv);
        List<String> all = new ArrayList<>(mons);
        osds.stream().filter(n -> !all.contains(n)).forEach(all::add);
        // clients (Cinder, Glance, Nova) read ceph.conf wherever they run: every node gets it
        inv.nodes().stream().filter(n -> !all.contains(n)).forEach(all::add);
        NodeGroup everyone = d.fleet().group(all.toArray(String[]::new));
        NodeGroup monGroup = d.fleet().group(mons.toArray(String[]::new));
        String fsid = fsid(d);
        StringBuilder monHost = new StringBuilder();
        StringBuilder monMap = new StringBuilder();
        for (String m : mons) {
            String ip = d.ipOf(d.fleet().node(m));
            String addr = "[v2:" + ip + ":3300,v1:" + ip + ":6789]";
            monHost.append(monHost.length() == 0 ? "" : ",").append(addr);
            monMap.append(" --addv ").append(m).append(" '").append(addr).append('\'');
        }
        int replicas = Math.min(3, osds.size());
        List<String> pools = List.of(VOLUMES, IMAGES, VMS);
        List<String> osdUuids = new ArrayList<>();
        for (int i = 0; i < osds.size(); i++) {
            osdUuids.add(UUID.nameUUIDFromBytes((fsid + "/osd." + i).getBytes(StandardCharsets.UTF_8)).toString());
        }
        String monKeyring = keyring(d, entities(inv, novaDisks(d)));

        Task<Boolean> config = d.task(name() + ".config", ctx -> {
            boolean changed = d.callEachIni(everyone, "/etc/ceph/ceph.conf", n -> {
                Map<String, Map<String, String>> conf = new LinkedHashMap<>();
                Map<String, String> g = new LinkedHashMap<>();
                g.put("fsid", fsid);
                g.put("mon_host", monHost.toString());
                g.put("mon_initial_members", String.join(",", mons));
                g.put("public_addr", d.ipOf(n));
                g.put("auth_cluster_required", "cephx");
                g.put("auth_service_required", "cephx");
                g.put("auth_client_required", "cephx");
                g.put("auth_allow_insecure_global_id_reclaim", "false");
                g.put("osd_pool_default_size", String.valueOf(replicas));
                g.put("osd_pool_default_min_size", "1");
                g.put("osd_pool_default_pg_autoscale_mode", "off");
                // one host's OSDs may hold all copies: a dev cluster has fewer hosts than replicas
                g.put("osd_crush_chooseleaf_type", "0");
                g.put("mon_allow_pool_size_one", "true");
                g.put("mon_warn_on_pool_no_redundancy", "false");
                g.put("mon_allow_pool_delete", "true");
                // the node's disk is the host's: warn only when it is really full
                g.put("mon_data_avail_warn", "5");
                g.put("mon_data_avail_crit", "2");
                // daemons report to the manager every second instead of five: the monitors' health (what the
                // deploy waits on after a restart) follows the placement groups' states within about a second
                g.put("mgr_stats_period", "1");
                // no restful, nfs or dashboard modules: nobody reads them in a dev cloud (the monitors read
                // this when they make the manager map, so it is theirs, not the manager's)
                g.put("mgr_initial_modules", "iostat");
                // nor loaded at all: the manager imports every module on disk when it starts (each in a
                // Python subinterpreter of its own) to learn its options, enabled or not
                g.put("mgr_disabled_modules", String.join(",", MGR_UNUSED_MODULES));
                conf.put("global", g);
                // a map change is committed 0.1 s after it is asked for instead of 1 s: setting up pools
                // and users is a dozen changes in a row
                conf.put("mon", Map.of("paxos_propose_interval", "0.1"));
                conf.put("osd", Map.of("osd_objectstore", "bluestore", "bluestore_block_create", "true",
                        "bluestore_block_size", String.valueOf(OSD_BYTES), "osd_memory_target", "1073741824",
                        "osd_max_object_name_len", "256"));
                return conf;
            }, "ceph", 0644);
            // the monitors' first keyring holds every key (imported when they are made)
            changed |= monGroup.call(WriteFile.text("/etc/ceph/ceph.speedling.keyring", monKeyring,
                    new FileSpec("ceph", "ceph", 0600))).containsValue(Boolean.TRUE);
            changed |= monGroup.call(WriteFile.text("/etc/ceph/ceph.client.admin.keyring",
                    keyring(d, "client.admin"), FileSpec.mode(0600))).containsValue(Boolean.TRUE);
            return changed;
        });
        // a node whose ceph.conf changed restarts its daemons (they read it at start only)
        java.util.function.Predicate<String> confChanged = n -> d.changedFiles().contains(n + ":/etc/ceph/ceph.conf");
        Task<Boolean> mon = d.task(name() + ".mon", ctx -> {
            ctx.want(config);
            monGroup.callEach(n -> new Sh(monScript(n.name(), fsid, monMap.toString()), true));
            return startEach(d, mons, confChanged, m -> "ceph-mon@" + m);
        }, config);
        Task<Boolean> mgr = d.task(name() + ".mgr", ctx -> {
            monGroup.callEach(n -> Sh.checked("install -d -o ceph -g ceph /var/lib/ceph/mgr/ceph-" + n.name()));
            monGroup.callEach(n -> WriteFile.text("/var/lib/ceph/mgr/ceph-" + n.name() + "/keyring",
                    keyring(d, "mgr." + n.name()), new FileSpec("ceph", "ceph", 0600)));
            // a manager whose module the patch changed restarts to load it
            java.util.Set<String> patched = monGroup.call(Sh.checked(mgrBcryptPatch(MGR_MODULES))).entrySet().stream()
                    .filter(e -> e.getValue().stdout().contains("patched")).map(Map.Entry::getKey)
                    .collect(java.util.stream.Collectors.toSet());
            return startEach(d, mons, n -> confChanged.test(n) || patched.contains(n), m -> "ceph-mgr@" + m);
        }, mon);
        String setup = setupScript(osdUuids, pools);
        Task<Boolean> auth = d.task(name() + ".setup", ctx -> d.onController(new Once("ceph-setup",
                Integer.toHexString((setup + monKeyring).hashCode()), List.of("python3", "-c", setup), Map.of(),
                null)), mon);
        Task<Boolean> osd = d.task(name() + ".osd", ctx -> {
            ctx.want(config);
            NodeGroup osdGroup = d.fleet().group(osds.toArray(String[]::new));
            osdGroup.callEach(n -> {
                int id = osds.indexOf(n.name());
                return new Sh(osdScript(id, osdUuids.get(id), keyring(d, "osd." + id)), true);
            });
            // made while the monitors come up; started once they know the OSDs
            ctx.want(auth);
            return startEach(d, osds, confChanged, n -> "ceph-osd@" + osds.indexOf(n));
        }, config);
        String ready = readyScript(pools, osds.size(), 180);
        d.task(name() + ".ready", ctx -> {
            // once per cluster, and again whenever a daemon was (re)started in this run (a changed
            // configuration, a node booted again): the OSDs must be up before anything uses the pools
            boolean started = ctx.want(mon) | ctx.want(mgr) | ctx.want(osd);
            String stamp = Integer.toHexString(ready.hashCode()) + "-" + fsid;
            if (started) {
                d.onController(Once.forget("ceph-pools-ready"));
            }
            d.onController(new Once("ceph-pools-ready", stamp, List.of("python3", "-c", ready), Map.of(), null));
            return null;
        }, osd, mgr);
    }

    /**
     * Starts each node's daemon ({@code unit} of the node), restarting it where {@code restart}
     * holds for the node; true when some daemon was started or restarted.
     */
    private static boolean startEach(Deploy d, List<String> nodes, java.util.function.Predicate<String> restart,
                                     java.util.function.Function<String, String> unit) {
        boolean started = false;
        for (String n : nodes) {
            started |= d.services(d.fleet().group(n), restart.test(n), unit.apply(n));
        }
        return started;
    }

    /**
     * Manager modules a dev cloud never enables (Ceph 16 and 18 ship them in ceph-mgr-modules-core);
     * the always-on ones stay, as the monitors report one that is missing as an error.
     */
    static final List<String> MGR_UNUSED_MODULES = List.of("alerts", "influx", "insights", "localpool", "mirroring",
            "nfs", "osd_perf_query", "osd_support", "prometheus", "restful", "selftest", "snap_schedule", "stats",
            "telegraf", "test_orchestrator", "zabbix");

    /** Where ceph-mgr's Python modules live. */
    static final String MGR_MODULES = "/usr/share/ceph/mgr";

    /**
     * Makes the manager's shared module {@code mgr_util.py} (in {@code mgrDir}) import bcrypt when a
     * module first uses it instead of at its own import. bcrypt 4.1 and later (Debian 13 on) is a PyO3
     * module, which refuses a second Python subinterpreter, and ceph-mgr runs each of its modules in
     * one: with the import at the top, 11 modules (rbd_support, pg_autoscaler and volumes among them)
     * failed to load on 2025.1 and the cluster warned. Prints
     * {@code patched} when it changed the file; a package upgrade that brings the file back is
     * patched again by the next deploy.
     */
    static String mgrBcryptPatch(String mgrDir) {
        return """
            set -e
            f=MGR/mgr_util.py
            [ -f $f ] && grep -qx 'import bcrypt' $f || exit 0
            python3 - $f <<'SPEEDLING_PY'
            import sys
            p = sys.argv[1]
            lazy = ('class _SpeedlingLazyBcrypt:  # speedling: bcrypt loaded on first use (PyO3, subinterpreters)\\n'
                    '    def __getattr__(self, name):\\n'
                    '        import bcrypt as b\\n'
                    '        return getattr(b, name)\\n'
                    'bcrypt = _SpeedlingLazyBcrypt()\\n')
            lines = open(p).read().splitlines(keepends=True)
            open(p, 'w').write(''.join(lazy if l == 'import bcrypt\\n' else l for l in lines))
            SPEEDLING_PY
            rm -rf MGR/__pycache__/mgr_util.*
            echo patched
            """.replace("MGR", mgrDir);
    }

    /** Makes monitor {@code id}'s store once (with every key of the first keyring). */
    static String monScript(String id, String fsid, String monMap) {
        String dir = "/var/lib/ceph/mon/ceph-" + id;
        return "set -e\n[ -e " + dir + "/speedling-made ] && exit 0\n"
                + "rm -rf " + dir + "; install -d -o ceph -g ceph " + dir + "\n"
                + "t=$(mktemp -d); trap 'rm -rf $t' EXIT; m=$t/monmap\n"
                // the installed release as the oldest the monitors run: Ceph 20 refuses a monmap whose
                // minimum is more than two releases older (pacific, which this said before 2026.1)
                + "r=$(ceph-mon --version | awk '{print $(NF-1)}')\n"
                + "monmaptool --create --fsid " + fsid + monMap + " ${r:+--set-min-mon-release $r} $m >/dev/null\n"
                + "chown -R ceph $t\n"
                + "ceph-mon --mkfs -i " + id + " --monmap $m --keyring /etc/ceph/ceph.speedling.keyring "
                + "--setuser ceph --setgroup ceph\n"
                + "touch " + dir + "/speedling-made\n";
    }

    /** Makes OSD {@code id}'s BlueStore once: a sparse file, no device. */
    static String osdScript(int id, String uuid, String keyring) {
        String dir = "/var/lib/ceph/osd/ceph-" + id;
        return "set -e\n[ -e " + dir + "/speedling-made ] && exit 0\n"
                + "rm -rf " + dir + "; install -d -o ceph -g ceph " + dir + "\n"
                + "printf '%s' '" + keyring + "' > " + dir + "/keyring; chown ceph:ceph " + dir + "/keyring; chmod 600 "
                + dir + "/keyring\n"
                // mkfs complains about the device name and label of a file: expected, its exit code tells
                + "ceph-osd -i " + id + " --mkfs --osd-uuid " + uuid + " --no-mon-config --setuser ceph --setgroup ceph "
                + ">/tmp/ceph-osd-mkfs.log 2>&1 || { tail -20 /tmp/ceph-osd-mkfs.log >&2; exit 1; }\n"
                + "touch " + dir + "/speedling-made\n";
    }
}
