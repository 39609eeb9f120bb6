package io.speedling.openstack;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SecretsTest {
    @TempDir
    Path tmp;

    @Test
    void redactionNeverThrowsAndWithholdsTheTextWhenTheSecretsCannotBeRead() throws Exception {
        Secrets s = Secrets.open(tmp.resolve("secrets.json"));
        String pw = s.get("db");
        assertThat(s.redact("password=" + pw)).isEqualTo("password=***");
        // a listener redacting a task's error must not throw (it once left the run waiting for good)
        Files.setPosixFilePermissions(s.file(), PosixFilePermissions.fromString("rw-r--r--"));
        assertThat(s.redact("password=" + pw)).startsWith("(withheld: the secrets to redact it with cannot be read: "
                + "secrets file " + s.file() + " has mode rw-r--r--").doesNotContain(pw);
        Files.writeString(s.file(), "{not json");
        Files.setPosixFilePermissions(s.file(), PosixFilePermissions.fromString("rw-------"));
        assertThat(s.redact("x")).startsWith("(withheld:");
    }

    @Test
    void valuesTheUserGaveAreRedactedToo() {
        Secrets s = Secrets.open(tmp.resolve("secrets.json")).alsoRedacting(List.of("hunter22", "ab"));
        assertThat(s.redact("rabbit://u:hunter22@h ab")).isEqualTo("rabbit://u:***@h ab");
    }

    @Test
    void aConfigOverrideOfASecretKeyIsRedactedInTheDeploysRecords() {
        Inventory inv = Inventory.allInOne("controller-01").config("controller-01", "/etc/nova/nova.conf",
                "database", "connection", "mysql+pymysql://nova:s3cretpw@db/nova").config("controller-01",
                "/etc/nova/nova.conf", "DEFAULT", "debug", "true");
        Cloud cloud = ServiceRegistry.builtIn().cloud("t", inv, List.of("keystone"), "fake", Release.ZED);
        Secrets s = Deployer.of(cloud, tmp).secrets();
        assertThat(s.redact("mysql+pymysql://nova:s3cretpw@db/nova debug=true")).isEqualTo("*** debug=true");
    }
}
