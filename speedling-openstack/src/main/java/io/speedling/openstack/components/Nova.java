package io.speedling.openstack.components;

import io.speedling.core.FileSpec;
import io.speedling.core.functions.Sh;
import io.speedling.core.functions.WriteFile;
import io.speedling.core.tasks.Task;
import io.speedling.openstack.Component;
import io.speedling.openstack.Deploy;
import io.speedling.openstack.DistroFamily;
import io.speedling.openstack.Inventory;
import io.speedling.openstack.remote.Mysql;
import io.speedling.openstack.remote.Once;
import io.speedling.openstack.remote.WaitHttp;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Compute: API, conductor and scheduler on the controller, nova-compute on compute nodes. The
 * compute driver is {@code fake.FakeDriver} unless set (Nova's fake driver, with snapshots that
 * finish: {@link #FAKE_DRIVER_PY}): {@code libvirt.LibvirtDriver} runs servers as qemu (TCG) domains
 * under a libvirtd on each compute node, with the nova-compute-qemu packages in the image.
 */
public final class Nova extends Component {
    public static final String FAKE = "fake.FakeDriver";
    public static final String LIBVIRT = "libvirt.LibvirtDriver";

    /**
     * What libvirtd's qemu driver is told on compute nodes: no per-domain cgroups, since a
     * systemd-nspawn node sees the cgroup controllers read-only and libvirtd then refuses to start a
     * domain ("Failed to create v1 controller cpu"). A dev cloud's servers need no CPU or memory
     * limits of their own.
     */
    static final String QEMU_CONF = "cgroup_controllers = [ ]";

    /** How long the deploy waits for every compute node to register with its cell. */
    static final int DISCOVER_SECONDS = 240;

    /**
     * Nova's fake driver, closer to a real one in what a client sees. Snapshots finish: the stock
     * driver marks the image uploading and never uploads it, so {@code openstack server image create}
     * leaves an image SAVING forever; this one uploads a small raw disk, as a real driver uploads the
     * server's disk. Ports go ACTIVE and answer: each server gets a network namespace with one veth
     * per port (the port's MAC and addresses inside, the default route via the subnet's gateway) whose
     * outer end is the port's tap device, so the network agent wires it into its network and marks the
     * port up, and the server answers ping on its fixed and floating addresses (what Tempest's network
     * scenarios check). The server becomes ACTIVE once Neutron reports its ports plugged, as with
     * libvirt. No guest OS: nothing to log into. Written to the compute nodes as a module beside the
     * stock one (Nova loads drivers from its {@code nova.virt} package only, and its privileged helper
     * runs functions of {@code nova} modules only): {@value #FAKE_MODULE}.
     */
    static final String FAKE_DRIVER_PY = """
            # written by speedling: nova's fake driver, with snapshots that upload an image and servers
            # whose ports answer from a network namespace of their own
            import io
            import ipaddress
            import os

            import eventlet
            from oslo_concurrency import processutils
            from oslo_log import log as logging

            import nova.conf
            import nova.privsep
            from nova import exception
            from nova.image import glance
            from nova.virt import fake

            CONF = nova.conf.CONF
            LOG = logging.getLogger(__name__)

            def _ns(instance):
                return 'fakeguest-' + instance.uuid

            def _ports(network_info):
                ports = []
                for vif in network_info or []:
                    if not vif.get('devname'):
                        continue
                    cidrs, gateway = [], None
                    for subnet in vif['network'].get('subnets', []):
                        net = ipaddress.ip_network(subnet['cidr'])
                        if net.version != 4:
                            continue
                        cidrs += ['%s/%d' % (ip['address'], net.prefixlen) for ip in subnet.get('ips', [])]
                        gateway = gateway or (subnet.get('gateway') or {}).get('address')
                    ports.append((vif['devname'], vif['address'], cidrs, gateway, vif['network'].get('meta', {}).get('mtu'),
                                  vif['network'].get('bridge'), vif.get('type'), vif['id']))
                return ports

            @nova.privsep.sys_admin_pctxt.entrypoint
            def plug_guest_port(ns, index, dev, mac, cidrs, gateway, mtu, bridge, vif_type, vif_id, uuid):
                ex = processutils.execute
                if not os.path.exists('/run/netns/' + ns):
                    ex('ip', 'netns', 'add', ns)
                    ex('ip', 'netns', 'exec', ns, 'ip', 'link', 'set', 'lo', 'up')
                if os.path.exists('/sys/class/net/' + dev):
                    return  # plugged already
                peer = 'fg' + dev[3:]
                ex('ip', 'link', 'add', dev, 'type', 'veth', 'peer', 'name', peer)
                if mtu:
                    ex('ip', 'link', 'set', dev, 'mtu', str(mtu))
                    ex('ip', 'link', 'set', peer, 'mtu', str(mtu))
                ex('ip', 'link', 'set', peer, 'netns', ns)
                nic = 'eth%d' % index
                ex('ip', 'netns', 'exec', ns, 'ip', 'link', 'set', peer, 'address', mac, 'name', nic)
                for cidr in cidrs:
                    ex('ip', 'netns', 'exec', ns, 'ip', 'addr', 'add', cidr, 'dev', nic)
                ex('ip', 'netns', 'exec', ns, 'ip', 'link', 'set', nic, 'up')
                if gateway and index == 0:
                    ex('ip', 'netns', 'exec', ns, 'ip', 'route', 'replace', 'default', 'via', gateway)
                if vif_type == 'ovs':
                    # as os-vif does for an OVS port: ovn-controller claims it by its iface-id
                    ex('ovs-vsctl', '--', '--may-exist', 'add-port', bridge or 'br-int', dev, '--', 'set', 'Interface', dev,
                       'external-ids:iface-id=' + vif_id, 'external-ids:iface-status=active',
                       'external-ids:attached-mac=' + mac, 'external-ids:vm-uuid=' + uuid)
                # as os-vif and libvirt do for a linuxbridge port: the agent leaves compute ports to them
                elif bridge:
                    if not os.path.exists('/sys/class/net/' + bridge):
                        ex('ip', 'link', 'add', bridge, 'type', 'bridge', check_exit_code=[0, 2])
                        ex('ip', 'link', 'set', bridge, 'up')
                    ex('ip', 'link', 'set', dev, 'master', bridge)
                ex('ip', 'link', 'set', dev, 'up')

            @nova.privsep.sys_admin_pctxt.entrypoint
            def unplug_guest(ns, devs):
                for dev in devs:
                    if os.path.exists('/run/openvswitch/db.sock'):
                        processutils.execute('ovs-vsctl', '--if-exists', 'del-port', dev, check_exit_code=[0, 1])
                    if os.path.exists('/sys/class/net/' + dev):
                        processutils.execute('ip', 'link', 'delete', dev, check_exit_code=[0, 1, 2, 254])
                if os.path.exists('/run/netns/' + ns):
                    processutils.execute('ip', 'netns', 'delete', ns, check_exit_code=[0, 1, 2, 254])

            class FakeDriver(fake.FakeDriver):
                def spawn(self, context, instance, image_meta, injected_files, admin_password, allocations,
                          network_info=None, block_device_info=None, power_on=True, accel_info=None):
                    # as the libvirt driver does: the server is ACTIVE once Neutron says its ports are wired
                    events = [('network-vif-plugged', vif['id']) for vif in network_info or []
                              if vif.get('active', True) is False and vif.get('devname')]
                    try:
                        with self.virtapi.wait_for_instance_event(instance, events, deadline=CONF.vif_plugging_timeout,
                                                                  error_callback=self._vif_failed):
                            for index, port in enumerate(_ports(network_info)):
                                try:
                                    plug_guest_port(_ns(instance), index, *port, instance.uuid)
                                except Exception:
                                    LOG.warning('could not plug port %s: it stays down', port[0], exc_info=True)
                    except eventlet.timeout.Timeout:
                        LOG.warning('ports of %s not reported up within %s s', instance.uuid, CONF.vif_plugging_timeout)
                        if CONF.vif_plugging_is_fatal:
                            raise exception.VirtualInterfaceCreateException()
                    super().spawn(context, instance, image_meta, injected_files, admin_password, allocations,
                                  network_info, block_device_info, power_on, accel_info)

                def _vif_failed(self, event_name, instance):
                    LOG.error('Neutron reported failure on event %s for instance %s', event_name, instance.uuid)
                    if CONF.vif_plugging_is_fatal:
                        raise exception.VirtualInterfaceCreateException()

                def destroy(self, context, instance, network_info, block_device_info=None, destroy_disks=True,
                            destroy_secrets=True):
                    super().destroy(context, instance, network_info, block_device_info, destroy_disks,
                                    destroy_secrets)
                    try:
                        unplug_guest(_ns(instance), [p[0] for p in _ports(network_info)])
                    except Exception:
                        LOG.warning('could not remove the ports of %s', instance.uuid, exc_info=True)

                def snapshot(self, context, instance, image_id, update_task_state):
                    super().snapshot(context, instance, image_id, update_task_state)
                    meta = {'disk_format': 'raw', 'container_format': 'bare'}
                    glance.API().update(context, image_id, meta, data=io.BytesIO(bytes(1024 * 1024)),
                                        purge_props=False)
            """;
    static final String FAKE_MODULE = "speedling_fake";

    /** The metadata API's port; served by the compute API's uWSGI process ({@link #APIS_WSGI_PY}). */
    static final int METADATA_PORT = 8775;
    /** Where {@link #APIS_WSGI_PY} goes: nova-api's uWSGI loads it instead of the package's script. */
    static final String APIS_WSGI = "/etc/nova/speedling-apis-wsgi.py";
    /**
     * The compute API and the metadata API in one process, told apart by the port a request came
     * in on (uWSGI's {@code SERVER_PORT} is its socket's). Nova initialises its global state once per
     * interpreter and sets up each API after it. As its own unit the metadata API imported all of Nova
     * a second time: 2.5-3.6 s of CPU on every fresh deploy, and a process's memory.
     */
    static final String APIS_WSGI_PY = """
            # written by speedling: nova-api's uWSGI serves the compute API and, on its second socket,
            # the metadata API
            from nova.api.openstack import wsgi_app

            compute = wsgi_app.init_application('osapi_compute')
            metadata = wsgi_app.init_application('metadata')


            def application(environ, start_response):
                app = metadata if environ.get('SERVER_PORT') == '%d' else compute
                return app(environ, start_response)
            """.formatted(METADATA_PORT);
    /** The package's unit for the metadata API alone: disabled, its port being nova-api's. */
    static final String METADATA_UNIT = "nova-api-metadata";

    /** nova's fixed UUID for cell0. */
    static final String CELL0_UUID = "00000000-0000-0000-0000-000000000000";

    private final MariaDb sql;
    private final RabbitMq messaging;
    private final Keystone keystone;
    private final Placement placement;
    private final Glance glance;
    private final Neutron networking;
    private final String computeDriver;
    private final Ceph ephemeral;

    private Nova(Builder b) {
        super(b.name, b.release);
        String how = "Nova.builder()";
        this.sql = required(b.sql, b.name, "an SQL server", how + ".sql(mariadb)");
        this.messaging = required(b.messaging, b.name, "a message queue", how + ".messaging(rabbitmq)");
        this.keystone = required(b.keystone, b.name, "keystone", how + ".keystone(keystone)");
        this.placement = required(b.placement, b.name, "placement", how + ".placement(placement)");
        this.glance = required(b.glance, b.name, "an image service (glance)", how + ".glance(glance)");
        this.networking = required(b.networking, b.name, "networking (neutron)", how + ".networking(neutron)");
        this.computeDriver = b.computeDriver;
        this.ephemeral = b.ephemeral;
        if (ephemeral != null && !libvirt()) {
            throw new IllegalArgumentException(b.name + ": ephemeral disks in Ceph need the libvirt compute driver ("
                    + computeDriver + " keeps no disks): give " + how + ".computeDriver(\"libvirt\") or leave out "
                    + ".ephemeral(ceph)");
        }
    }

    public static Builder builder() {
        return new Builder();
    }

    public static final class Builder extends ServiceBuilder.WithMessaging<Builder> {
        private Placement placement;
        private Glance glance;
        private Neutron networking;
        private String computeDriver = FAKE;
        private Ceph ephemeral;

        private Builder() {
            super("nova");
        }

        public Builder placement(Placement p) {
            this.placement = p;
            return this;
        }

        public Builder glance(Glance g) {
            this.glance = g;
            return this;
        }

        public Builder networking(Neutron n) {
            this.networking = n;
            return this;
        }

        /**
         * nova's compute_driver: {@code fake.FakeDriver} (the default; also "fake") or
         * {@code libvirt.LibvirtDriver} (also "libvirt": qemu domains, TCG).
         */
        public Builder computeDriver(String driver) {
            this.computeDriver = driverName(driver);
            return this;
        }

        /**
         * Servers' root and ephemeral disks as RBD images in Ceph's {@code vms} pool instead of files
         * on the compute node ({@code [libvirt] images_type = rbd}; with Glance on RBD a server's disk
         * is a copy-on-write clone of its image, and a snapshot is made inside Ceph). Libvirt driver
         * only; null (the default) keeps them in files.
         */
        public Builder ephemeral(Ceph ceph) {
            this.ephemeral = ceph;
            return this;
        }

        public Nova build() {
            return new Nova(this);
        }
    }

    @Override
    public List<Component> requires() {
        List<Component> needs = new ArrayList<>(List.of(sql, messaging, keystone, placement, glance, networking));
        if (ephemeral != null) {
            needs.add(ephemeral);
        }
        return List.copyOf(needs);
    }

    /** The API, conductor and scheduler on the controllers; nova-compute and its hypervisor on compute nodes. */
    @Override
    public List<String> packagesOn(Inventory inventory, String node) {
        Set<String> roles = inventory.rolesOf(node);
        List<String> out = new ArrayList<>();
        for (String p : packages().get(DistroFamily.DEBIAN)) {
            boolean api = List.of("nova-api", "nova-conductor", "nova-scheduler").contains(p);
            if (api ? roles.contains(Inventory.CONTROLLER) : roles.contains(Inventory.COMPUTE)) {
                out.add(p);
            }
        }
        return out;
    }

    @Override
    public Map<DistroFamily, List<String>> packages() {
        // nova-compute needs one hypervisor package (they conflict with each other); the qemu one for
        // both drivers, so that a fake-driver cloud and a libvirt one share one node image (a second
        // image is a second 2.2 GB packages layer: 13 minutes of CI). The deploy writes
        // nova-compute.conf's driver and the fake driver's nodes never start libvirtd.
        List<String> debian = new ArrayList<>(List.of("nova-api", "nova-conductor", "nova-scheduler", "nova-compute",
                "nova-compute-qemu"));
        if (ephemeral != null) {
            // nova-compute makes the disks through librbd's Python binding; qemu opens them with its rbd driver
            debian.addAll(List.of("python3-rbd", "python3-rados", "qemu-block-extra"));
        }
        return Pkgs.of(debian,
                List.of("openstack-nova-api", "openstack-nova-conductor", "openstack-nova-scheduler",
                        "openstack-nova-compute"),
                List.of("openstack-nova-api", "openstack-nova-conductor", "openstack-nova-scheduler",
                        "openstack-nova-compute"));
    }

    @Override
    public List<String> services() {
        // libvirt's come with nova-compute-qemu for both drivers: kept from starting at boot (the libvirt
        // driver's deploy starts libvirtd itself; libvirt-guests would start it through its socket on
        // every node, default network and all)
        // (the metadata API's own unit too: nova-api serves it, see APIS_WSGI_PY)
        return List.of("nova-api", "nova-conductor", "nova-scheduler", "nova-compute", METADATA_UNIT, "libvirtd",
                "libvirt-guests");
    }

    @Override
    public List<String> debconf() {
        List<String> answers = new ArrayList<>(Pkgs.noSelfSetup("nova-common", "nova-api", "nova"));
        answers.add("nova-common nova/my-ip string 127.0.0.1");  // no default: the install would ask
        return answers;
    }

    @Override
    public String schemaScript() {
        return """
                m -e 'CREATE DATABASE nova_api; CREATE DATABASE nova; CREATE DATABASE nova_cell0'
                printf '[api_database]\\nconnection = %s\\n[database]\\nconnection = %s\\n' "$(url nova_api)" "$(url nova)" > $d/nova.conf
                printf '[api_database]\\nconnection = %s\\n[database]\\nconnection = %s\\n' "$(url nova_api)" "$(url nova_cell0)" > $d/nova0.conf
                nova-manage --config-file $d/nova.conf api_db sync
                nova-manage --config-file $d/nova.conf db sync --local_cell
                nova-manage --config-file $d/nova0.conf db sync --local_cell
                dump nova-db-sync nova-common "nova-db-sync nova-cell0-sync" nova_api nova nova_cell0
                """;
    }

    @Override
    public List<Database> databases() {
        return List.of(new Database("nova_api", "nova"), new Database("nova", "nova"), new Database("nova_cell0", "nova"));
    }

    @Override
    public List<Frontend> frontends() {
        return List.of(Frontend.http("nova", 8774, "/"), Frontend.http("nova-metadata", METADATA_PORT, "/"));
    }

    /** Its catalog entry and service user; three databases and two frontends (above). */
    @Override
    protected Api api() {
        return new Api("nova", "compute", 8774, "/v2.1", "/");
    }

    @Override
    public Map<String, Map<String, Map<String, String>>> extensions(Deploy d) {
        if (ephemeral == null) {
            return Map.of();
        }
        // a snapshot of a disk in Ceph is a clone Nova makes in the images pool and then gives Glance as the
        // image's location: Glance takes locations from clients only with this on (it also lists them)
        return Map.of("/etc/glance/glance-api.conf", Map.of("DEFAULT", Map.of("show_multiple_locations", "True")));
    }

    /**
     * The full name of a compute driver given as {@code fake}, {@code libvirt} or in full.
     *
     * @throws IllegalArgumentException for any other, naming the ones there are
     */
    public static String driverName(String driver) {
        return switch (driver == null ? "" : driver.strip()) {
            case "fake", FAKE -> FAKE;
            case "libvirt", LIBVIRT -> LIBVIRT;
            default -> throw new IllegalArgumentException("unknown compute driver '" + driver + "': give "
                    + FAKE + " (or fake) or " + LIBVIRT + " (or libvirt)");
        };
    }

    public String computeDriver() {
        return computeDriver;
    }

    /** What nova.conf's compute_driver names: the fake driver is ours ({@link #FAKE_DRIVER_PY}). */
    String driverClass() {
        return libvirt() ? LIBVIRT : FAKE_MODULE + ".FakeDriver";
    }

    boolean libvirt() {
        return LIBVIRT.equals(computeDriver);
    }

    /** True when servers' disks are RBD images in Ceph ({@link Builder#ephemeral}). */
    public boolean ephemeralOnRbd() {
        return ephemeral != null;
    }

    /**
     * The nodes of {@code nodes} that are not also controllers (none in an all-in-one cloud): they get
     * a config without the database. Nova's compute nodes, Neutron's agents.
     */
    static io.speedling.core.NodeGroup awayFromControllers(Deploy d, io.speedling.core.NodeGroup ctl,
                                                           io.speedling.core.NodeGroup nodes) {
        return d.fleet().group(nodes.names().stream().filter(n -> !ctl.names().contains(n))
                .toArray(String[]::new));
    }

    /** Done when the compute API answers. */
    public Task<?> ready(Deploy d) {
        return planned(d, "ready");
    }

    /** Done when libvirtd runs on every compute node (libvirt driver only). */
    public Task<?> hypervisor(Deploy d) {
        if (!libvirt()) {
            throw new IllegalStateException(name() + " runs " + computeDriver + ": no libvirtd on its compute nodes");
        }
        return planned(d, "libvirtd");
    }

    /** Done when every compute node is mapped to the cell: servers can be scheduled. */
    public Task<?> computeReady(Deploy d) {
        return planned(d, "discover_hosts");
    }

    @Override
    protected void plan(Deploy d) {
        var ctl = d.withRole(Inventory.CONTROLLER);
        var compute = d.withRole(Inventory.COMPUTE);
        Task<Boolean> config = d.task(name() + ".config", ctx -> {
            Map<String, Map<String, String>> s = new LinkedHashMap<>();
            s.put("DEFAULT", Map.of("transport_url", d.transportUrl(), "compute_driver", driverClass(),
                    "state_path", "/var/lib/nova"));
            s.putAll(d.messaging());
            s.put("api", Map.of("auth_strategy", "keystone"));
            s.put("api_database", Map.of("connection", d.dbUrl("nova_api", "nova")));
            s.put("database", Map.of("connection", d.dbUrl("nova", "nova")));
            s.put("keystone_authtoken", d.authtoken("nova"));
            s.put("placement", d.serviceCredentials("placement"));
            Map<String, String> neutron = new LinkedHashMap<>(d.serviceCredentials("neutron"));
            neutron.put("service_metadata_proxy", "true");
            neutron.put("metadata_proxy_shared_secret", d.secret("metadata-proxy"));
            s.put("neutron", neutron);
            Map<String, String> serviceUser = new LinkedHashMap<>(d.serviceCredentials("nova"));
            serviceUser.put("send_service_user_token", "true");
            s.put("service_user", serviceUser);
            s.put("glance", Map.of("api_servers", d.endpoints().url(9292)));
            s.put("vnc", Map.of("enabled", "false"));
            s.put("oslo_concurrency", Map.of("lock_path", "/var/lib/nova/tmp"));
            // one process each instead of one per CPU: on a small test node every fork costs start-up CPU
            s.put("scheduler", Map.of("discover_hosts_in_cells_interval", "-1", "workers", "1"));
            s.put("conductor", Map.of("workers", "1"));
            boolean a = d.callEachIni(ctl, "/etc/nova/nova.conf", node -> Inventory.overlay(s,
                    Map.of("DEFAULT", Map.of("my_ip", d.ipOf(node)))), "nova");
            // compute-only nodes: what nova-compute reads, with their own address; no database
            var workers = awayFromControllers(d, ctl, compute);
            if (!workers.names().isEmpty()) {
                a |= d.callEachIni(workers, "/etc/nova/nova.conf", node -> {
                    Map<String, Map<String, String>> w = new LinkedHashMap<>();
                    w.put("DEFAULT", Map.of("transport_url", d.transportUrl(), "my_ip", d.ipOf(node),
                            "compute_driver", driverClass(), "state_path", "/var/lib/nova"));
                    for (String section : List.of("placement", "neutron", "service_user", "glance", "vnc",
                            "oslo_concurrency")) {
                        w.put(section, s.get(section));
                    }
                    w.putAll(d.messaging());
                    return w;
                }, "nova");
            }
            // one uWSGI process for the compute and the metadata APIs (the package's files ask for 16 and
            // 8 processes that each load the whole API: lazy-apps)
            boolean b = ctl.call(WriteFile.text(APIS_WSGI, APIS_WSGI_PY, FileSpec.mode(0644)))
                    .containsValue(Boolean.TRUE);
            Map<String, Map<String, String>> uwsgi = Inventory.overlay(Deploy.UWSGI_EVENTLET,
                    Map.of("uwsgi", Map.of("wsgi-file", APIS_WSGI)));
            b |= d.ini(ctl, "/etc/nova/nova-api-uwsgi.ini", uwsgi, "nova");
            b |= d.listen(ctl, "nova-api", "/etc/nova/nova-api-uwsgi.ini", 8774, METADATA_PORT);
            // the hypervisor package's own file is read after nova.conf and would win
            Map<String, Map<String, String>> cc = new LinkedHashMap<>();
            cc.put("DEFAULT", Map.of("compute_driver", driverClass()));
            if (libvirt()) {
                Map<String, String> lv = new LinkedHashMap<>();
                lv.put("virt_type", "qemu");  // /dev/kvm cannot boot guests here
                if (ephemeral != null) {
                    lv.put("images_type", "rbd");
                    lv.put("images_rbd_pool", Ceph.VMS);
                    lv.put("images_rbd_ceph_conf", "/etc/ceph/ceph.conf");
                    lv.put("rbd_user", "cinder");
                    lv.put("rbd_secret_uuid", Ceph.libvirtSecretUuid(d));
                }
                cc.put("libvirt", lv);
                // no console proxy runs in the cloud, so guests get no graphics device: Debian's nova.conf
                // turns SPICE on, and Debian 13's qemu has it only with qemu-system-modules-spice
                cc.put("spice", Map.of("enabled", "false"));
            }
            boolean c = d.ini(compute, "/etc/nova/nova-compute.conf", cc, "nova");
            if (ephemeral != null) {
                c |= Ceph.writeCinderKeyring(d, compute);
            }
            if (!libvirt()) {
                c |= compute.call(WriteFile.text("/usr/lib/python3/dist-packages/nova/virt/" + FAKE_MODULE + ".py", FAKE_DRIVER_PY,
                        FileSpec.mode(0644))).containsValue(Boolean.TRUE);
            }
            return a || b || c;
        });
        Task<Boolean> sync = d.task(name() + ".db_sync", ctx -> {
            String version = packageVersion(d, "nova-common");
            String cell0 = d.dbUrl("nova_cell0", "nova");
            // schemas of the API and cell1 databases (made ahead in the image when it has a snapshot)
            boolean a = d.onController(new Once("nova-db-sync", version, List.of("sh", "-c",
                    "nova-manage api_db sync && nova-manage db sync --local_cell"), Map.of(), "nova"));
            // cells are per deployment (their URLs hold its passwords): the rows nova-manage cell_v2
            // map_cell0 and create_cell would write, without three Python start-ups
            String c0 = cell0.replace("'", "''");
            String c1 = d.dbUrl("nova", "nova").replace("'", "''");
            String mq = d.transportUrl().replace("'", "''");
            d.onController(new Mysql("INSERT INTO nova_api.cell_mappings (created_at, uuid, name, transport_url, "
                    + "database_connection, disabled) SELECT NOW(), '" + CELL0_UUID + "', 'cell0', 'none:///', '" + c0
                    + "', 0 FROM DUAL WHERE NOT EXISTS (SELECT 1 FROM nova_api.cell_mappings WHERE uuid = '"
                    + CELL0_UUID + "');\n"
                    + "UPDATE nova_api.cell_mappings SET database_connection = '" + c0 + "' WHERE uuid = '" + CELL0_UUID
                    + "';\n"
                    + "INSERT INTO nova_api.cell_mappings (created_at, uuid, name, transport_url, database_connection, "
                    + "disabled) SELECT NOW(), UUID(), 'cell1', '" + mq + "', '" + c1 + "', 0 FROM DUAL WHERE NOT EXISTS "
                    + "(SELECT 1 FROM nova_api.cell_mappings WHERE name = 'cell1');\n"
                    + "UPDATE nova_api.cell_mappings SET transport_url = '" + mq + "', database_connection = '" + c1
                    + "' WHERE name = 'cell1';\n"));
            // with cell0 mapped, db sync migrates it too
            boolean c = d.onController(new Once("nova-cell0-sync", version, List.of("nova-manage", "db", "sync"),
                    Map.of(), "nova"));
            return a || c;
        }, config, sql.schemas(d));
        // the API, conductor and scheduler ask Placement nothing at their start: they start beside it (their
        // Python start-up was the deploy's longest wait, after Placement's)
        Task<Void> start = d.task(name() + ".start", ctx -> {
            boolean changed = ctx.want(config);
            // a cloud deployed before ran the metadata API as its own unit, which holds the port (its first
            // rerun with this code changes nova-api's files, so an unchanged rerun has nothing to check)
            if (changed) {
                ctl.call(Sh.checked("[ ! -e /etc/systemd/system/multi-user.target.wants/" + METADATA_UNIT
                        + ".service ] || systemctl disable --now " + METADATA_UNIT));
            }
            d.services(ctl, changed, "nova-api", "nova-conductor", "nova-scheduler");
            return null;
        }, sync, keystone.registered(d), messaging.userReady(d));
        // the compute service reports its resources to Placement at its start (and only every minute after)
        List<Task<?>> computeAfter = new ArrayList<>(List.of(start, placement.ready(d)));
        if (libvirt()) {
            computeAfter.add(d.task(name() + ".libvirtd", ctx -> {
                String qemuConf = "/etc/libvirt/qemu.conf";
                boolean libvirtChanged = compute.call(new Sh("grep -qxF '" + QEMU_CONF + "' " + qemuConf
                        + " && exit 0; printf '%s\\n' '# speedling: no per-domain cgroups (read-only in nspawn nodes)' '"
                        + QEMU_CONF + "' >> " + qemuConf + " && echo changed", true)).values().stream()
                        .anyMatch(r -> r.stdout().contains("changed"));
                d.services(compute, libvirtChanged, "libvirtd");
                return null;
            }));
        }
        if (ephemeral != null) {
            // the compute service reports the vms pool's capacity from its start on
            computeAfter.add(ephemeral.ready(d));
            computeAfter.add(Ceph.libvirtSecret(d, hypervisor(d)));
        }
        Task<Void> computeStart = d.task(name() + ".compute", ctx -> {
            d.services(compute, ctx.want(config), "nova-compute");
            return null;
        }, computeAfter.toArray(Task<?>[]::new));
        // and the metadata API, which Neutron's metadata agent passes the servers' requests to
        d.task(name() + ".ready", ctx -> {
            d.onController(new WaitHttp(d.endpoints().url(8774, "/"), 120, "nova-api"));
            return d.onController(new WaitHttp(d.endpoints().url(METADATA_PORT, "/"), 120, "nova-api"));
        }, start);
        d.task(name() + ".discover_hosts", ctx -> {
            List<String> hosts = d.cloud().inventory().nodesWith(Inventory.COMPUTE);
            // what nova-manage cell_v2 discover_hosts does (map each unmapped compute node of cell1
            // to the cell, mark it mapped), in SQL: milliseconds instead of 9 s of Python start-up
            String discover = "INSERT INTO nova_api.host_mappings (created_at, cell_id, host) "
                    + "SELECT DISTINCT NOW(), cm.id, cn.host FROM nova.compute_nodes cn "
                    + "JOIN nova_api.cell_mappings cm ON cm.name = 'cell1' "
                    + "WHERE cn.deleted = 0 AND cn.host IS NOT NULL "
                    + "AND cn.host NOT IN (SELECT host FROM nova_api.host_mappings);\n"
                    + "UPDATE nova.compute_nodes SET mapped = 1 WHERE deleted = 0 AND mapped = 0 "
                    + "AND host IN (SELECT host FROM nova_api.host_mappings);\n"
                    + "SELECT host FROM nova_api.host_mappings;";
            // seconds on a quiet machine; a compute service on a node starved of CPU (two cores shared with
            // another cloud) took more than 90 s to register
            long deadline = System.nanoTime() + DISCOVER_SECONDS * 1_000_000_000L;
            while (true) {
                List<String> have = d.onController(new Mysql(discover)).lines().map(String::strip).toList();
                if (have.containsAll(hosts)) {
                    return null;
                }
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException("compute hosts " + hosts + " are not mapped to a cell after "
                            + DISCOVER_SECONDS + " s "
                            + "(mapped: " + have + "); see nova-compute's log on those nodes");
                }
                // a compute node shows up in the cell's database a few seconds after its service starts
                Thread.sleep(500);
            }
        }, computeStart);
    }
}
