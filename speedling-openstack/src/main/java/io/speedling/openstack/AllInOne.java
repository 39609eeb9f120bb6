package io.speedling.openstack;

import io.speedling.core.Fleet;
import io.speedling.openstack.components.Glance;
import io.speedling.openstack.components.Keystone;
import io.speedling.openstack.components.MariaDb;
import io.speedling.openstack.components.Memcached;
import io.speedling.openstack.components.Neutron;
import io.speedling.openstack.components.Nova;
import io.speedling.openstack.components.OpenStackClient;
import io.speedling.openstack.components.Placement;
import io.speedling.openstack.components.RabbitMq;
import io.speedling.virt.image.Image;
import io.speedling.virt.image.ImageCache;
import io.speedling.virt.image.Recipe;
import io.speedling.virt.nodes.Cluster;
import io.speedling.virt.nodes.NspawnProvider;
import io.speedling.virt.nodes.SlicePlan;
import java.util.Optional;

/**
 * The all-in-one cloud: every component on one nspawn node of a slice, deployed from the
 * OpenStack image layer. {@link #up()} builds or reuses the image, reuses the slice's running node
 * or boots a new one, deploys (a rerun converges) and returns the cloud with its node handles.
 */
public final class AllInOne {
    public static final String NODE = "controller-01";

    private final String name;
    private final int slice;
    private final ImageCache cache;
    private final NspawnProvider provider;

    private AllInOne(String name, int slice, ImageCache cache, NspawnProvider provider) {
        this.name = name;
        this.slice = slice;
        this.cache = cache;
        this.provider = provider;
    }

    public static AllInOne named(String name, int slice) {
        return new AllInOne(name, slice, ImageCache.openDefault(), NspawnProvider.create());
    }

    public AllInOne cache(ImageCache c) {
        return new AllInOne(name, slice, c, provider);
    }

    public AllInOne provider(NspawnProvider p) {
        return new AllInOne(name, slice, cache, p);
    }

    /** The components of an all-in-one cloud, wired. */
    public static Cloud cloud(String name, String node) {
        MariaDb db = new MariaDb();
        RabbitMq mq = new RabbitMq();
        Memcached mc = new Memcached();
        Keystone keystone = Keystone.builder().sql(db).memcached(mc).build();
        Glance glance = Glance.builder().sql(db).keystone(keystone).build();
        Placement placement = Placement.builder().sql(db).keystone(keystone).build();
        Neutron neutron = Neutron.builder().sql(db).messaging(mq).keystone(keystone).build();
        Nova nova = Nova.builder().sql(db).messaging(mq).keystone(keystone).placement(placement).glance(glance)
                .networking(neutron).build();
        return Cloud.builder(name).component(db, mq, mc, keystone, glance, placement, neutron, nova,
                new OpenStackClient(keystone)).inventory(Inventory.allInOne(node)).build();
    }

    public Cloud cloud() {
        return cloud(name, NODE);
    }

    public Recipe recipe() {
        return OpenStackImage.recipe("bookworm", cloud());
    }

    public SlicePlan plan() {
        return SlicePlan.slice(slice).node("controller", 1).build();
    }

    public Image image() {
        return cache.build(recipe());
    }

    /** The slice's running node if there is one (a rerun), else a fresh one from the image. */
    public Cluster nodes(Image image) {
        Optional<Cluster> running = provider.existing(plan());
        if (running.isPresent()) {
            return running.get();
        }
        return provider.cycle(plan(), image);
    }

    public Deployer deployer() {
        return Deployer.of(cloud(), Deployer.defaultStateDir(name));
    }

    /** Connects to the cluster's nodes with the OpenStack remote functions shipped. */
    public static Fleet connect(Cluster cluster) {
        return cluster.fleet().ship(AllInOne.class).connect();
    }

    /** Removes the cloud's node and slice; its state directory (secrets, openrc) goes too. */
    public void wipe() {
        provider.wipe(slice);
        io.speedling.virt.internal.Mounts.removeTree(Deployer.defaultStateDir(name));
    }
}
