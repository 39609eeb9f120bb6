package io.speedling.virt.testing;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** Which nftables tables a test's libvirtd may take away with it (listings as nft prints them). */
class LibvirtDaemonTest {
    private static final String LIBVIRT_ONLY = """
            table ip filter {
            \tchain LIBVIRT_INP {
            \t}

            \tchain INPUT {
            \t\ttype filter hook input priority filter; policy accept;
            \t\tcounter packets 19148 bytes 429338853 jump LIBVIRT_INP
            \t}

            \tchain FORWARD {
            \t\ttype filter hook forward priority filter; policy accept;
            \t\tcounter packets 1386 bytes 468160 jump LIBVIRT_FWX
            \t\tcounter packets 1386 bytes 468160 jump LIBVIRT_FWI
            \t}
            }
            """;

    @Test
    void aTableHoldingOnlyLibvirtsChainsIsLibvirts() {
        assertThat(LibvirtDaemon.onlyLibvirtChainsIn(LIBVIRT_ONLY)).isTrue();
    }

    @Test
    void aTableWithAnyOtherRuleOrChainIsLeftAlone() {
        assertThat(LibvirtDaemon.onlyLibvirtChainsIn(LIBVIRT_ONLY.replace("jump LIBVIRT_FWI",
                "jump LIBVIRT_FWI\n\t\tip saddr 10.0.0.0/8 accept"))).isFalse();
        assertThat(LibvirtDaemon.onlyLibvirtChainsIn(LIBVIRT_ONLY.replace("chain LIBVIRT_INP", "chain DOCKER")))
                .isFalse();
        assertThat(LibvirtDaemon.onlyLibvirtChainsIn(LIBVIRT_ONLY.replace("jump LIBVIRT_INP", "jump DOCKER")))
                .isFalse();
        assertThat(LibvirtDaemon.onlyLibvirtChainsIn("table ip filter {\n}\n")).isFalse();
    }
}
