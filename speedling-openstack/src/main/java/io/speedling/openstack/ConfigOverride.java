package io.speedling.openstack;

/**
 * One per-node config setting that wins over the components' own: {@code key = value} in
 * {@code [section]} of INI file {@code path} on node {@code node}. Written as text (command line,
 * annotation) {@code NODE:PATH:SECTION.KEY=VALUE}, e.g.
 * {@code controller-01:/etc/nova/nova.conf:DEFAULT.debug=true}.
 *
 * @see Inventory#config(String, String, String, String, String)
 */
public record ConfigOverride(String node, String path, String section, String key, String value) {
    static final String FORM = "NODE:PATH:SECTION.KEY=VALUE, e.g. controller-01:/etc/nova/nova.conf:DEFAULT.debug=true";

    /** Reads {@code NODE:PATH:SECTION.KEY=VALUE}; the value may hold any character but a line break. */
    public static ConfigOverride parse(String text) {
        int eq = text.indexOf('=');
        int c1 = text.indexOf(':');
        int c2 = c1 < 0 ? -1 : text.indexOf(':', c1 + 1);
        int dot = c2 < 0 || eq < 0 ? -1 : text.lastIndexOf('.', eq);
        if (c1 <= 0 || c2 < 0 || eq < 0 || c2 > eq || dot <= c2 + 1 || dot == eq - 1) {
            throw new IllegalArgumentException("config override '" + text + "' is not of the form " + FORM);
        }
        return new ConfigOverride(text.substring(0, c1), text.substring(c1 + 1, c2), text.substring(c2 + 1, dot),
                text.substring(dot + 1, eq), text.substring(eq + 1));
    }

    @Override
    public String toString() {
        return node + ":" + path + ":" + section + "." + key + "=" + value;
    }
}
