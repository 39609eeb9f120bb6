package io.speedling.openstack;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * One cloud entry of a clouds.yaml: what a client needs to authenticate with Keystone v3
 * (password auth, project scope).
 *
 * @param cloud the entry's name, e.g. {@code aio-admin}
 */
public record Credentials(String cloud, String authUrl, String username, String password, String projectName,
                          String userDomainName, String projectDomainName, String region) {

    @Override
    public String toString() {  // never print the password
        return "Credentials[" + cloud + ": " + username + "@" + projectName + " on " + authUrl + "]";
    }

    /**
     * Reads every cloud of a clouds.yaml as speedling writes it (block mappings, plain or
     * single-quoted scalars).
     *
     * @throws IllegalArgumentException naming the file and line of anything else
     */
    public static Map<String, Credentials> readCloudsYaml(Path file) {
        Map<String, Map<String, String>> clouds = new LinkedHashMap<>();
        Deque<String> path = new ArrayDeque<>();
        Deque<Integer> indents = new ArrayDeque<>();
        int n = 0;
        try {
            for (String raw : Files.readAllLines(file)) {
                n++;
                if (raw.isBlank() || raw.stripLeading().startsWith("#")) {
                    continue;
                }
                int indent = raw.length() - raw.stripLeading().length();
                String line = raw.strip();
                int colon = line.indexOf(':');
                if (colon <= 0) {
                    throw new IllegalArgumentException(file + " line " + n + ": expected 'key: value', got '" + line
                            + "'");
                }
                while (!indents.isEmpty() && indents.peek() >= indent) {
                    indents.pop();
                    path.pop();
                }
                String key = line.substring(0, colon).strip();
                String value = line.substring(colon + 1).strip();
                if (value.isEmpty()) {
                    indents.push(indent);
                    path.push(key);
                    continue;
                }
                if (path.size() >= 2 && path.peekLast().equals("clouds")) {
                    String[] p = path.toArray(String[]::new);  // innermost first
                    String cloud = p[p.length - 2];
                    clouds.computeIfAbsent(cloud, c -> new LinkedHashMap<>()).put(key, scalar(value, file, n));
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + file, e);
        }
        Map<String, Credentials> out = new LinkedHashMap<>();
        clouds.forEach((name, m) -> out.put(name, new Credentials(name, need(m, "auth_url", file, name),
                need(m, "username", file, name), need(m, "password", file, name),
                need(m, "project_name", file, name), m.getOrDefault("user_domain_name", "Default"),
                m.getOrDefault("project_domain_name", "Default"), m.getOrDefault("region_name", "RegionOne"))));
        return out;
    }

    /** The named cloud of a clouds.yaml; the error lists the clouds the file has. */
    public static Credentials fromCloudsYaml(Path file, String cloud) {
        Map<String, Credentials> all = readCloudsYaml(file);
        Credentials c = all.get(cloud);
        if (c == null) {
            throw new IllegalArgumentException("no cloud '" + cloud + "' in " + file + "; it has " + all.keySet());
        }
        return c;
    }

    private static String need(Map<String, String> m, String key, Path file, String cloud) {
        String v = m.get(key);
        if (v == null) {
            throw new IllegalArgumentException(file + ": cloud " + cloud + " has no " + key);
        }
        return v;
    }

    private static String scalar(String v, Path file, int line) {
        if (v.startsWith("'")) {
            if (v.length() < 2 || !v.endsWith("'")) {
                throw new IllegalArgumentException(file + " line " + line + ": unterminated quoted value");
            }
            return v.substring(1, v.length() - 1).replace("''", "'");
        }
        if (v.startsWith("\"")) {
            throw new IllegalArgumentException(file + " line " + line + ": double-quoted values are not read here; "
                    + "use single quotes");
        }
        return v;
    }
}
