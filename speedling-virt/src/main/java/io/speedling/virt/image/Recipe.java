package io.speedling.virt.image;

import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * An image as a stack of layers: a base (debootstrap or a verified archive), then layers that
 * install packages, run scripts or add files. Immutable: every method returns a new recipe, so
 * a base recipe can be shared by several images and their common layers are built once.
 *
 * <pre>{@code
 * Recipe node = Recipe.debootstrap("bookworm")
 *         .include("systemd-sysv", "openssh-server", "iproute2", "sudo")
 *         .packages("openjdk-17-jre-headless", "curl");
 * Image image = ImageCache.openDefault().build(node);
 * }</pre>
 */
public final class Recipe {
    public static final String DEFAULT_MIRROR = "http://deb.debian.org/debian";

    private final List<Step> steps;

    private Recipe(List<Step> steps) {
        this.steps = List.copyOf(steps);
    }

    /** A debootstrap base of {@code suite} from deb.debian.org, variant minbase, component main. */
    public static Recipe debootstrap(String suite) {
        return new Recipe(List.of(new Step.Debootstrap("debootstrap", suite, DEFAULT_MIRROR, "minbase",
                List.of(), List.of("main"))));
    }

    /** A base unpacked from a root filesystem tarball, verified against {@code sha256} first. */
    public static Recipe archive(URI source, String sha256) {
        return new Recipe(List.of(new Step.Archive(source, sha256)));
    }

    /** The recipe made of exactly these steps (the first must be a base). */
    public static Recipe of(List<Step> steps) {
        if (steps.isEmpty() || !steps.get(0).isBase()) {
            throw new IllegalArgumentException("a recipe starts with a base layer (debootstrap or archive)");
        }
        for (int i = 1; i < steps.size(); i++) {
            if (steps.get(i).isBase()) {
                throw new IllegalArgumentException("only the first layer of a recipe can be a base; layer "
                        + (i + 1) + " is " + steps.get(i).describe());
            }
        }
        return new Recipe(steps);
    }

    public List<Step> steps() {
        return steps;
    }

    /** The mirror of a debootstrap base. */
    public Recipe mirror(String url) {
        return withBase(b -> new Step.Debootstrap(b.tool(), b.suite(), url, b.variant(), b.include(), b.components()));
    }

    /** Extra packages debootstrap installs into the base. */
    public Recipe include(String... packages) {
        return withBase(b -> {
            List<String> all = new ArrayList<>(b.include());
            all.addAll(Arrays.asList(packages));
            return new Step.Debootstrap(b.tool(), b.suite(), b.mirror(), b.variant(), all, b.components());
        });
    }

    /** debootstrap's variant: minbase (default), buildd, or "" for the standard set. */
    public Recipe variant(String variant) {
        return withBase(b -> new Step.Debootstrap(b.tool(), b.suite(), b.mirror(), variant, b.include(), b.components()));
    }

    public Recipe components(String... components) {
        return withBase(b -> new Step.Debootstrap(b.tool(), b.suite(), b.mirror(), b.variant(), b.include(),
                List.of(components)));
    }

    /** Builds the base with mmdebstrap (one apt run, parallel downloads) instead of debootstrap. */
    public Recipe mmdebstrap() {
        return withBase(b -> new Step.Debootstrap("mmdebstrap", b.suite(), b.mirror(), b.variant(), b.include(),
                b.components()));
    }

    /** A layer that installs packages (no recommends, services not started). */
    public Recipe packages(String... packages) {
        return then(new Step.Packages(List.of(packages), ""));
    }

    /** A layer that installs packages after loading debconf answers (debconf-set-selections format). */
    public Recipe packages(List<String> packages, String debconfSelections) {
        return then(new Step.Packages(packages, debconfSelections));
    }

    /** A layer made by a shell script run inside the image with {@code sh -eu}. */
    public Recipe script(String name, String script) {
        return then(new Step.Script(name, script));
    }

    /** A layer adding text files, mode per file, owned by root. */
    public Recipe files(String name, Map<String, String> pathToText, int mode) {
        List<Step.FileEntry> entries = new ArrayList<>();
        new TreeMap<>(pathToText).forEach((p, t) -> entries.add(
                new Step.FileEntry(p, t.getBytes(StandardCharsets.UTF_8), mode, 0, 0)));
        return then(new Step.Files(name, entries));
    }

    public Recipe files(String name, List<Step.FileEntry> entries) {
        return then(new Step.Files(name, entries));
    }

    public Recipe then(Step step) {
        if (step.isBase()) {
            throw new IllegalArgumentException("a base layer can only start a recipe: " + step.describe());
        }
        List<Step> next = new ArrayList<>(steps);
        next.add(step);
        return new Recipe(next);
    }

    /** The key of every layer, base first; the last is the image's key. */
    public List<String> keys() {
        List<String> keys = new ArrayList<>();
        String parent = null;
        for (Step s : steps) {
            parent = Step.keyOf(parent, s);
            keys.add(parent);
        }
        return keys;
    }

    public String key() {
        List<String> k = keys();
        return k.get(k.size() - 1);
    }

    private Recipe withBase(java.util.function.UnaryOperator<Step.Debootstrap> change) {
        if (!(steps.get(0) instanceof Step.Debootstrap b)) {
            throw new IllegalStateException("this recipe's base is " + steps.get(0).describe() + ", not debootstrap");
        }
        if (steps.size() > 1) {
            throw new IllegalStateException("set base options before adding layers (" + steps.get(1).describe() + ")");
        }
        return new Recipe(List.of(change.apply(b)));
    }

    @Override
    public String toString() {
        StringBuilder b = new StringBuilder("Recipe[");
        for (int i = 0; i < steps.size(); i++) {
            b.append(i == 0 ? "" : " -> ").append(steps.get(i).describe());
        }
        return b.append(']').toString();
    }
}
