package io.speedling.openstack.remote;

import io.speedling.core.FileSpec;
import io.speedling.core.NodeContext;
import io.speedling.core.RemoteFunction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.List;

/**
 * Keystone's key repositories (fernet tokens, credentials) as {@code keystone-manage fernet_setup}
 * and {@code credential_setup} leave them: a directory of mode 0700 with a staged key "0" and a
 * primary key "1", each 32 random bytes in URL-safe base64, owned by the service user. Made on the
 * node, so the keys never travel; a repository that has keys is left alone. Returns true when it
 * wrote keys.
 */
public record FernetKeys(List<String> dirs, String owner) implements RemoteFunction<Boolean> {
    @Override
    public Boolean run(NodeContext node) throws Exception {
        SecureRandom random = new SecureRandom();
        boolean wrote = false;
        for (String dir : dirs) {
            Path d = Path.of(dir);
            if (Files.exists(d.resolve("0")) && Files.exists(d.resolve("1"))) {
                continue;
            }
            node.run("install", "-d", "-o", owner, "-g", owner, "-m", "0700", dir).check();
            for (String name : List.of("0", "1")) {
                byte[] key = new byte[32];
                random.nextBytes(key);
                node.writeFile(dir + "/" + name, Base64.getUrlEncoder().encodeToString(key).getBytes(StandardCharsets.US_ASCII),
                        new FileSpec(owner, owner, 0600));
            }
            wrote = true;
        }
        return wrote;
    }
}
