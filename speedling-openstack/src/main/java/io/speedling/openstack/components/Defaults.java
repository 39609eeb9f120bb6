package io.speedling.openstack.components;

import io.speedling.openstack.Component;
import io.speedling.openstack.Deploy;
import io.speedling.openstack.DistroFamily;
import io.speedling.openstack.remote.Once;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;

/**
 * What a user expects to find in a fresh dev cloud, as devstack leaves it: the flavors
 * {@code m1.nano} to {@code m1.xlarge}; a {@code public} external network (flat, on the nodes'
 * provider NIC, the slice's ext network) with a floating IP pool; in the demo project a
 * {@code private} network and subnet behind {@code router1}, whose gateway is on {@code public};
 * ICMP and SSH allowed in demo's default security group; and a small test image
 * ({@value #IMAGE}). Only what is missing is created, with one client session per credential
 * to list and one to create; after that a rerun skips it (it changes nothing and costs nothing).
 */
public final class Defaults extends Component {
    /** The test image's name (raw bytes: enough for the fake driver, not a bootable guest). */
    public static final String IMAGE = "speedling-tiny";
    /** name, vCPUs, RAM MiB, disk GiB: devstack's set, with m1.nano for the smallest guests. */
    static final List<String> FLAVORS = List.of("m1.nano 1 64 1", "m1.tiny 1 512 1", "m1.small 1 2048 20",
            "m1.medium 2 4096 40", "m1.large 4 8192 80", "m1.xlarge 8 16384 160");

    private final Neutron neutron;
    private final Nova nova;
    private final Glance glance;
    private final OpenStackClient client;

    public Defaults(Neutron neutron, Nova nova, Glance glance, OpenStackClient client) {
        super("defaults");
        String how = "new Defaults(neutron, nova, glance, client)";
        this.neutron = required(neutron, "defaults", "neutron", how);
        this.nova = required(nova, "defaults", "nova", how);
        this.glance = required(glance, "defaults", "glance", how);
        this.client = required(client, "defaults", "the openstack client", how);
    }

    @Override
    public List<Component> requires() {
        return List.of(neutron, nova, glance, client);
    }

    @Override
    public Map<DistroFamily, List<String>> packages() {
        return Pkgs.of(List.of(), List.of(), List.of());  // it only talks to the APIs
    }

    @Override
    public List<String> services() {
        return List.of();
    }

    /**
     * The script that creates what is missing, for a slice whose provider network is
     * {@code extPrefix}.0/24 with the host's bridge at .1 (null: no public network, no router
     * gateway).
     */
    static String script(String extPrefix) {
        StringBuilder flavors = new StringBuilder();
        for (String f : FLAVORS) {
            String[] p = f.split(" ");
            flavors.append("  have ").append(p[0]).append(" || echo \"flavor create --public --vcpus ").append(p[1])
                    .append(" --ram ").append(p[2]).append(" --disk ").append(p[3]).append(' ').append(p[0])
                    .append("\"\n");
        }
        String pub = extPrefix == null ? "" : """
                  have public || echo "network create --external --provider-network-type flat \\
                --provider-physical-network provider public"
                  have public-subnet || echo "subnet create --network public --subnet-range %1$s.0/24 --gateway %1$s.1 \\
                --allocation-pool start=%1$s.100,end=%1$s.199 --no-dhcp public-subnet"
                """.formatted(extPrefix);
        String gateway = extPrefix == null ? "" : """
                  grep -qx 'GW public' $dir/demo.have || echo "router set --external-gateway public router1"
                """;
        return """
                set -eu
                dir=$(mktemp -d); trap 'rm -rf $dir' EXIT
                # one client process per credential lists what exists, one creates what is missing
                os() { timeout -k 5 300 openstack "$@"; }
                run() { # CREDS FILE: the commands on stdin, each output line kept
                  ( . /root/$1-openrc.sh; os ) > $2 2> $2.err || { cat $2.err $2 >&2; return 1; }
                  if [ -s $2.err ]; then cat $2.err >&2; return 1; fi
                }
                have() { grep -qx "$1" $dir/admin.have; }
                printf '%%s\\n' "flavor list --all -f value -c Name" "network list -f value -c Name" \\
                  "subnet list -f value -c Name" "image list -f value -c Name" | run admin $dir/admin.have &
                lister=$!
                { printf '%%s\\n' "network list -f value -c Name" "subnet list -f value -c Name" \\
                  "router list -f value -c Name" \\
                  "security group rule list --ingress default -f value -c 'IP Protocol' -c 'Port Range'"
                  echo "router show router1 -f value -c external_gateway_info"
                } | ( . /root/demo-openrc.sh; os ) > $dir/demo.list 2>/dev/null || true
                wait $lister
                # the rules as "icmp" and "tcp 22:22" lines; a router with a gateway as "GW public"
                { sed 's/ *$//' $dir/demo.list; grep -q network_id $dir/demo.list && echo "GW public" || true; } \\
                  > $dir/demo.have
                {
                %2$s%3$s  have %4$s || { head -c 1048576 /dev/zero > $dir/img; echo "image create --public \\
                --disk-format raw --container-format bare --file $dir/img %4$s"; }
                } > $dir/admin.todo
                [ ! -s $dir/admin.todo ] || run admin $dir/admin.made < $dir/admin.todo
                dh() { grep -qx "$1" $dir/demo.have; }
                {
                  dh private || echo "network create private"
                  dh private-subnet || echo "subnet create --network private --subnet-range 10.0.0.0/26 private-subnet"
                  dh router1 || echo "router create router1"
                %5$s  dh router1 || echo "router add subnet router1 private-subnet"
                  dh icmp || echo "security group rule create --ingress --protocol icmp default"
                  dh 'tcp 22:22' || echo "security group rule create --ingress --protocol tcp --dst-port 22 default"
                } > $dir/demo.todo
                [ ! -s $dir/demo.todo ] || run demo $dir/demo.made < $dir/demo.todo
                echo "created: $(cat $dir/admin.todo $dir/demo.todo | wc -l) resources"
                """.formatted("", flavors, pub, IMAGE, gateway);
    }

    @Override
    protected void plan(Deploy d) {
        d.task(name() + ".create", ctx -> {
            Object ext = d.controller().data().get("ext_ipv4");
            String prefix = ext == null ? null : ext.toString().substring(0, ext.toString().lastIndexOf('.'));
            if (prefix == null) {
                d.controller().call(new io.speedling.core.functions.Sh("echo 'defaults: node "
                        + d.controller().name() + " has no provider network address (ext_ipv4): no public network"
                        + "' >&2", false));
            }
            String script = script(prefix);
            // a fresh cloud (new admin password) or another set of defaults runs it again
            return d.onController(new Once("defaults", sha256(script + d.secret("keystone-admin")),
                    List.of("bash", "-c", script), Map.of(), null));
        }, nova.ready(d), nova.computeReady(d), neutron.ready(d), glance.ready(d), client.openrc(d));
    }

    private static String sha256(String s) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256")
                    .digest(s.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java has SHA-256", e);
        }
    }
}
