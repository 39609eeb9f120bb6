package io.speedling.openstack;

import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/**
 * The OpenStack release a cloud runs, and so the Debian suite its nodes are made of: OpenStack
 * comes from the distribution's own packages, one release per suite. A cloud's release is one
 * choice ({@link CloudSpec#release}, {@code bin/cloud --release}, {@code @SpeedlingCloud(release = ...)})
 * that picks the node image's suite, the packages and each component's config for that release;
 * what differs between releases lives in the component it concerns and asks this type.
 */
public enum Release {
    /** OpenStack Zed from Debian 12 (bookworm): Neutron with linuxbridge. */
    ZED("zed", "Zed", "bookworm", false),
    /** OpenStack 2025.1 (Epoxy) from Debian 13 (trixie): Neutron on ML2/OVN (linuxbridge is gone). */
    EPOXY("2025.1", "Epoxy", "trixie", false),
    /** OpenStack 2026.1 (Gazpacho) from Debian testing (forky): the newest; best effort, as testing moves. */
    GAZPACHO("2026.1", "Gazpacho", "forky", true);

    /**
     * The release a spec has unless it names one: 2025.1, the newest that Debian's stable release
     * carries. Zed stays fully supported (every component and topology runs on both); 2026.1 is
     * best effort.
     */
    public static final Release DEFAULT = EPOXY;

    private final String id;
    private final String codename;
    private final String suite;
    private final boolean bestEffort;

    Release(String id, String codename, String suite, boolean bestEffort) {
        this.id = id;
        this.codename = codename;
        this.suite = suite;
        this.bestEffort = bestEffort;
    }

    /** The name users give: {@code zed}, {@code 2025.1}, {@code 2026.1}. */
    public String id() {
        return id;
    }

    /** OpenStack's name for it: Zed, Epoxy, Gazpacho. */
    public String codename() {
        return codename;
    }

    /** The Debian suite its packages come from: bookworm, trixie, forky. */
    public String suite() {
        return suite;
    }

    /** Debian testing: it moves under us, so a failure is reported as such and never counts against the others. */
    public boolean bestEffort() {
        return bestEffort;
    }

    /** Neutron's linuxbridge driver and agent: present up to Zed, removed by 2025.1 (ML2/OVN instead). */
    public boolean hasLinuxbridge() {
        return this == ZED;
    }

    /**
     * Nova's libvirt driver (qemu domains) as speedling builds it: proven on Zed (linuxbridge) and
     * 2025.1 (os-vif plugs the tap into OVN's integration bridge on the userspace datapath); not
     * tried on 2026.1.
     */
    public boolean offersLibvirt() {
        return this != GAZPACHO;
    }

    /** "2025.1 (Epoxy, Debian trixie)". */
    public String describe() {
        return id + " (" + codename + ", Debian " + suite + (bestEffort ? ", best effort" : "") + ")";
    }

    /** Every release, as users name them: "zed, 2025.1, 2026.1". */
    public static String known() {
        return String.join(", ", Arrays.stream(values()).map(Release::id).toList());
    }

    /**
     * The release {@code name} names: its id ({@code 2025.1}), its codename ({@code epoxy}) or its
     * Debian suite ({@code trixie}), in any case.
     *
     * @throws IllegalArgumentException for any other name, listing the known releases
     */
    public static Release of(String name) {
        String n = name == null ? "" : name.strip().toLowerCase(Locale.ROOT);
        for (Release r : values()) {
            if (n.equals(r.id) || n.equals(r.codename.toLowerCase(Locale.ROOT)) || n.equals(r.suite)) {
                return r;
            }
        }
        throw new IllegalArgumentException("unknown OpenStack release '" + name + "': the known releases are "
                + List.of(values()).stream().map(Release::describe).toList() + "; give one of " + known());
    }

    /** The release whose packages Debian {@code suite} carries, if speedling knows one. */
    public static java.util.Optional<Release> ofSuite(String suite) {
        return Arrays.stream(values()).filter(r -> r.suite.equals(suite)).findFirst();
    }

    @Override
    public String toString() {
        return id;
    }
}
