package io.speedling.openstack.components;

import static org.assertj.core.api.Assertions.assertThat;

import io.speedling.openstack.Inventory;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CephTest {
    /** A cephx key's type, creation time (two ints, skipped) and secret length, checked against its size. */
    private static List<Integer> typeAndLength(String key, int size) {
        byte[] raw = Base64.getDecoder().decode(key);
        assertThat(raw).hasSize(size);
        ByteBuffer b = ByteBuffer.wrap(raw).order(ByteOrder.LITTLE_ENDIAN);
        int type = b.getShort();
        b.getInt();
        b.getInt();
        return List.of(type, (int) b.getShort());
    }

    @Test
    void keysAreCephxAesKeysDerivedFromTheSeed() {
        String k = Ceph.encodeKey("seed-1", false);
        assertThat(typeAndLength(k, 28)).containsExactly(1, 16);  // CEPH_CRYPTO_AES
        assertThat(k).startsWith("AQ").isEqualTo(Ceph.encodeKey("seed-1", false))
                .isNotEqualTo(Ceph.encodeKey("seed-2", false));
    }

    @Test
    void cephTwentyGetsAes256Keys() {
        // the shape ceph-authtool --gen-key prints on Ceph 20.2.4: type 2, 32 key bytes, 60 characters
        String k = Ceph.encodeKey("seed-1", true);
        assertThat(typeAndLength(k, 44)).containsExactly(2, 32);
        assertThat(k).hasSize(60).startsWith("Ag").isEqualTo(Ceph.encodeKey("seed-1", true));
        assertThat(Ceph.aes256k(io.speedling.openstack.Release.GAZPACHO)).isTrue();
        assertThat(Ceph.aes256k(io.speedling.openstack.Release.DEFAULT)).isFalse();
    }

    @Test
    void monitorsOnControllersAndOneOsdPerStorageNode() {
        Inventory aio = Inventory.allInOne("controller-01");
        assertThat(Ceph.entities(aio, false).keySet()).containsExactly("mon.", "client.admin", "mgr.controller-01", "osd.0",
                "client.glance", "client.cinder");

        Map<String, Set<String>> roles = new LinkedHashMap<>();
        roles.put("controller-01", Set.of(Inventory.CONTROLLER));
        roles.put("store-01", Set.of(Inventory.STORAGE));
        roles.put("store-02", Set.of(Inventory.STORAGE));
        Inventory split = Inventory.of(roles);
        assertThat(Ceph.monNodes(split)).containsExactly("controller-01");
        assertThat(Ceph.osdNodes(split)).containsExactly("store-01", "store-02");
        assertThat(Ceph.entities(split, false)).containsKeys("osd.0", "osd.1").doesNotContainKey("osd.2");
    }

    @Test
    void cinderMayReadImagesButNotWriteThem() {
        List<String> caps = Ceph.clients(false).get("client.cinder");
        assertThat(caps.get(caps.indexOf("osd") + 1)).contains("profile rbd pool=volumes", "profile rbd pool=vms",
                "profile rbd-read-only pool=images");
        assertThat(Ceph.clients(false).get("client.glance").get(3)).isEqualTo("profile rbd pool=images");
    }

    @Test
    void novaWithDisksInCephWritesImagesForItsSnapshots() {
        List<String> caps = Ceph.clients(true).get("client.cinder");
        assertThat(caps.get(caps.indexOf("osd") + 1)).isEqualTo("profile rbd pool=volumes, profile rbd pool=vms, "
                + "profile rbd pool=images");
    }

    @Test
    void everyMonitorIsInTheMonmapWithBothProtocols() {
        String s = Ceph.monScript("controller-01", "f", " --addv controller-01 '[v2:10.0.0.1:3300,v1:10.0.0.1:6789]'"
                + " --addv controller-02 '[v2:10.0.0.2:3300,v1:10.0.0.2:6789]'");
        assertThat(s).contains("--fsid f --addv controller-01 '[v2:10.0.0.1:3300,v1:10.0.0.1:6789]' --addv controller-02")
                .contains("ceph-mon --mkfs -i controller-01").contains("[ -e /var/lib/ceph/mon/ceph-controller-01/"
                        + "speedling-made ] && exit 0");
    }

    @Test
    void theGeneratedPythonParses(@TempDir Path dir) throws Exception {
        String setup = Ceph.setupScript(List.of("u0", "u1"), List.of("volumes", "images"));
        assertThat(setup).contains("mon(prefix='osd new', uuid='u0', id=0)", "mon(prefix='osd new', uuid='u1', id=1)",
                "pool='images', pg_num=8", "pool='volumes', app='rbd'");
        String ready = Ceph.readyScript(List.of("volumes", "images"), 2, 60);
        assertThat(ready).contains("for p in ['volumes', 'images']:", "end = time.time() + 60",
                "if s.get('num_up_osds', 0) >= 2:", "'rados_osd_op_timeout': '60'",
                "k.startswith(('PG_', 'OSD_'))", "after %d s: see ceph health detail' % (', '.join(busy), 60)");
        for (String script : List.of(setup, ready)) {
            Path f = Files.writeString(dir.resolve("s.py"), script, StandardCharsets.UTF_8);
            Process p = new ProcessBuilder("python3", "-c", "import ast, sys; ast.parse(open(sys.argv[1]).read())",
                    f.toString()).redirectErrorStream(true).start();
            assertThat(p.waitFor(30, TimeUnit.SECONDS)).isTrue();
            assertThat(p.exitValue()).as(new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8))
                    .isZero();
        }
    }

    /** The manager's bcrypt patch, run by sh on a module shaped like Ceph 18's mgr_util.py. */
    @Test
    void theManagersUtilityModuleImportsBcryptOnFirstUseAfterThePatchAndOnlyOnce(@TempDir Path dir) throws Exception {
        Path util = dir.resolve("mgr_util.py");
        Files.writeString(util, """
                import os

                import bcrypt
                import socket

                def password_hash(password, salt_password=None):
                    return bcrypt.hashpw(password.encode('utf8'), bcrypt.gensalt()).decode('utf8')
                """);
        assertThat(sh(Ceph.mgrBcryptPatch(dir.toString()))).isEqualTo("patched\n");
        assertThat(Files.readString(util)).doesNotContain("\nimport bcrypt\n").contains("import socket\n",
                "def password_hash(");
        // importing the module loads no bcrypt (the interpreter need not even have it)
        assertThat(sh("cd " + dir + " && python3 -c 'import sys, mgr_util; print(\"bcrypt\" in sys.modules)'"))
                .isEqualTo("False\n");
        assertThat(sh(Ceph.mgrBcryptPatch(dir.toString()))).as("a second run changes nothing").isEmpty();
    }

    private static String sh(String script) throws Exception {
        Process p = new ProcessBuilder("sh", "-c", script).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(30, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).as(out).isZero();
        return out;
    }
}
