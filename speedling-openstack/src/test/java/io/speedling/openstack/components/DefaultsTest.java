package io.speedling.openstack.components;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class DefaultsTest {
    private static String bashSyntaxErrors(String script) throws Exception {
        Process p = new ProcessBuilder("bash", "-n").redirectErrorStream(true).start();
        p.getOutputStream().write(script.getBytes(StandardCharsets.UTF_8));
        p.getOutputStream().close();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        p.waitFor(10, TimeUnit.SECONDS);
        return p.exitValue() == 0 ? "" : out;
    }

    @Test
    void theScriptIsValidShellAndCreatesDevstacksDefaultsOnTheSlicesProviderNetwork() throws Exception {
        String s = Defaults.script("10.232.7");
        assertThat(bashSyntaxErrors(s)).isEmpty();
        assertThat(s).contains("flavor create --public --vcpus 1 --ram 512 --disk 1 m1.tiny",
                "flavor create --public --vcpus 8 --ram 16384 --disk 160 m1.xlarge",
                "--subnet-range 10.232.7.0/24 --gateway 10.232.7.1",
                "--allocation-pool start=10.232.7.100,end=10.232.7.199 --no-dhcp public-subnet",
                "router set --external-gateway public router1",
                "security group rule create --ingress --protocol tcp --dst-port 22 default",
                "--file $dir/img speedling-tiny");
    }

    @Test
    void withoutAProviderNetworkThereIsNoPublicNetworkNorGateway() throws Exception {
        String s = Defaults.script(null);
        assertThat(bashSyntaxErrors(s)).isEmpty();
        assertThat(s).doesNotContain("network create --external", "--external-gateway").contains("router1");
    }
}
