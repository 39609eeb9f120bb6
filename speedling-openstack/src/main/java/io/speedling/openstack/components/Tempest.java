package io.speedling.openstack.components;

import io.speedling.core.CommandResult;
import io.speedling.core.FileSpec;
import io.speedling.core.Node;
import io.speedling.core.functions.Sh;
import io.speedling.core.functions.WriteFile;
import io.speedling.core.tasks.Task;
import io.speedling.openstack.Component;
import io.speedling.openstack.Deploy;
import io.speedling.openstack.DistroFamily;
import io.speedling.openstack.Inventory;
import io.speedling.openstack.Release;
import io.speedling.openstack.remote.FindIds;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * OpenStack's own test suite, installed and configured for the cloud on the first controller: a
 * workspace in {@value #WORKSPACE} whose {@code etc/tempest.conf} names the cloud's admin, the
 * default resources (image, flavors, public network), which services exist, and what the cloud
 * cannot do (no guests to log into with the fake driver: validation off). Deploying it runs no
 * tests unless asked ({@link #running}: then the deploy's task {@code tempest.run} runs them, its
 * counts and skips are the task's outcome in deploy.json and deploy.html, and a failed test fails
 * the deploy naming it with its error); {@link #run} runs them any time.
 */
public final class Tempest extends Component {
    /** Tempest's workspace on the controller. */
    public static final String WORKSPACE = "/var/lib/speedling-tempest";

    /** The tests no run includes, one regular expression a line, each with its reason. */
    static final String EXCLUDE = WORKSPACE + "/exclude.txt";
    static final String EXCLUDED = """
            # written by speedling: tests this cloud cannot pass, with the reason
            # logs into the server over SSH after pinging it: the default image is not a bootable guest
            # (with the fake driver a server answers ping, but runs no sshd)
            ^tempest\\.scenario\\.test_network_basic_ops\\.TestNetworkBasicOps\\.test_network_basic_ops
            """;

    /**
     * What a release's Tempest and services disagree on, excluded on that release only. 2025.1:
     * Debian 13's Tempest (43) changes a credential's project and type, which its Keystone (27) no
     * longer accepts ("Additional properties are not allowed").
     */
    static String excludedOn(Release release) {
        return release == Release.ZED ? "" : """
                # Tempest 43 updates a credential's project_id and type; Keystone 27 refuses both (HTTP 400)
                ^tempest\\.api\\.identity\\.admin\\.v3\\.test_credentials\\.CredentialsTestJSON\\.test_credentials_create_get_update_delete
                """;
    }

    private final Keystone keystone;
    private final Defaults defaults;
    private final Optional<Cinder> cinder;
    private final Optional<Swift> swift;
    private final String selection;

    private Tempest(Builder b) {
        super("tempest", b.release);
        String how = "Tempest.builder()";
        this.keystone = required(b.keystone, "tempest", "keystone", how + ".keystone(keystone)");
        this.defaults = required(b.defaults, "tempest", "the default resources", how + ".defaults(defaults)");
        this.cinder = Optional.ofNullable(b.cinder);
        this.swift = Optional.ofNullable(b.swift);
        this.selection = requireSelection(b.selection);
    }

    public static Builder builder() {
        return new Builder();
    }

    /** A builder holding this component's inputs, to make one that differs in some. */
    public Builder toBuilder() {
        return builder().keystone(keystone).defaults(defaults).cinder(cinder.orElse(null)).swift(swift.orElse(null))
                .selection(selection).release(release().orElse(null));
    }

    public static final class Builder {
        private Keystone keystone;
        private Defaults defaults;
        private Cinder cinder;
        private Swift swift;
        private String selection;
        private Release release;

        public Builder keystone(Keystone k) {
            this.keystone = k;
            return this;
        }

        /** The default resources (image, flavors, public network) its configuration names. */
        public Builder defaults(Defaults d) {
            this.defaults = d;
            return this;
        }

        /** Block storage, when the cloud has it (its tests run then); null when not. */
        public Builder cinder(Cinder c) {
            this.cinder = c;
            return this;
        }

        /** Object storage, when the cloud has it; null when not. */
        public Builder swift(Swift s) {
            this.swift = s;
            return this;
        }

        /**
         * Tests to run at the end of each deploy: {@code "smoke"} for Tempest's smoke tests, else a
         * regular expression over test ids (e.g. {@code "tempest.api.identity"}); null (the default)
         * runs none, leaving Tempest configured for running by hand.
         *
         * @throws IllegalArgumentException (at {@link #build()}) for a blank selection or one with a line break
         */
        public Builder selection(String s) {
            this.selection = s;
            return this;
        }

        /** The release the cloud runs: its Tempest and services disagree on some tests ({@link #excludedOn}). */
        public Builder release(Release r) {
            this.release = r;
            return this;
        }

        public Tempest build() {
            return new Tempest(this);
        }
    }

    /** {@code selection} if null, {@code "smoke"} or a regular expression on one line; else refused naming it. */
    static String requireSelection(String selection) {
        if (selection != null && (selection.isBlank() || selection.contains("\n"))) {
            throw new IllegalArgumentException("Tempest selection '" + selection + "': give \"smoke\" or a regular "
                    + "expression over test ids on one line, e.g. tempest.api.identity");
        }
        return selection;
    }

    /**
     * {@code selection} ({@link #requireSelection}) if a cloud of {@code services} can run it: a
     * selection needs the tempest service.
     */
    public static String requireRunnable(String selection, java.util.Collection<String> services) {
        if (requireSelection(selection) != null && !services.contains("tempest")) {
            throw new IllegalArgumentException("cannot run Tempest '" + selection + "': the cloud's services "
                    + services + " leave out tempest; add it (or leave out the bare setting)");
        }
        return selection;
    }

    /** What the deploy runs ({@link #running}), or null. */
    public String selection() {
        return selection;
    }

    @Override
    public List<Component> requires() {
        List<Component> r = new ArrayList<>(List.of(keystone, defaults));
        cinder.ifPresent(r::add);
        swift.ifPresent(r::add);
        return r;
    }

    @Override
    public Map<DistroFamily, List<String>> packages() {
        return Pkgs.of(List.of("tempest"), List.of("openstack-tempest"), List.of("python3-tempest"));
    }

    @Override
    public List<String> services() {
        return List.of();
    }

    /** The settings of tempest.conf for this cloud, given the ids of the default resources. */
    Map<String, Map<String, String>> conf(Deploy d, Map<String, String> ids, List<String> networkExtensions) {
        Map<String, Map<String, String>> c = new LinkedHashMap<>();
        c.put("DEFAULT", Map.of("log_dir", WORKSPACE + "/logs", "log_file", "tempest.log", "use_stderr", "false"));
        c.put("oslo_concurrency", Map.of("lock_path", WORKSPACE + "/locks"));
        c.put("auth", Map.of("admin_username", "admin", "admin_password", d.secret("keystone-admin"),
                "admin_project_name", "admin", "admin_domain_name", "Default", "use_dynamic_credentials", "true",
                "create_isolated_networks", "true", "tempest_roles", "member"));
        c.put("identity", Map.of("uri_v3", d.endpoints().url(5000, "/v3"), "auth_version", "v3", "region",
                d.cloud().region(), "v3_endpoint_type", "public"));
        c.put("identity-feature-enabled", Map.of("api_v2", "false", "api_v2_admin", "false"));
        c.put("compute", Map.of("image_ref", ids.get("image " + Defaults.IMAGE), "image_ref_alt",
                ids.get("image " + Defaults.IMAGE), "flavor_ref", ids.get("flavor m1.nano"), "flavor_ref_alt",
                ids.get("flavor m1.tiny"), "min_compute_nodes", "1", "build_timeout", "120"));
        // the fake driver's servers are not guests: nothing to log into, no consoles
        c.put("compute-feature-enabled", Map.of("vnc_console", "false", "spice_console", "false",
                "serial_console", "false", "change_password", "false", "live_migration", "false",
                "attach_encrypted_volume", "false", "console_output", "true"));
        c.put("validation", Map.of("run_validation", "false"));
        c.put("network", Map.of("public_network_id", ids.get("network public"), "floating_network_name", "public",
                "project_network_cidr", "10.100.0.0/16", "project_network_mask_bits", "28"));
        // the extensions Neutron has: "all" makes the extension test expect some that are not loaded (metering)
        c.put("network-feature-enabled", Map.of("ipv6", "false", "api_extensions", String.join(",",
                networkExtensions)));
        c.put("image-feature-enabled", Map.of("api_v1", "false", "api_v2", "true"));
        c.put("service_available", Map.of("nova", "true", "glance", "true", "neutron", "true", "cinder",
                String.valueOf(cinder.isPresent()), "swift", String.valueOf(swift.isPresent()), "heat", "false",
                "horizon", "false"));
        c.put("volume", Map.of("catalog_type", "volumev3", "storage_protocol", "ceph", "vendor_name", "Open Source",
                "build_timeout", "120"));
        c.put("volume-feature-enabled", Map.of("backup", "false", "api_v2", "false", "api_v3", "true"));
        c.put("object-storage", Map.of("operator_role", "member", "reseller_admin_role", "ResellerAdmin"));
        return c;
    }

    @Override
    protected void plan(Deploy d) {
        var ctl = d.fleet().group(d.cloud().inventory().nodesWith(Inventory.CONTROLLER).get(0));
        d.task(name() + ".config", ctx -> {
            Map<String, String> ids = d.onController(new FindIds(d.endpoints().url(5000), d.secret("keystone-admin"),
                    d.cloud().region(), List.of("image " + Defaults.IMAGE, "flavor m1.nano", "flavor m1.tiny",
                            "network public", FindIds.NETWORK_EXTENSIONS)));
            List<String> extensions = List.of(ids.get(FindIds.NETWORK_EXTENSIONS).split(","));
            ctl.call(Sh.checked("install -d -m 0700 " + WORKSPACE + "/etc " + WORKSPACE + "/logs " + WORKSPACE
                    + "/locks"));
            // what `tempest init` writes, without its Python start-up: the test runner's settings
            boolean a = ctl.call(WriteFile.text(WORKSPACE + "/.stestr.conf", "[DEFAULT]\n"
                    + "test_path=/usr/lib/python3/dist-packages/tempest/test_discover\n"
                    + "top_dir=/usr/lib/python3/dist-packages\n", FileSpec.mode(0644))).containsValue(Boolean.TRUE);
            boolean b = d.ini(ctl, WORKSPACE + "/etc/tempest.conf", conf(d, ids, extensions), "root");
            boolean c = ctl.call(WriteFile.text(EXCLUDE, EXCLUDED
                    + excludedOn(releaseOrDefault()), FileSpec.mode(0644))).containsValue(Boolean.TRUE);
            return a || b || c;
        }, defaults.ready(d), keystone.registered(d));
        if (selection != null) {
            var node = d.fleet().node(d.cloud().inventory().nodesWith(Inventory.CONTROLLER).get(0));
            // the run stops itself (and what it started) at RUN_LIMIT; the task's own limit is just above it, so
            // the deploy's ten minutes per task do not cut a suite short (smoke: 500-600 s on 2 cores)
            d.limit(d.task(name() + ".run", ctx -> {
                Result r = selection.equals("smoke") ? smoke(node, 2, RUN_LIMIT) : run(node, selection, 2, RUN_LIMIT);
                ctx.outcome(r.summary());
                if (!r.ok()) {
                    throw new IllegalStateException("tempest " + selection + ": " + (r.failed().isEmpty()
                            ? "no test ran (does the selection match any test id?)" : r.failed().size()
                            + " failed:\n" + r.failureDetails()));
                }
                return null;
            }, planned(d, "config")), RUN_LIMIT.plusMinutes(1));
        }
    }

    /** How long a run at the end of a deploy may take. */
    static final Duration RUN_LIMIT = Duration.ofMinutes(40);

    /** What a run of Tempest found (the tests of {@value #EXCLUDE} are left out, each with its reason there). */
    public record Result(int passed, List<String> failed, Map<String, String> skipped, double seconds,
                         String output) {
        /** True when no test failed. */
        public boolean ok() {
            return failed.isEmpty() && passed > 0;
        }

        /** The counts, then each failed test and each skip with its reason, one a line. */
        public String summary() {
            StringBuilder s = new StringBuilder(String.format(java.util.Locale.ROOT,
                    "%d passed, %d failed, %d skipped in %.0f s", passed, failed.size(), skipped.size(), seconds));
            failed.forEach(t -> s.append("\nfailed: ").append(t));
            skipped.forEach((t, why) -> s.append("\nskipped: ").append(t).append(": ").append(why));
            return s.toString();
        }

        /** Each failed test with what the runner printed under it (its traceback), at most 40 lines each. */
        public String failureDetails() {
            StringBuilder s = new StringBuilder();
            List<String> lines = output.lines().toList();
            for (int i = 0; i < lines.size(); i++) {
                Matcher m = LINE.matcher(lines.get(i).strip());
                if (m.matches() && m.group(2).startsWith("FAILED")) {
                    s.append(m.group(1)).append('\n');
                    for (int j = i + 1, n = 0; j < lines.size() && !lines.get(j).strip().startsWith("{") && n < 40;
                         j++, n++) {
                        s.append("    ").append(lines.get(j)).append('\n');
                    }
                }
            }
            return s.toString().strip();
        }
    }

    /** "{0} test.id[id-...,smoke] [1.2s] ... ok", "{1} setUpClass (test.Class) ... SKIPPED: why". */
    private static final Pattern LINE = Pattern.compile(
            "^\\{\\d+\\} (.+?)(?: \\[[\\d.]+s\\])? \\.\\.\\. (ok|FAILED|SKIPPED:?\\s*(.*))$");

    /** Runs Tempest's smoke tests ({@link #run}). */
    public static Result smoke(Node controller, int concurrency, Duration limit) {
        return tempest(controller, "--smoke", concurrency, limit);
    }

    /**
     * Runs the tests whose ids match {@code regex} on the node Tempest was deployed to,
     * {@code concurrency} at a time, stopped (with what it started) after {@code limit}.
     */
    public static Result run(Node controller, String regex, int concurrency, Duration limit) {
        return tempest(controller, "--regex '" + regex.replace("'", "'\\''") + "'", concurrency, limit);
    }

    private static Result tempest(Node controller, String select, int concurrency, Duration limit) {
        long t0 = System.nanoTime();
        CommandResult r = controller.call(new Sh("cd " + WORKSPACE + " && TEMPEST_CONFIG_DIR=" + WORKSPACE + "/etc "
                + "tempest run " + select + " --exclude-list " + EXCLUDE + " --concurrency " + concurrency + " 2>&1",
                false).timeout(limit));
        return parse(r.stdout(), (System.nanoTime() - t0) / 1e9);
    }

    /** The result of {@code tempest run}'s output (subunit-trace lines: test id, then ok, FAILED or SKIPPED). */
    static Result parse(String out, double seconds) {
        int passed = 0;
        List<String> failed = new ArrayList<>();
        Map<String, String> skipped = new LinkedHashMap<>();
        for (String line : out.lines().toList()) {
            Matcher m = LINE.matcher(line.strip());
            if (!m.matches()) {
                continue;
            }
            switch (m.group(2).split(":")[0].strip()) {
                case "ok" -> passed++;
                case "FAILED" -> failed.add(m.group(1));
                default -> skipped.put(m.group(1), m.group(3) == null ? "" : m.group(3).strip());
            }
        }
        return new Result(passed, List.copyOf(failed), skipped, seconds, out);
    }
}
