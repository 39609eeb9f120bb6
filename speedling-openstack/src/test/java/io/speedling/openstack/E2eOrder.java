package io.speedling.openstack;

/**
 * The order of the end-to-end classes in one run (the e2e profile orders classes by their
 * {@link org.junit.jupiter.api.Order}), chosen for CI's time from empty image caches: while the
 * unit tests run, {@code bin/test} builds the default release's (2025.1's) shared image, then
 * Zed's at the lowest CPU priority, in the background.
 */
public final class E2eOrder {
    /** {@code ExistingHostsE2E}: the plain base image only, so it runs while the shared image finishes. */
    public static final int BARE_HOSTS = 10;
    public static final int ALL_IN_ONE = 20;
    /** {@code ControllerAndWorkerE2E} and {@code StorageNodesE2E}: one cloud, closed after the second. */
    public static final int CONTROLLER_AND_WORKERS = 30;
    public static final int EXTENSION = 40;
    public static final int FAULTS = 50;
    public static final int HIGH_AVAILABILITY = 60;
    public static final int LIBVIRT_DRIVER = 70;
    /** {@code ZedOnLinuxbridgeE2E}: last, so its image is built in the background meanwhile, not in its time. */
    public static final int OTHER_RELEASE = 90;

    private E2eOrder() {
    }
}
