package io.speedling.virt.image;

import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * One layer's inputs. A layer's key is the SHA-256 of its parent's key and exactly these
 * inputs (never a time), so the same recipe on any machine names the same layers.
 */
public sealed interface Step {
    /** Short kind for logs and metadata: debootstrap, archive, packages, script, files. */
    String kind();

    /** One line saying what this layer does. */
    String describe();

    /** Feeds every input that changes the layer's content into the digest. */
    void digest(Digest d);

    default boolean isBase() {
        return this instanceof Debootstrap || this instanceof Archive;
    }

    /** A Debian tree made by debootstrap (or mmdebstrap, which gives the same tree faster). */
    record Debootstrap(String tool, String suite, String mirror, String variant, List<String> include,
                       List<String> components) implements Step {
        private static final Pattern NAME = Pattern.compile("[a-z0-9][a-z0-9.+-]*");

        public Debootstrap {
            Objects.requireNonNull(suite, "suite");
            if (!NAME.matcher(suite).matches()) {
                throw new IllegalArgumentException("suite '" + suite + "' is not a Debian suite name (like bookworm)");
            }
            if (!tool.equals("debootstrap") && !tool.equals("mmdebstrap")) {
                throw new IllegalArgumentException("base tool '" + tool + "' is unknown: use debootstrap or mmdebstrap");
            }
            URI u = URI.create(mirror);
            if (u.getScheme() == null || !(u.getScheme().equals("http") || u.getScheme().equals("https")
                    || u.getScheme().equals("file"))) {
                throw new IllegalArgumentException("mirror '" + mirror + "' is not an http, https or file URL");
            }
            include = Packages.checkNames(include);
            components = List.copyOf(components);
        }

        @Override
        public String kind() {
            return tool;
        }

        @Override
        public String describe() {
            return tool + " " + suite + " (" + variant + ", " + include.size() + " extra packages) from " + mirror;
        }

        @Override
        public void digest(Digest d) {
            // both tools produce the same kind of tree from the same inputs, but the trees differ in
            // details (apt state), so the tool is part of the key
            d.add("debootstrap").add(tool).add(suite).add(mirror).add(variant).addAll(include).addAll(components);
            if (rolling()) {
                d.add("valid-until-off");
            }
        }

        /** Debian's moving suites (testing, now forky; unstable), whose Release files expire within days. */
        static final java.util.Set<String> ROLLING = java.util.Set.of("forky", "testing", "sid", "unstable");

        /**
         * Whether apt in this tree accepts an expired Release file: for a moving suite, whose Release
         * file says "valid for a week" and which a mirror that is not refreshed keeps serving after
         * that (on 2026-12-03 this machine's mirror served forky with a Release file expired 27 days
         * earlier); its packages are still checked against the signed file. Stable suites carry no
         * expiry, so they stay as apt has them.
         */
        public boolean rolling() {
            return ROLLING.contains(suite);
        }
    }

    /** A root filesystem tarball, downloaded and checked against its SHA-256 before it is unpacked. */
    record Archive(URI source, String sha256) implements Step {
        private static final Pattern HEX64 = Pattern.compile("[0-9a-f]{64}");

        public Archive {
            Objects.requireNonNull(source, "source");
            sha256 = sha256.toLowerCase(Locale.ROOT);
            if (!HEX64.matcher(sha256).matches()) {
                throw new IllegalArgumentException("sha256 '" + sha256 + "' for " + source
                        + " is not 64 hex digits");
            }
            String s = source.getScheme();
            if (s == null || !(s.equals("http") || s.equals("https") || s.equals("file"))) {
                throw new IllegalArgumentException("archive source '" + source + "' is not an http, https or file URL");
            }
        }

        @Override
        public String kind() {
            return "archive";
        }

        @Override
        public String describe() {
            return "archive " + source;
        }

        @Override
        public void digest(Digest d) {
            // the content is fixed by its hash; where it was fetched from does not change the tree
            d.add("archive").add(sha256);
        }
    }

    /**
     * apt-get install of packages, services kept from starting, optional debconf answers. A name
     * {@code pkg/suite} takes that package from another Debian suite (added as a source pinned
     * low, so nothing else comes from it): for what the node's own suite lacks.
     */
    record Packages(List<String> packages, String debconf) implements Step {
        private static final Pattern PKG = Pattern.compile(
                "[a-z0-9][a-z0-9.+-]+(:[a-z0-9]+)?(=[A-Za-z0-9.+:~-]+|/[a-z][a-z0-9-]*)?");

        /** A package's name as dpkg knows it: without the {@code /suite} it is asked from. */
        public static String bare(String pkg) {
            int slash = pkg.indexOf('/');
            return slash < 0 ? pkg : pkg.substring(0, slash);
        }

        /** The other suites {@code pkg/suite} names ask for, sorted. */
        public java.util.SortedSet<String> otherSuites() {
            java.util.SortedSet<String> out = new java.util.TreeSet<>();
            for (String n : packages) {
                int slash = n.indexOf('/');
                if (slash > 0) {
                    out.add(n.substring(slash + 1));
                }
            }
            return out;
        }

        public Packages {
            // apt installs a set: the same packages in another order make the same layer
            packages = List.copyOf(new java.util.TreeSet<>(checkNames(packages)));
            if (packages.isEmpty()) {
                throw new IllegalArgumentException("a packages layer needs at least one package");
            }
            debconf = debconf == null ? "" : debconf;
        }

        static List<String> checkNames(List<String> names) {
            List<String> out = new ArrayList<>();
            for (String n : names) {
                if (n == null || !PKG.matcher(n).matches()) {
                    throw new IllegalArgumentException("'" + n + "' is not a Debian package name");
                }
                out.add(n);
            }
            return List.copyOf(out);
        }

        @Override
        public String kind() {
            return "packages";
        }

        @Override
        public String describe() {
            String list = String.join(" ", packages);
            return "packages " + (list.length() > 80 ? list.substring(0, 77) + "..." : list);
        }

        @Override
        public void digest(Digest d) {
            d.add("packages").addAll(packages).add(debconf);
        }
    }

    /** A shell script run with {@code sh -eu} inside the image (host network, no services running). */
    record Script(String name, String script) implements Step {
        /** Scripts are passed as one argument; Linux caps one argument at 128 KiB. */
        static final int MAX_BYTES = 120 * 1024;

        public Script {
            Objects.requireNonNull(name, "name");
            Objects.requireNonNull(script, "script");
            if (script.getBytes(StandardCharsets.UTF_8).length > MAX_BYTES) {
                throw new IllegalArgumentException("script '" + name + "' is larger than " + MAX_BYTES
                        + " bytes: put its data in a files layer and keep the script short");
            }
        }

        @Override
        public String kind() {
            return "script";
        }

        @Override
        public String describe() {
            return "script " + name;
        }

        @Override
        public void digest(Digest d) {
            // the name is a label only; two scripts with the same bytes make the same layer
            d.add("script").add(script);
        }
    }

    /** Files added to the image with their mode and numeric owner. */
    record Files(String name, List<FileEntry> files) implements Step {
        public Files {
            Objects.requireNonNull(name, "name");
            files = List.copyOf(files);
            if (files.isEmpty()) {
                throw new IllegalArgumentException("files layer '" + name + "' has no files");
            }
        }

        @Override
        public String kind() {
            return "files";
        }

        @Override
        public String describe() {
            return "files " + name + " (" + files.size() + ")";
        }

        @Override
        public void digest(Digest d) {
            d.add("files");
            for (FileEntry f : files) {
                d.add(f.path()).add(Integer.toOctalString(f.mode())).add(f.uid() + ":" + f.gid()).add(f.content());
            }
        }
    }

    /** A file for a {@link Files} layer: absolute path inside the image, content, mode, owner. */
    record FileEntry(String path, byte[] content, int mode, int uid, int gid) {
        public FileEntry {
            if (path == null || !path.startsWith("/") || path.contains("/../") || path.endsWith("/..")
                    || path.endsWith("/")) {
                throw new IllegalArgumentException("image file path '" + path
                        + "' must be absolute, name a file and not contain '..'");
            }
            content = content.clone();
            if (mode < 0 || mode > 07777) {
                throw new IllegalArgumentException("mode " + Integer.toOctalString(mode) + " of " + path
                        + " is not a file mode");
            }
        }

        public static FileEntry of(String path, String text, int mode) {
            return new FileEntry(path, text.getBytes(StandardCharsets.UTF_8), mode, 0, 0);
        }
    }

    /** Length-prefixed SHA-256 input, so ("ab","c") and ("a","bc") differ. */
    final class Digest {
        private final MessageDigest md;

        Digest(String parentKey) {
            try {
                md = MessageDigest.getInstance("SHA-256");
            } catch (java.security.NoSuchAlgorithmException e) {
                throw new IllegalStateException(e);
            }
            add("speedling-layer-v1").add(parentKey == null ? "" : parentKey);
        }

        public Digest add(String s) {
            return add(s.getBytes(StandardCharsets.UTF_8));
        }

        public Digest add(byte[] b) {
            md.update(java.nio.ByteBuffer.allocate(8).putLong(b.length).array());
            md.update(b);
            return this;
        }

        public Digest addAll(List<String> all) {
            add(Integer.toString(all.size()));
            all.forEach(this::add);
            return this;
        }

        String hex() {
            return java.util.HexFormat.of().formatHex(md.digest());
        }
    }

    static String keyOf(String parentKey, Step step) {
        Digest d = new Digest(parentKey);
        step.digest(d);
        return d.hex();
    }
}
