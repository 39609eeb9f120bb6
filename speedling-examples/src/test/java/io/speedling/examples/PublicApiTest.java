package io.speedling.examples;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.File;
import java.io.IOException;
import java.lang.reflect.Constructor;
import java.lang.reflect.Field;
import java.lang.reflect.GenericArrayType;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.lang.reflect.ParameterizedType;
import java.lang.reflect.Type;
import java.lang.reflect.TypeVariable;
import java.lang.reflect.WildcardType;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeSet;
import java.util.jar.JarFile;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The public API's boundary, enforced: a public or protected signature of speedling (outside its
 * {@code internal} packages) names only JDK types, speedling's own, and SLF4J's logger (the one
 * logging facade a caller shares); the JUnit extension may name JUnit's types. sshj, libvirt-java,
 * Jackson and commons-compress stay behind {@code internal} packages, so they can change without
 * breaking callers.
 */
class PublicApiTest {
    private static final List<String> MODULES = List.of("speedling-core", "speedling-virt", "speedling-openstack");

    @Test
    void publicSignaturesNameOnlyJdkAndSpeedlingTypes() throws Exception {
        List<String> classes = speedlingClasses();
        assertThat(classes).as("speedling's classes on the test class path").hasSizeGreaterThan(100);
        TreeSet<String> leaks = new TreeSet<>();
        for (String name : classes) {
            if (name.contains(".internal.")) {
                continue;
            }
            Class<?> c = Class.forName(name, false, getClass().getClassLoader());
            if (!Modifier.isPublic(c.getModifiers())) {
                continue;
            }
            check(leaks, c, c.getName() + " extends", c.getGenericSuperclass());
            for (Type t : c.getGenericInterfaces()) {
                check(leaks, c, c.getName() + " implements", t);
            }
            for (Method m : c.getDeclaredMethods()) {
                if (visible(m.getModifiers()) && !m.isSynthetic()) {
                    String where = c.getName() + "." + m.getName();
                    check(leaks, c, where, m.getGenericReturnType());
                    Stream.of(m.getGenericParameterTypes()).forEach(t -> check(leaks, c, where, t));
                    Stream.of(m.getGenericExceptionTypes()).forEach(t -> check(leaks, c, where + " throws", t));
                }
            }
            for (Constructor<?> k : c.getDeclaredConstructors()) {
                if (visible(k.getModifiers()) && !k.isSynthetic()) {
                    Stream.of(k.getGenericParameterTypes()).forEach(t -> check(leaks, c, c.getName() + "(...)", t));
                }
            }
            for (Field f : c.getDeclaredFields()) {
                if (visible(f.getModifiers()) && !f.isSynthetic()) {
                    check(leaks, c, c.getName() + "." + f.getName(), f.getGenericType());
                }
            }
        }
        assertThat(leaks).as("public signatures that name a dependency's type; move the code into an internal "
                + "package or wrap the type").isEmpty();
    }

    /**
     * A module's {@code internal} packages are its own: another module's code (main code of
     * core, virt and openstack) never refers to them, so they can change freely. Checked in the
     * class files' constant pools, where every referenced class is named.
     */
    @Test
    void noModuleUsesAnotherModulesInternals() throws Exception {
        TreeSet<String> uses = new TreeSet<>();
        for (String entry : System.getProperty("java.class.path").split(File.pathSeparator)) {
            String module = MODULES.stream().filter(entry::contains).findFirst().orElse(null);
            if (module == null || entry.contains("test-classes") || entry.endsWith("-tests.jar")) {
                continue;
            }
            String own = "io/speedling/" + module.substring("speedling-".length()) + "/internal/";
            for (var c : classBytes(Path.of(entry)).entrySet()) {
                String text = new String(c.getValue(), java.nio.charset.StandardCharsets.ISO_8859_1);
                for (String other : MODULES) {
                    String theirs = "io/speedling/" + other.substring("speedling-".length()) + "/internal/";
                    if (!theirs.equals(own) && text.contains(theirs)) {
                        uses.add(c.getKey() + " -> " + theirs.replace('/', '.'));
                    }
                }
            }
        }
        assertThat(uses).as("classes that use another module's internal package; give that module a public API "
                + "for it or keep the code on this side").isEmpty();
    }

    /** Each class file under a class directory or in a jar, by its path. */
    private static java.util.Map<String, byte[]> classBytes(Path p) throws IOException {
        java.util.Map<String, byte[]> out = new java.util.TreeMap<>();
        if (Files.isDirectory(p)) {
            try (Stream<Path> w = Files.walk(p)) {
                for (Path f : (Iterable<Path>) w.filter(f -> f.toString().endsWith(".class"))::iterator) {
                    out.put(p.relativize(f).toString(), Files.readAllBytes(f));
                }
            }
        } else if (p.toString().endsWith(".jar")) {
            try (JarFile jar = new JarFile(p.toFile())) {
                for (var e : java.util.Collections.list(jar.entries())) {
                    if (e.getName().endsWith(".class")) {
                        try (var in = jar.getInputStream(e)) {
                            out.put(e.getName(), in.readAllBytes());
                        }
                    }
                }
            }
        }
        return out;
    }

    private static boolean visible(int modifiers) {
        return Modifier.isPublic(modifiers) || Modifier.isProtected(modifiers);
    }

    private static void check(TreeSet<String> leaks, Class<?> owner, String where, Type t) {
        if (t == null || t instanceof TypeVariable<?>) {
            return;
        }
        if (t instanceof ParameterizedType p) {
            check(leaks, owner, where, p.getRawType());
            Stream.of(p.getActualTypeArguments()).forEach(a -> check(leaks, owner, where, a));
        } else if (t instanceof GenericArrayType g) {
            check(leaks, owner, where, g.getGenericComponentType());
        } else if (t instanceof WildcardType w) {
            Stream.of(w.getUpperBounds()).forEach(b -> check(leaks, owner, where, b));
            Stream.of(w.getLowerBounds()).forEach(b -> check(leaks, owner, where, b));
        } else if (t instanceof Class<?> c) {
            while (c.isArray()) {
                c = c.getComponentType();
            }
            String n = c.getName();
            boolean ok = c.isPrimitive() || n.startsWith("java.")
                    || (n.startsWith("io.speedling.") && !n.contains(".internal."))
                    || n.startsWith("org.slf4j.")
                    || (owner.getPackageName().endsWith(".junit") && n.startsWith("org.junit."));
            if (!ok) {
                leaks.add(where + " -> " + n);
            }
        }
    }

    /** The class names of speedling's main modules, from their class directories or jars on the class path. */
    private static List<String> speedlingClasses() throws IOException {
        List<String> out = new ArrayList<>();
        for (String entry : System.getProperty("java.class.path").split(File.pathSeparator)) {
            Path p = Path.of(entry);
            if (MODULES.stream().noneMatch(m -> entry.contains(m)) || entry.contains("test-classes")
                    || entry.endsWith("-tests.jar")) {
                continue;
            }
            if (Files.isDirectory(p)) {
                try (Stream<Path> w = Files.walk(p)) {
                    w.filter(f -> f.toString().endsWith(".class")).forEach(f -> out.add(className(p.relativize(f)
                            .toString())));
                }
            } else if (entry.endsWith(".jar")) {
                try (JarFile jar = new JarFile(p.toFile())) {
                    jar.stream().map(e -> e.getName()).filter(n -> n.endsWith(".class") && n.startsWith("io/"))
                            .forEach(n -> out.add(className(n)));
                }
            }
        }
        return out;
    }

    private static String className(String path) {
        return path.substring(0, path.length() - ".class".length()).replace('/', '.').replace(File.separatorChar, '.');
    }
}
