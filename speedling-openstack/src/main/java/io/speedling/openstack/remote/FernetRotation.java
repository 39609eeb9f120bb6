package io.speedling.openstack.remote;

import io.speedling.core.FileSpec;
import io.speedling.core.NodeContext;
import io.speedling.core.RemoteFunction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;

/**
 * Keystone's fernet key rotation as {@code keystone-manage fernet_rotate} does it, made on the
 * controller side so that every controller gets the same keys: the staged key {@code 0} becomes the
 * new primary (the highest index), a new staged key is made, and the oldest secondary keys go
 * beyond {@code maxActive} keys. The staged key was on every controller already, so a token that
 * one controller encrypts with the new primary is read by the others at any moment of the
 * distribution.
 */
public final class FernetRotation {
    private static final SecureRandom RANDOM = new SecureRandom();

    private FernetRotation() {
    }

    /**
     * The repository after one rotation of {@code keys} (file name, a number, to key), with
     * {@code staged} as the new staged key; keeps at most {@code maxActive} keys (Keystone's
     * {@code [fernet_tokens] max_active_keys}, 3 by default).
     *
     * @throws IllegalArgumentException when {@code keys} has no staged key or a name that is no number
     */
    public static Map<String, String> rotate(Map<String, String> keys, String staged, int maxActive) {
        TreeMap<Integer, String> byIndex = new TreeMap<>();
        keys.forEach((name, key) -> {
            if (!name.matches("[0-9]+")) {
                throw new IllegalArgumentException("fernet key file '" + name + "' is not a number: the repository "
                        + "holds only keys 0..N");
            }
            byIndex.put(Integer.parseInt(name), key);
        });
        if (!byIndex.containsKey(0) || byIndex.size() < 2) {
            throw new IllegalArgumentException("a fernet repository needs a staged key 0 and a primary key, found "
                    + byIndex.keySet() + ": deploy the cloud first");
        }
        if (maxActive < 2) {
            throw new IllegalArgumentException("max_active_keys " + maxActive + " leaves no primary key: give 2 or more");
        }
        byIndex.put(byIndex.lastKey() + 1, byIndex.get(0));
        byIndex.put(0, staged);
        List<Integer> secondary = byIndex.keySet().stream().filter(i -> i != 0 && i < byIndex.lastKey()).toList();
        for (int i = 0; byIndex.size() > maxActive && i < secondary.size(); i++) {
            byIndex.remove(secondary.get(i));
        }
        Map<String, String> out = new TreeMap<>();
        byIndex.forEach((i, k) -> out.put(String.valueOf(i), k));
        return out;
    }

    /** The primary key's index in {@code keys} (file name to key): the highest number; 0 for an empty repository. */
    public static int primary(Map<String, String> keys) {
        return keys.keySet().stream().mapToInt(Integer::parseInt).max().orElse(0);
    }

    /** A new key as Keystone makes them: 32 random bytes, URL-safe base64. */
    public static String newKey() {
        byte[] b = new byte[32];
        RANDOM.nextBytes(b);
        return Base64.getUrlEncoder().encodeToString(b);
    }

    /** The keys of the repository {@code dir} on the node: file name to key; none when it does not exist. */
    public record Read(String dir) implements RemoteFunction<Map<String, String>> {
        @Override
        public Map<String, String> run(NodeContext node) throws Exception {
            Map<String, String> keys = new TreeMap<>();
            if (!Files.isDirectory(Path.of(dir))) {
                return keys;
            }
            try (Stream<Path> files = Files.list(Path.of(dir))) {
                for (Path f : files.filter(p -> p.getFileName().toString().matches("[0-9]+")).toList()) {
                    keys.put(f.getFileName().toString(), Files.readString(f, StandardCharsets.US_ASCII).strip());
                }
            }
            return keys;
        }

        @Override
        public String toString() {
            return "FernetRotation.Read[" + dir + "]";
        }
    }

    /**
     * Makes the repository {@code dir} hold exactly {@code keys}: the new primary (highest index)
     * first, then the staged key, the others, and last removes what is no longer a key. True when
     * something changed.
     */
    public record Write(String dir, String owner, Map<String, String> keys) implements RemoteFunction<Boolean> {
        @Override
        public Boolean run(NodeContext node) throws Exception {
            node.run("install", "-d", "-o", owner, "-g", owner, "-m", "0700", dir).check();
            Map<String, String> now = new Read(dir).run(node);
            boolean changed = false;
            List<String> order = keys.keySet().stream().sorted(Comparator.comparingInt((String n) -> Integer.parseInt(n)).reversed())
                    .toList();
            for (String name : order) {
                if (!keys.get(name).equals(now.get(name))) {
                    node.writeFile(dir + "/" + name, keys.get(name).getBytes(StandardCharsets.US_ASCII),
                            new FileSpec(owner, owner, 0600));
                    changed = true;
                }
            }
            for (String name : now.keySet()) {
                if (!keys.containsKey(name)) {
                    Files.delete(Path.of(dir, name));
                    changed = true;
                }
            }
            return changed;
        }

        @Override
        public String toString() {
            // the keys are secrets
            return "FernetRotation.Write[" + dir + ", " + keys.keySet() + "]";
        }
    }
}
