package io.speedling.openstack.components;

import io.speedling.core.tasks.Task;
import io.speedling.openstack.Component;
import io.speedling.openstack.Deploy;
import io.speedling.openstack.DistroFamily;
import io.speedling.openstack.remote.CreateDefaults;
import java.util.List;
import java.util.Map;

/**
 * What a user expects to find in a fresh dev cloud, as devstack leaves it: the flavors
 * {@code m1.nano} to {@code m1.xlarge}; a {@code public} external network (flat, on the nodes'
 * provider NIC, the slice's ext network) with a floating IP pool; in the demo project a
 * {@code private} network and subnet behind {@code router1}, whose gateway is on {@code public};
 * ICMP and SSH allowed in demo's default security group; and a small test image
 * ({@value #IMAGE}). Created on the controller through the APIs ({@link CreateDefaults}: a
 * call takes milliseconds where an {@code openstack} client run starts Python for seconds); each
 * is looked up by name first, so a rerun creates nothing.
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

    @Override
    protected void plan(Deploy d) {
        // each part as soon as its own service answers: only the networks wait for Neutron, the slowest
        var flavors = d.task(name() + ".flavors", ctx -> create(d, CreateDefaults.Part.FLAVORS), nova.ready(d));
        var image = d.task(name() + ".image", ctx -> create(d, CreateDefaults.Part.IMAGE), glance.ready(d));
        var networks = d.task(name() + ".networks", ctx -> create(d, CreateDefaults.Part.NETWORKS), neutron.ready(d));
        d.task(name() + ".ready", ctx -> null, flavors, image, networks);
    }

    /** Done when the flavors, the image and the networks are there. */
    public Task<?> ready(Deploy d) {
        return planned(d, "ready");
    }

    /** Looked up by name first: a rerun creates nothing (and puts back what a user deleted). */
    private static int create(Deploy d, CreateDefaults.Part part) {
        Object ext = d.controller().data().get("ext_ipv4");
        String prefix = ext == null ? null : ext.toString().substring(0, ext.toString().lastIndexOf('.'));
        return d.onController(new CreateDefaults(d.endpoints().url(5000), d.secret("keystone-admin"),
                d.cloud().region(), part, prefix, FLAVORS, IMAGE));
    }
}
