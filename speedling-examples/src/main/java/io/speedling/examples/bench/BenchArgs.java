package io.speedling.examples.bench;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A benchmark's options, {@code --name VALUE} or a flag ({@code --no-baseline}): an unknown
 * option, one without a value or a number that is not one is refused at once, naming it and the
 * known ones, before anything is measured.
 */
final class BenchArgs {
    private final String bench;
    private final Map<String, String> values = new LinkedHashMap<>();
    private final java.util.Set<String> flags = new java.util.HashSet<>();

    private BenchArgs(String bench) {
        this.bench = bench;
    }

    /** Options {@code valued} take a value; {@code flags} stand alone. */
    static BenchArgs parse(String bench, String[] args, List<String> flags, String... valued) {
        BenchArgs b = new BenchArgs(bench);
        List<String> names = List.of(valued);
        for (int i = 0; i < args.length; i++) {
            if (flags.contains(args[i])) {
                b.flags.add(args[i]);
                continue;
            }
            if (!names.contains(args[i])) {
                java.util.List<String> all = new java.util.ArrayList<>(names);
                all.addAll(flags);
                throw new IllegalArgumentException(bench + ": unknown option '" + args[i] + "'; the options are "
                        + String.join(", ", all));
            }
            if (i + 1 >= args.length) {
                throw new IllegalArgumentException(bench + ": " + args[i] + " needs a value");
            }
            b.values.put(args[i], args[++i]);
        }
        return b;
    }

    boolean has(String flag) {
        return flags.contains(flag);
    }

    String get(String name, String dflt) {
        return values.getOrDefault(name, dflt);
    }

    int getInt(String name, int dflt) {
        String v = values.get(name);
        if (v == null) {
            return dflt;
        }
        try {
            return Integer.parseInt(v.strip());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(bench + ": " + name + " '" + v + "' is not a whole number");
        }
    }

    /** Seconds since {@code t0} (a {@link System#nanoTime()}). */
    static double secs(long t0) {
        return (System.nanoTime() - t0) / 1e9;
    }
}
