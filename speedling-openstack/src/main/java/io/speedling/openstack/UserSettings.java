package io.speedling.openstack;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Properties;

/**
 * The user's settings, which say how this machine runs clouds rather than what a cloud is: a
 * system property, else an environment variable, else a key of {@code ~/.speedling.properties}.
 */
final class UserSettings {
    private UserSettings() {
    }

    /** The setting {@code key} (environment variable {@code env}), or null when it is not set anywhere. */
    static String value(String key, String env) {
        String v = System.getProperty(key);
        if (v == null) {
            v = System.getenv(env);
        }
        if (v == null) {
            Path f = Path.of(System.getProperty("user.home"), ".speedling.properties");
            if (Files.isRegularFile(f)) {
                Properties p = new Properties();
                try (InputStream in = Files.newInputStream(f)) {
                    p.load(in);
                } catch (IOException e) {
                    throw new UncheckedIOException("cannot read " + f, e);
                }
                v = p.getProperty(key);
            }
        }
        return v;
    }
}
