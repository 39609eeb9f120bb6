package io.speedling.openstack.components;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

class KeystoneTest {

    /** Python's own parser reads the bootstrap script as the node gets it (Java's escapes applied). */
    @Test
    void bootstrapScriptIsValidPython() throws Exception {
        Process p = new ProcessBuilder(List.of("python3", "-c",
                "import ast, sys; ast.parse(sys.stdin.read()); print('parsed')")).redirectErrorStream(true).start();
        p.getOutputStream().write(Keystone.BOOTSTRAP.getBytes(StandardCharsets.UTF_8));
        p.getOutputStream().close();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor()).as(out).isZero();
        assertThat(out).contains("parsed");
    }

    /** Quotes and backslashes in a value cannot end the SQL string the script builds. */
    @Test
    void bootstrapQuotesSqlValues() throws Exception {
        String q = Keystone.BOOTSTRAP.lines().takeWhile(l -> !l.startsWith("def sql")).reduce("", (a, b) -> a + b
                + "\n");
        Process p = new ProcessBuilder(List.of("python3", "-c", q + "import sys; print(q(sys.argv[1]))",
                "Region'One\\")).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
        assertThat(p.waitFor()).as(out).isZero();
        assertThat(out).isEqualTo("'Region''One\\\\'");
    }

    /**
     * The first registration's SQL, made by the script's own code with the database's answers
     * given: a copy of the template rows per service, endpoint, new project, new role and user, a
     * bcrypt hash per user (quoted), each role assignment once, in one transaction.
     */
    @Test
    void firstRegistrationCopiesTheBootstrapRows() throws Exception {
        String harness = """
                import sys
                ns = {"__name__": "test"}
                exec(compile(open(sys.argv[1]).read(), "keystone-bootstrap.py", "exec"), ns)
                def rows(text):
                    if "FROM project" in text: return [["admin", "p-admin"]]
                    if "FROM role" in text: return [["admin", "r-admin"], ["member", "r-member"]]
                    if "FROM local_user" in text: return [["admin", "u-admin"]]
                    if "information_schema" in text: return [["id"], ["password_hash"]]
                    raise Exception("unexpected query: " + text)
                ns["rows"] = rows
                ns["hashed"] = lambda p: "H(" + p + ")"
                print(ns["register"]({"services": [{"name": "nova", "type": "compute", "endpoints": {
                    "public": "http://h:8774/v2.1", "internal": "http://h:8774/v2.1"}}],
                    "users": [{"name": "nova", "password": "pw'x", "project": "service", "roles": ["admin", "service"]},
                              {"name": "demo", "password": "d", "project": "demo", "roles": ["member"]}]},
                    "'RegionOne'"), end="")
                """;
        java.nio.file.Path script = java.nio.file.Files.createTempFile("keystone-bootstrap", ".py");
        try {
            java.nio.file.Files.writeString(script, Keystone.BOOTSTRAP);
            Process p = new ProcessBuilder(List.of("python3", "-c", harness, script.toString())).redirectErrorStream(true)
                    .start();
            String sql = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertThat(p.waitFor()).as(sql).isZero();
            assertThat(sql).startsWith("START TRANSACTION;").endsWith("COMMIT;\n");
            assertThat(count(sql, "INSERT INTO `service` SELECT * FROM speedling_row")).isEqualTo(1);
            assertThat(count(sql, "INSERT INTO `endpoint` SELECT * FROM speedling_row")).isEqualTo(2);
            assertThat(count(sql, "INSERT INTO `project` SELECT * FROM speedling_row")).as("service and demo")
                    .isEqualTo(2);
            assertThat(count(sql, "INSERT INTO `role` SELECT * FROM speedling_row")).as("service").isEqualTo(1);
            assertThat(count(sql, "INSERT INTO `user` SELECT * FROM speedling_row")).isEqualTo(2);
            assertThat(count(sql, "INSERT INTO `password` SELECT * FROM speedling_row")).isEqualTo(2);
            assertThat(sql).contains("`password_hash` = 'H(pw''x)'").doesNotContain("`password` = NULL");
            assertThat(count(sql, "INSERT IGNORE INTO assignment")).isEqualTo(3);
            assertThat(sql).contains("'UserProject', ").contains("'r-admin', 0);").contains("'r-member', 0);");
            assertThat(sql).contains("`region_id` = 'RegionOne'").contains("`extra` = '{\"name\": \"nova\"}'");
        } finally {
            java.nio.file.Files.delete(script);
        }
    }

    private static int count(String text, String what) {
        return text.split(java.util.regex.Pattern.quote(what), -1).length - 1;
    }
}
