package io.speedling.openstack.components;

import io.speedling.core.FileSpec;
import io.speedling.core.Node;
import io.speedling.core.functions.Sh;
import io.speedling.core.functions.WriteFile;
import io.speedling.core.tasks.Task;
import io.speedling.openstack.Component;
import io.speedling.openstack.Deploy;
import io.speedling.openstack.DistroFamily;
import io.speedling.openstack.Inventory;
import io.speedling.openstack.remote.WaitTcp;
import java.util.List;
import java.util.Map;

/**
 * The virtual IP in front of several controllers: keepalived on each controller holds it on one of
 * them at a time (VRRP over unicast on the management network; it moves when its holder dies or
 * the holder's HAProxy stops), and HAProxy on each listens on it for every component's {@link
 * Component.Frontend}, passing each connection to a controller whose port passes its check. Part
 * of every cloud whose inventory has a virtual IP ({@link Inventory#virtualIp}); in a cloud of one
 * controller (no virtual IP) it does nothing: clients reach the controller itself.
 */
public final class LoadBalancer extends Component {
    public LoadBalancer() {
        this("haproxy");
    }

    public LoadBalancer(String name) {
        super(name);
    }

    @Override
    public List<Component> requires() {
        return List.of();
    }

    /** Only the controllers run it. */
    @Override
    public List<String> packagesOn(io.speedling.openstack.Inventory inventory, String node) {
        return onControllersOnly(inventory, node);
    }

    @Override
    public Map<DistroFamily, List<String>> packages() {
        return Pkgs.of(List.of("haproxy", "keepalived"), List.of("haproxy", "keepalived"),
                List.of("haproxy", "keepalived"));
    }

    @Override
    public List<String> services() {
        return List.of("haproxy", "keepalived");
    }

    /** Done when the virtual IP takes connections: what everything reached through it waits for. */
    public Task<?> ready(Deploy d) {
        return planned(d, "ready");
    }

    @Override
    protected void plan(Deploy d) {
        String vip = d.cloud().inventory().virtualIp().orElse(null);
        if (vip == null) {
            d.task(name() + ".ready", ctx -> null);
            return;
        }
        var ctl = d.withRole(Inventory.CONTROLLER);
        List<Node> nodes = ctl.nodes();
        List<Frontend> frontends = d.cloud().components().stream().flatMap(c -> c.frontends().stream()).toList();
        Task<Boolean> config = d.task(name() + ".config", ctx -> {
            String haproxy = haproxyConfig(d, vip, nodes, frontends);
            // HAProxy listens on the virtual IP on every controller, also where it is not (yet) held
            boolean changed = ctl.call(WriteFile.text("/etc/sysctl.d/60-speedling-vip.conf",
                    "# written by speedling\nnet.ipv4.ip_nonlocal_bind = 1\n", FileSpec.mode(0644)))
                    .containsValue(Boolean.TRUE);
            ctl.call(new Sh("sysctl -q -w net.ipv4.ip_nonlocal_bind=1", true));
            // every node: a controller that dies is known dead (its address answers "no route to
            // host") within seconds, not the ~40 s the kernel's neighbour defaults take; the message
            // queue's clients (oslo.messaging on kombu) only move to the next broker on that error
            // and retry a silent one on every timeout (a powered-off controller on 2025.1: 45 s to
            // the next broker with the defaults, 20-23 s with these)
            d.fleet().all().callEach(n -> WriteFile.text("/etc/sysctl.d/61-speedling-neigh.conf",
                    neighbourSysctl(n), FileSpec.mode(0644)));
            d.fleet().all().callEach(n -> new Sh("sysctl -q -p /etc/sysctl.d/61-speedling-neigh.conf", true));
            changed |= ctl.call(WriteFile.text("/etc/haproxy/haproxy.cfg", haproxy, FileSpec.mode(0644)))
                    .containsValue(Boolean.TRUE);
            changed |= ctl.callEach(n -> WriteFile.text("/etc/keepalived/keepalived.conf",
                    keepalivedConfig(d, vip, n, nodes), FileSpec.mode(0644))).containsValue(Boolean.TRUE);
            return changed;
        });
        Task<Void> start = d.task(name() + ".start", ctx -> {
            d.services(ctl, ctx.want(config), "haproxy", "keepalived");
            return null;
        }, config);
        d.task(name() + ".ready", ctx -> frontends.isEmpty() ? null
                : d.onController(new WaitTcp(vip, frontends.get(0).port(), 60)), start);
    }

    /**
     * Neighbour timing on node {@code n}'s management interface: an address stays reachable 2.5-7.5 s
     * after its last confirmation (30 s by default), is probed 1 s after a stale use (5 s) every
     * 0.3 s (1 s), so an address that stopped answering fails in about 4-10 s.
     */
    static String neighbourSysctl(Node n) {
        String iface = String.valueOf(n.data().getOrDefault("mgmt_iface", "eth0"));
        String p = "net.ipv4.neigh." + iface + ".";
        return "# written by speedling: a dead controller's address fails fast\n"
                + p + "base_reachable_time_ms = 5000\n" + p + "delay_first_probe_time = 1\n"
                + p + "retrans_time_ms = 300\n";
    }

    /** The components' frontends on the virtual IP, each with every controller as a server. */
    static String haproxyConfig(Deploy d, String vip, List<Node> controllers, List<Frontend> frontends) {
        StringBuilder b = new StringBuilder("""
                # written by speedling: every API on the virtual IP, passed to a controller that answers
                global
                    log /dev/log local0 warning
                    maxconn 8000
                    user haproxy
                    group haproxy
                    stats socket /run/haproxy/admin.sock mode 660 level admin

                defaults
                    log global
                    mode tcp
                    option tcplog
                    timeout connect 2s
                    timeout client 10m
                    timeout server 10m
                    # a connection a dead controller does not take goes to another one
                    retries 2
                    option redispatch
                    # every 5 s while up (each HTTP check is a request the API's Python serves), every
                    # second while a server changes state: a dead controller is out within about 6 s,
                    # a starting one in when it has answered twice
                    timeout check 5s
                    # tcp-ut: a connection to a server that left without a word (powered off) ends when
                    # what was sent to it stays unacknowledged 3 s, closing the client's side too, so a
                    # pooled database connection or an API request in flight fails over instead of
                    # waiting out the 10-minute timeouts ("on-marked-down shutdown-sessions" would do it
                    # at the mark-down, but HAProxy 3.0.11 of Debian 13 leaves the sessions that are
                    # still connecting then open with no timer: their clients hang, seen on 2025.1)
                    default-server inter 5s fastinter 1s downinter 2s rise 2 fall 2 tcp-ut 3s
                """);
        for (Frontend f : frontends) {
            b.append("\nlisten ").append(f.name()).append('\n')
                    .append("    bind ").append(vip).append(':').append(f.port()).append('\n');
            if (f.check() != null) {
                b.append("    option httpchk GET ").append(f.check()).append('\n');
            }
            for (int i = 0; i < controllers.size(); i++) {
                Node n = controllers.get(i);
                b.append("    server ").append(n.name()).append(' ').append(d.ipOf(n)).append(':').append(f.port())
                        .append(" check");
                if (f.check() == null) {
                    b.append(" inter 1s");  // a TCP check costs the server nothing: every second
                }
                if (f.oneAtATime() && i > 0) {
                    b.append(" backup");  // the backups take over when the active one fails
                }
                b.append('\n');
            }
        }
        return b.toString();
    }

    /**
     * keepalived on controller {@code self}: VRRP by unicast to the other controllers (no multicast
     * on the bridge needed), all start as backups and the highest priority (the first controller)
     * takes the address; a holder that comes back does not take it back ({@code nopreempt}), so a
     * restarted controller moves nothing.
     */
    static String keepalivedConfig(Deploy d, String vip, Node self, List<Node> controllers) {
        int index = controllers.stream().map(Node::name).toList().indexOf(self.name());
        String iface = String.valueOf(self.data().getOrDefault("mgmt_iface", "eth0"));
        StringBuilder peers = new StringBuilder();
        for (Node n : controllers) {
            if (!n.name().equals(self.name())) {
                peers.append("        ").append(d.ipOf(n)).append('\n');
            }
        }
        // one VRRP router id per virtual IP: its last byte ties it to the address (and so to the slice)
        String routerId = String.valueOf(Math.max(1, Integer.parseInt(vip.substring(vip.lastIndexOf('.') + 1)) % 255));
        return "# written by speedling: the virtual IP " + vip + " on one controller at a time\n"
                + "global_defs {\n    router_id " + self.name() + "\n    script_user root\n"
                + "    enable_script_security\n}\n\n"
                // with slack: under a deploy's load a slow check must not move the address (pidof is
                // killall5 here, which keepalived runs by its own name)
                + "vrrp_script haproxy {\n    script \"/bin/systemctl is-active --quiet haproxy\"\n    interval 2\n    timeout 5\n"
                + "    fall 3\n    rise 1\n}\n\n"
                + "vrrp_instance speedling {\n    state BACKUP\n    nopreempt\n    interface " + iface + "\n"
                + "    virtual_router_id " + routerId + "\n    priority " + (150 - 10 * index) + "\n    advert_int 1\n"
                + "    unicast_src_ip " + d.ipOf(self) + "\n    unicast_peer {\n" + peers + "    }\n"
                + "    virtual_ipaddress {\n        " + vip + "/24 dev " + iface + "\n    }\n"
                + "    track_script {\n        haproxy\n    }\n}\n";
    }
}
