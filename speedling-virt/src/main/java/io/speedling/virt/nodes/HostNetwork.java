package io.speedling.virt.nodes;

import io.speedling.virt.HostTool;
import io.speedling.virt.VirtException;
import io.speedling.virt.internal.Exec;
import io.speedling.virt.internal.SliceState;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The host's side of nspawn slices: a bridge per network with the host's addresses, the node's
 * veth ends joined to them, NAT through an nftables table of the slice's own, and the host-wide
 * ip_forward setting (the value found before the first NAT slice is kept in the state directory
 * and put back after the last). Everything made carries the slice's mark (a link alias, a table
 * name); what does not is never removed.
 */
final class HostNetwork {
    private static final Logger LOG = LoggerFactory.getLogger("speedling.nspawn");

    private final Path stateDir;

    HostNetwork(Path stateDir) {
        this.stateDir = stateDir;
    }

    static String alias(int slice) {
        return "speedling slice " + slice;
    }

    void create(SlicePlan plan, SliceState state, Path stateFile) {
        int slice = plan.slice();
        boolean nat = false;
        for (NetworkDef net : plan.networks()) {
            String br = plan.bridge(net);
            Optional<String> existingAlias = linkAlias(br);
            if (existingAlias.isPresent() && existingAlias.get().equals(alias(slice))) {
                deleteLink(br, slice);  // ours, left by a run that crashed before recording it
                existingAlias = Optional.empty();
            }
            if (existingAlias.isPresent()) {
                throw new VirtException("bridge " + br + " already exists and was not made by speedling for slice "
                        + slice + (existingAlias.get().isEmpty() ? "" : " (its alias is '" + existingAlias.get() + "')")
                        + ": speedling leaves it alone. Use another slice number, or remove it yourself");
            }
            state.bridges.add(br);
            state.write(stateFile);
            ip("link", "add", br, "type", "bridge");
            ip("link", "set", br, "alias", alias(slice));
            ip("addr", "add", plan.hostAddress4(net) + "/24", "dev", br);
            ip("-6", "addr", "add", plan.hostAddress6(net) + "/64", "dev", br, "nodad");
            ip("link", "set", br, "up");
            nat |= net.nat();
        }
        if (nat) {
            state.nftTable = nftTable(slice);
            state.write(stateFile);
            rememberIpForward();
            StringBuilder rules = new StringBuilder("table ip " + state.nftTable + " {\n"
                    + "  chain postrouting {\n    type nat hook postrouting priority srcnat; policy accept;\n");
            for (NetworkDef net : plan.networks()) {
                if (net.nat()) {
                    String sub = plan.subnet4(net);
                    rules.append("    ip saddr ").append(sub).append(" ip daddr != ").append(sub)
                            .append(" masquerade\n");
                }
            }
            rules.append("  }\n}\n");
            Exec.of(HostTool.NFT.require(), "-f", "-").stdin(rules.toString()).run();
            writeSysctl("net/ipv4/ip_forward", "1");
        }
    }

    /** Joins a node's host-side veth to its bridge, marked as the slice's. */
    static void attach(String veth, String bridge, int slice) {
        ip("link", "set", veth, "alias", alias(slice));
        ip("link", "set", veth, "master", bridge, "up");
    }

    /** The alias of an existing link ("" if it has none or it cannot be read), or empty if there is no such link. */
    static Optional<String> linkAlias(String link) {
        Path aliasFile = Path.of("/sys/class/net", link, "ifalias");
        if (!Files.exists(Path.of("/sys/class/net", link))) {
            return Optional.empty();
        }
        String a;
        try {
            a = Files.readString(aliasFile).trim();
        } catch (IOException e) {
            a = "";
        }
        return Optional.of(a);
    }

    /**
     * A link the record names and that carries the slice's alias, or no alias at all: the record is
     * written before a link is made (and making it was refused if the name was taken), so an
     * unmarked recorded link is one a crash left between its creation and its marking.
     */
    static boolean isOursOrUnmarked(String link, int slice) {
        return isOurs(link, slice) || linkAlias(link).map(String::isEmpty).orElse(false);
    }

    static boolean isOurs(String link, int slice) {
        try {
            return Files.readString(Path.of("/sys/class/net", link, "ifalias")).trim().equals(alias(slice));
        } catch (IOException e) {
            return false;
        }
    }

    static String hostVeth(SlicePlan plan, PlannedNode n, NodeAddress a) {
        return "spd" + plan.slice() + "n" + n.index() + "e" + plan.networks().indexOf(plan.network(a.network()));
    }

    /** "veth (up, in bridge br)", or what differs: missing, down, in another bridge or none. */
    static String linkState(String veth, String bridge) {
        Path link = Path.of("/sys/class/net", veth);
        if (!Files.exists(link)) {
            return veth + " (missing)";
        }
        String oper;
        try {
            oper = Files.readString(link.resolve("operstate")).strip();
        } catch (IOException e) {
            oper = "operstate unreadable";
        }
        String master;
        try {
            master = Files.readSymbolicLink(link.resolve("master")).getFileName().toString();
        } catch (IOException e) {
            master = null;
        }
        return veth + " (" + oper + ", " + (master == null ? "in no bridge, expected " + bridge
                : master.equals(bridge) ? "in bridge " + bridge : "in bridge " + master + ", expected " + bridge) + ")";
    }

    static void deleteLink(String link, int slice) {
        Exec.Result r = Exec.of(HostTool.IP.require(), "link", "delete", link).runAllowingFailure();
        if (r.exitCode() != 0 && Files.exists(Path.of("/sys/class/net", link))) {
            throw new VirtException("cannot delete link " + link + " of slice " + slice + ": " + r.tail());
        }
    }

    static String nftTable(int slice) {
        return "speedling_s" + slice;
    }

    /**
     * Removes the slice's nftables table if there is one, and puts ip_forward back when no other
     * slice uses NAT.
     */
    void removeNat(int slice) {
        String table = nftTable(slice);
        Exec.Result r = Exec.of(HostTool.NFT.require(), "list", "table", "ip", table).runAllowingFailure();
        if (r.exitCode() == 0) {
            Exec.of(HostTool.NFT.require(), "delete", "table", "ip", table).run();
            if (!otherSlicesUseNat(slice)) {
                restoreIpForward();
            }
        }
    }

    /**
     * NAT needs net.ipv4.ip_forward=1, a host-wide setting: the value found before the first slice
     * with NAT is kept in the state directory and put back when the last such slice is wiped.
     */
    synchronized void rememberIpForward() {
        Path saved = stateDir.resolve("ip_forward.before");
        if (!Files.exists(saved)) {
            try {
                Files.createDirectories(stateDir);
                Files.writeString(saved, readSysctl("net/ipv4/ip_forward") + "\n");
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    }

    /**
     * Puts back the ip_forward value found before the first slice, unless something else on the
     * host may rely on forwarding now (NAT rules or forwarding chains that are not speedling's):
     * then it stays on and the log says so.
     */
    synchronized void restoreIpForward() {
        Path saved = stateDir.resolve("ip_forward.before");
        try {
            if (Files.exists(saved)) {
                String before = Files.readString(saved).trim();
                if (!"1".equals(before)) {
                    Optional<String> user = otherForwardingUser();
                    if (user.isPresent()) {
                        LOG.warn("leaving net.ipv4.ip_forward=1 (speedling turned it on for its slices; it was {} "
                                + "before): {} may rely on it now. Set it back yourself if nothing does", before,
                                user.get());
                    } else {
                        writeSysctl("net/ipv4/ip_forward", before);
                    }
                }
                Files.delete(saved);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Something on the host besides speedling that forwards or NATs packets, if any is seen. */
    static Optional<String> otherForwardingUser() {
        Exec.Result r = Exec.of(HostTool.NFT.require(), "list", "ruleset").runAllowingFailure();
        if (r.exitCode() != 0) {
            return Optional.of("a ruleset that cannot be read");
        }
        String table = null;
        for (String line : r.output().split("\n")) {
            String t = line.strip();
            if (t.startsWith("table ")) {
                table = t.substring(6, t.endsWith("{") ? t.length() - 1 : t.length()).strip();
            } else if (table != null && !table.startsWith("ip speedling_s") && (t.contains("masquerade")
                    || t.contains(" snat ") || t.contains(" dnat ") || t.contains("hook forward"))) {
                return Optional.of("nftables table " + table);
            }
        }
        return Optional.empty();
    }

    boolean otherSlicesUseNat(int slice) {
        try (var dirs = Files.newDirectoryStream(stateDir, "slice-*")) {
            for (Path d : dirs) {
                if (!d.getFileName().toString().equals("slice-" + slice)) {
                    Optional<SliceState> o = SliceState.read(d.resolve("slice.json"));
                    if (o.isPresent() && o.get().nftTable != null) {
                        return true;
                    }
                }
            }
        } catch (IOException e) {
            return true;
        }
        return false;
    }

    static void ip(String... args) {
        List<String> cmd = new ArrayList<>();
        cmd.add(HostTool.IP.require());
        cmd.addAll(List.of(args));
        Exec.of(cmd).run();
    }

    static String readSysctl(String key) {
        try {
            return Files.readString(Path.of("/proc/sys", key)).trim();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static void writeSysctl(String key, String value) {
        try {
            Files.writeString(Path.of("/proc/sys", key), value + "\n");
        } catch (IOException e) {
            throw new VirtException("cannot set " + key.replace('/', '.') + "=" + value + ": " + e.getMessage(), e);
        }
    }
}
