package io.speedling.openstack.components;

import io.speedling.core.tasks.Task;
import io.speedling.openstack.Component;
import io.speedling.openstack.Deploy;
import io.speedling.openstack.DistroFamily;
import io.speedling.openstack.Inventory;
import io.speedling.openstack.remote.EnsureVolumeType;
import io.speedling.openstack.remote.KeystoneRegistrar;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Block storage: the API (uwsgi on :8776), scheduler and volume service on the controllers, the
 * volume service with the RBD driver on Ceph's {@code volumes} pool as user {@code cinder}. Nova is
 * pointed at it ({@code [cinder]} in nova.conf, through {@link #extensions}), so volumes attach to
 * servers.
 */
public final class Cinder extends Component {
    static final int PORT = 8776;
    /** The backend's name: the volume type that selects it carries it as {@code volume_backend_name}. */
    public static final String BACKEND = "ceph";

    private final MariaDb sql;
    private final RabbitMq messaging;
    private final Keystone keystone;
    private final Ceph ceph;
    private final Nova nova;

    private Cinder(Builder b) {
        super(b.name, b.release);
        String how = "Cinder.builder()";
        this.sql = required(b.sql, b.name, "an SQL server", how + ".sql(mariadb)");
        this.messaging = required(b.messaging, b.name, "a message queue", how + ".messaging(rabbitmq)");
        this.keystone = required(b.keystone, b.name, "keystone", how + ".keystone(keystone)");
        this.ceph = required(b.ceph, b.name, "a Ceph cluster", how + ".ceph(ceph)");
        this.nova = b.nova;
    }

    public static Builder builder() {
        return new Builder();
    }

    public static final class Builder extends ServiceBuilder.WithMessaging<Builder> {
        private Ceph ceph;
        private Nova nova;

        private Builder() {
            super("cinder");
        }

        /** The cluster whose {@code volumes} pool holds the volumes. */
        public Builder ceph(Ceph c) {
            this.ceph = c;
            return this;
        }

        /**
         * The cloud's compute service, if any: with Nova's libvirt driver the compute nodes get
         * qemu's RBD driver and libvirt the {@code client.cinder} key, so volumes attach to domains.
         */
        public Builder nova(Nova n) {
            this.nova = n;
            return this;
        }

        public Cinder build() {
            return new Cinder(this);
        }
    }

    @Override
    public List<Component> requires() {
        return nova == null ? List.of(sql, messaging, keystone, ceph) : List.of(sql, messaging, keystone, ceph, nova);
    }

    @Override
    public Map<DistroFamily, List<String>> packages() {
        List<String> debian = new ArrayList<>(List.of("cinder-api", "cinder-scheduler", "cinder-volume", "python3-rbd",
                "python3-rados"));
        List<String> fedora = new ArrayList<>(List.of("openstack-cinder", "python3-rbd"));
        List<String> suse = new ArrayList<>(List.of("openstack-cinder-api", "openstack-cinder-scheduler",
                "openstack-cinder-volume"));
        if (libvirtCompute()) {
            // qemu opens RBD volumes itself: its rbd block driver
            debian.add("qemu-block-extra");
            fedora.add("qemu-kvm-block-rbd");
            suse.add("qemu-block-rbd");
        }
        return Pkgs.of(debian, fedora, suse);
    }

    @Override
    public List<String> services() {
        return List.of("cinder-api", "cinder-scheduler", "cinder-volume");
    }

    @Override
    public List<String> masked() {
        // the LVM and iSCSI machinery the package pulls in: the RBD driver uses neither
        return List.of("iscsid.socket", "iscsid", "open-iscsi", "tgt", "lvm2-monitor", "lvm2-lvmpolld.socket",
                "dm-event.socket", "blk-availability");
    }

    @Override
    public List<String> debconf() {
        List<String> answers = new ArrayList<>(List.of("cinder-common cinder/configure_db boolean false",
                "cinder-api cinder/configure_api-endpoint boolean false"));
        answers.add("cinder-common cinder/my-ip string 127.0.0.1");  // no default: the install would ask
        answers.add("cinder-common cinder/volume_group string cinder-volumes");
        return answers;
    }

    @Override
    public String schemaScript() {
        return """
                m -e 'CREATE DATABASE cinder'
                printf '[database]\\nconnection = %s\\n' "$(url cinder)" > $d/cinder.conf
                cinder-manage --config-file $d/cinder.conf db sync
                dump cinder-db-sync cinder-common cinder-db-sync cinder
                """;
    }

    /** Its database, HAProxy frontend, service user and catalog entry under the newer clients' name. */
    @Override
    protected Api api() {
        return new Api("cinder", "block-storage", PORT, "/v3/%(project_id)s", "/");
    }

    /** The same API under its older name too ({@code volumev3}), which most clients still look for. */
    @Override
    public List<KeystoneRegistrar.ServiceDef> catalog(Deploy d) {
        List<KeystoneRegistrar.ServiceDef> defs = new ArrayList<>(endpoint("cinderv3", "volumev3",
                d.endpoints().url(PORT, api().path())));
        defs.addAll(super.catalog(d));
        return defs;
    }

    @Override
    public Map<String, Map<String, Map<String, String>>> extensions(Deploy d) {
        Map<String, String> novaCinder = new LinkedHashMap<>(d.serviceCredentials("cinder"));
        novaCinder.put("os_region_name", d.cloud().region());
        novaCinder.put("catalog_info", "volumev3:cinderv3:internalURL");
        if (libvirtCompute()) {
            // the libvirt secret holding client.cinder's key, for the domains' RBD disks
            return Map.of("/etc/nova/nova.conf", Map.of("cinder", novaCinder, "libvirt", Map.of("rbd_user", "cinder",
                    "rbd_secret_uuid", Ceph.libvirtSecretUuid(d))));
        }
        return Map.of("/etc/nova/nova.conf", Map.of("cinder", novaCinder));
    }

    private boolean libvirtCompute() {
        return nova != null && nova.libvirt();
    }

    /** Done when the block storage API answers and its default volume type exists. */
    public Task<?> ready(Deploy d) {
        return planned(d, "ready");
    }

    @Override
    protected void plan(Deploy d) {
        var ctl = d.withRole(Inventory.CONTROLLER);
        Task<Boolean> config = d.task(name() + ".config", ctx -> {
            Map<String, Map<String, String>> s = new LinkedHashMap<>();
            Map<String, String> def = new LinkedHashMap<>();
            def.put("transport_url", d.transportUrl());
            def.put("auth_strategy", "keystone");
            def.put("enabled_backends", BACKEND);
            def.put("default_volume_type", BACKEND);
            def.put("state_path", "/var/lib/cinder");
            def.put("osapi_volume_workers", "1");
            def.put("glance_api_servers", d.endpoints().url(9292));
            s.put("DEFAULT", def);
            s.put("database", Map.of("connection", d.dbUrl("cinder", "cinder")));
            s.put("keystone_authtoken", d.authtoken("cinder"));
            s.put("nova", d.serviceCredentials("nova"));
            s.put("oslo_concurrency", Map.of("lock_path", "/var/lib/cinder/tmp"));
            s.putAll(d.messaging());
            Map<String, String> rbd = new LinkedHashMap<>();
            rbd.put("volume_driver", "cinder.volume.drivers.rbd.RBDDriver");
            rbd.put("volume_backend_name", BACKEND);
            rbd.put("rbd_pool", Ceph.VOLUMES);
            rbd.put("rbd_ceph_conf", "/etc/ceph/ceph.conf");
            rbd.put("rbd_user", "cinder");
            rbd.put("rbd_secret_uuid", Ceph.libvirtSecretUuid(d));
            rbd.put("rbd_flatten_volume_from_snapshot", "false");
            rbd.put("report_discard_supported", "true");
            s.put(BACKEND, rbd);
            if (ctl.size() > 1) {
                // every controller's volume service serves the one backend: volumes outlive the controller that
                // made them
                rbd.put("backend_host", "ceph");
            }
            boolean a = d.callEachIni(ctl, "/etc/cinder/cinder.conf", n -> Inventory.overlay(s,
                    Map.of("DEFAULT", Map.of("my_ip", d.ipOf(n)))), "cinder");
            boolean b = d.ini(ctl, "/etc/cinder/cinder-api-uwsgi.ini", Deploy.UWSGI, "cinder");
            b |= d.listen(ctl, "cinder-api", PORT, "/etc/cinder/cinder-api-uwsgi.ini");
            boolean k = Ceph.writeCinderKeyring(d, ctl);
            return a || b || k;
        });
        Task<Boolean> sync = dbSync(d, "cinder-common", "cinder", config, sql.schemas(d), "cinder-manage", "db", "sync");
        // started while Keystone registers the catalog: its API checks tokens only once asked
        Task<Void> start = d.task(name() + ".start", ctx -> {
            d.services(ctl, ctx.want(config), "cinder-api", "cinder-scheduler");
            return null;
        }, sync, keystone.answering(d), messaging.userReady(d));
        d.task(name() + ".volume", ctx -> {
            d.services(ctl, ctx.want(config), "cinder-volume");
            return null;
        }, sync, messaging.userReady(d), ceph.ready(d));
        if (libvirtCompute()) {
            // libvirtd on the compute nodes keeps client.cinder's key as a secret that domains' RBD
            // disks name (Cinder's rbd_secret_uuid)
            Ceph.libvirtSecret(d, nova.hypervisor(d));
        }
        Task<?> ready = answering(d, "api_ready", d.endpoints().url(PORT, "/"), "cinder-api", start);
        // the default volume type (default_volume_type above) must exist before a volume is asked for
        d.task(name() + ".ready", ctx -> d.onController(new EnsureVolumeType(d.endpoints().url(5000),
                d.secret("keystone-admin"), d.cloud().region(), BACKEND, BACKEND)), ready, keystone.registered(d));
    }
}
