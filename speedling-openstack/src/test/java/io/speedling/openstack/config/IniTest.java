package io.speedling.openstack.config;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

class IniTest {
    static final String PACKAGED = """
            [DEFAULT]
            # Print debugging output (boolean value)
            #debug = false
            log_dir = /var/log/keystone

            [database]
            # The SQLAlchemy connection string (string value)
            #connection = <None>
            connection = sqlite:////var/lib/keystone/keystone.sqlite

            [token]
            #provider = fernet
            """;

    @Test
    void unchangedFileRendersIdentically() {
        assertThat(Ini.parse(PACKAGED).render()).isEqualTo(PACKAGED);
    }

    @Test
    void setReplacesActiveLinesAndAddsNextToCommentedDefaults() {
        Ini ini = Ini.parse(PACKAGED)
                .set("database", "connection", "mysql+pymysql://keystone:pw@10.0.0.1/keystone")
                .set("DEFAULT", "debug", "true")
                .set("token", "expiration", "7200")
                .set("cache", "enabled", "true");
        String out = ini.render();
        assertThat(out).contains("#connection = <None>\nconnection = mysql+pymysql://keystone:pw@10.0.0.1/keystone\n")
                .doesNotContain("sqlite")
                .contains("#debug = false\ndebug = true\nlog_dir = /var/log/keystone")
                .contains("[token]\n#provider = fernet\nexpiration = 7200\n")
                .endsWith("\n[cache]\nenabled = true\n")
                .contains("# Print debugging output (boolean value)");
        assertThat(ini.get("database", "connection")).contains("mysql+pymysql://keystone:pw@10.0.0.1/keystone");
        assertThat(Ini.parse(out).values()).containsEntry("cache", Map.of("enabled", "true"));
    }

    @Test
    void mergeIsIdempotentAndNullRemoves() {
        Map<String, Map<String, String>> s = new LinkedHashMap<>();
        s.put("database", new LinkedHashMap<>(Map.of("connection", "mysql+pymysql://x")));
        Map<String, String> rm = new LinkedHashMap<>();
        rm.put("log_dir", null);
        s.put("DEFAULT", rm);
        String once = Ini.parse(PACKAGED).merge(s).render();
        String twice = Ini.parse(once).merge(s).render();
        assertThat(twice).isEqualTo(once).doesNotContain("log_dir");
    }

    @Test
    void repeatedKeysCollapseToOne() {
        String out = Ini.parse("[a]\nk = 1\nk = 2\nother = x\n").set("a", "k", "3").render();
        assertThat(out).isEqualTo("[a]\nk = 3\nother = x\n");
    }

    @Test
    void keysOfOtherSectionsAreUntouched() {
        String out = Ini.parse("[a]\nk = 1\n[b]\nk = 1\n").set("b", "k", "2").render();
        assertThat(out).isEqualTo("[a]\nk = 1\n[b]\nk = 2\n");
    }
}
