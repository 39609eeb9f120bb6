package io.speedling.virt.libvirt;

/** How libvirt runs the guests: hardware virtualisation, or qemu's software emulation (TCG). */
public enum VirtType {
    /** KVM: fast, needs a /dev/kvm that can run the guest kernel. */
    KVM("kvm"),
    /** TCG: works everywhere, several times slower. */
    QEMU("qemu");

    private final String xml;

    VirtType(String xml) {
        this.xml = xml;
    }

    public String xml() {
        return xml;
    }
}
