package io.speedling.virt.image;

/**
 * Shell lines that byte-compile Python once per install instead of once per package. Debian's
 * Python packages each call {@code py3compile} from their postinst: one interpreter start and one
 * compile pass per package, half of an OpenStack install's time (Keystone's packages onto a bare
 * Debian 13 tree: 93 s, 48 s with the calls stubbed, plus 8.4 s to compile everything once with
 * two processes). {@link #defer()} stubs {@code py3compile} for the install (a dpkg diversion to a
 * name of speedling's own, made before Python itself is installed, undone on exit and at the start
 * of the next install if a run was killed before its end); {@link #compile()} undoes it and
 * compiles what the install added. Python's own standard library is compiled by its packages
 * without {@code py3compile}, as before.
 */
public final class PythonCompile {
    private PythonCompile() {
    }

    /** Where the real program is while speedling's stub stands in for it. */
    public static final String DIVERTED = "/usr/bin/py3compile.speedling-real";

    /** The shell function that undoes speedling's stub, when there is one. */
    private static final String RESTORE = """
            speedling_py3compile_restore() {
              if dpkg-divert --list /usr/bin/py3compile 2>/dev/null | grep -q '%1$s'; then
                rm -f /usr/bin/py3compile
                dpkg-divert --quiet --local --rename --divert %1$s --remove /usr/bin/py3compile
              fi
            }
            """.formatted(DIVERTED);

    /**
     * Defines {@code speedling_py3compile_restore}, undoes a stub a killed run left and stubs {@code
     * py3compile}; callers call the function from their EXIT trap.
     */
    public static String defer() {
        // diverted whether or not Python is there yet: an install that brings Python puts the real
        // program aside itself, and its own packages find the stub
        return RESTORE + """
                speedling_py3compile_restore
                dpkg-divert --quiet --local --rename --divert %1$s --add /usr/bin/py3compile
                printf '#!/bin/sh\\n# speedling: compiled once after the install\\nexit 0\\n' > /usr/bin/py3compile
                chmod 755 /usr/bin/py3compile
                """.formatted(DIVERTED);
    }

    /** Puts {@code py3compile} back and compiles the modules the install added (those compiled already are skipped). */
    public static String compile() {
        return """
                speedling_py3compile_restore
                if [ -x /usr/bin/python3 ] && [ -d /usr/lib/python3/dist-packages ]; then
                  python3 -m compileall -q -j 0 /usr/lib/python3/dist-packages >/dev/null 2>&1 || true
                fi
                """;
    }

    /** Only the undoing, for a wipe: a host keeps no stub whatever happened to the deploy. */
    public static String restoreOnly() {
        return RESTORE + "speedling_py3compile_restore\n";
    }
}
