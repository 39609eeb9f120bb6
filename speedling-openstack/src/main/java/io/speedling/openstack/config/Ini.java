package io.speedling.openstack.config;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * An INI file (oslo.config, uwsgi, MariaDB style) edited in place: setting a key replaces its
 * active line or adds one next to its commented default, so the packaged file keeps its comments,
 * order and unrelated keys. Rendering an unchanged file gives back the same text.
 */
public final class Ini {
    private final List<String> lines;

    private Ini(List<String> lines) {
        this.lines = lines;
    }

    public static Ini parse(String text) {
        List<String> l = new ArrayList<>(List.of(text.split("\n", -1)));
        if (!l.isEmpty() && l.get(l.size() - 1).isEmpty()) {
            l.remove(l.size() - 1);
        }
        return new Ini(l);
    }

    public String render() {
        return lines.isEmpty() ? "" : String.join("\n", lines) + "\n";
    }

    private static String sectionOf(String line) {
        String t = line.strip();
        if (t.startsWith("[") && t.endsWith("]")) {
            return t.substring(1, t.length() - 1).strip();
        }
        return null;
    }

    /** The key of an active "key = value" line, or null for comments, blanks and headers. */
    private static String keyOf(String line) {
        if (line.isEmpty() || Character.isWhitespace(line.charAt(0))) {
            return null;
        }
        char c = line.charAt(0);
        if (c == '#' || c == ';' || c == '[') {
            return null;
        }
        int eq = line.indexOf('=');
        return eq < 0 ? line.strip() : line.substring(0, eq).strip();
    }

    /** The key of a commented default like "#key = value" or "# key=value", or null. */
    private static String commentedKeyOf(String line) {
        if (!line.startsWith("#")) {
            return null;
        }
        String rest = line.substring(1).stripLeading();
        int eq = rest.indexOf('=');
        if (eq <= 0) {
            return null;
        }
        String k = rest.substring(0, eq).strip();
        return k.matches("[A-Za-z0-9_.\\-]+") ? k : null;
    }

    /** Line range [start, end) of the section's body; start is -1 when the section is absent. */
    private int[] range(String section) {
        int start = -1;
        for (int i = 0; i < lines.size(); i++) {
            String s = sectionOf(lines.get(i));
            if (s != null) {
                if (start >= 0) {
                    return new int[] {start, i};
                }
                if (s.equals(section)) {
                    start = i + 1;
                }
            }
        }
        return new int[] {start, lines.size()};
    }

    public Optional<String> get(String section, String key) {
        int[] r = range(section);
        if (r[0] < 0) {
            return Optional.empty();
        }
        for (int i = r[0]; i < r[1]; i++) {
            if (key.equals(keyOf(lines.get(i)))) {
                String line = lines.get(i);
                int eq = line.indexOf('=');
                return Optional.of(eq < 0 ? "" : line.substring(eq + 1).strip());
            }
        }
        return Optional.empty();
    }

    public Ini set(String section, String key, String value) {
        if (value.contains("\n")) {
            throw new IllegalArgumentException("value of [" + section + "] " + key + " spans lines");
        }
        String line = key + " = " + value;
        int[] r = range(section);
        if (r[0] < 0) {
            if (!lines.isEmpty() && !lines.get(lines.size() - 1).isBlank()) {
                lines.add("");
            }
            lines.add("[" + section + "]");
            lines.add(line);
            return this;
        }
        int found = -1;
        int commented = -1;
        int lastActive = -1;
        for (int i = r[0]; i < r[1]; i++) {
            String l = lines.get(i);
            String k = keyOf(l);
            if (key.equals(k)) {
                if (found < 0) {
                    found = i;
                } else {
                    // a repeated key would be a multi-value; keep one
                    lines.remove(i);
                    i--;
                    r[1]--;
                }
            } else if (k != null) {
                lastActive = i;
            } else if (commented < 0 && key.equals(commentedKeyOf(l))) {
                commented = i;
            }
        }
        if (found >= 0) {
            lines.set(found, line);
        } else if (commented >= 0) {
            lines.add(commented + 1, line);
        } else {
            int at = r[1];
            while (at > r[0] && lines.get(at - 1).isBlank()) {
                at--;
            }
            if (lastActive >= at) {
                at = lastActive + 1;
            }
            lines.add(at, line);
        }
        return this;
    }

    public Ini remove(String section, String key) {
        int[] r = range(section);
        if (r[0] < 0) {
            return this;
        }
        for (int i = r[1] - 1; i >= r[0]; i--) {
            if (key.equals(keyOf(lines.get(i)))) {
                lines.remove(i);
            }
        }
        return this;
    }

    /** Applies every setting of {@code settings} (section to key to value); a null value removes the key. */
    public Ini merge(Map<String, Map<String, String>> settings) {
        settings.forEach((section, keys) -> keys.forEach((k, v) -> {
            if (v == null) {
                remove(section, k);
            } else {
                set(section, k, v);
            }
        }));
        return this;
    }

    /** Section to key to value, in file order (for tests and reports). */
    public Map<String, Map<String, String>> values() {
        Map<String, Map<String, String>> out = new LinkedHashMap<>();
        String section = "DEFAULT";
        for (String l : lines) {
            String s = sectionOf(l);
            if (s != null) {
                section = s;
                continue;
            }
            String k = keyOf(l);
            if (k != null) {
                int eq = l.indexOf('=');
                out.computeIfAbsent(section, x -> new LinkedHashMap<>()).put(k, eq < 0 ? "" : l.substring(eq + 1).strip());
            }
        }
        return out;
    }
}
