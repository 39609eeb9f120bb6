package io.speedling.openstack.remote;

import io.speedling.core.FileSpec;
import io.speedling.core.NodeContext;
import io.speedling.core.RemoteFunction;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Base64;
import java.util.List;
import java.util.Map;

/**
 * Keystone's key repositories (fernet tokens, credentials) as {@code keystone-manage fernet_setup}
 * and {@code credential_setup} leave them: a directory of mode 0700 with a staged key "0" and a
 * primary key "1", each 32 bytes in URL-safe base64, owned by the service user. The keys are derived
 * from {@code seed} (a secret of the cloud), so every controller writes the same ones and a token
 * issued by one is read by all; a repository that has a staged and a primary key is left alone. Returns true when it
 * wrote keys.
 */
public record FernetKeys(List<String> dirs, String owner, String seed) implements RemoteFunction<Boolean> {
    @Override
    public Boolean run(NodeContext node) throws Exception {
        boolean wrote = false;
        for (String dir : dirs) {
            // a staged key and a primary: a repository rotated since (FernetRotation) has keys 0, N-1, N
            // and is left alone as well
            Map<String, String> keys = new FernetRotation.Read(dir).run(node);
            if (keys.size() >= 2 && keys.containsKey("0")) {
                continue;
            }
            node.run("install", "-d", "-o", owner, "-g", owner, "-m", "0700", dir).check();
            for (String name : List.of("0", "1")) {
                byte[] key = MessageDigest.getInstance("SHA-256").digest((seed + "\n" + dir + "\n" + name)
                        .getBytes(StandardCharsets.UTF_8));
                node.writeFile(dir + "/" + name, Base64.getUrlEncoder().encodeToString(key).getBytes(StandardCharsets.US_ASCII),
                        new FileSpec(owner, owner, 0600));
            }
            wrote = true;
        }
        return wrote;
    }

    @Override
    public String toString() {
        // the seed makes the keys
        return "FernetKeys" + dirs;
    }
}
