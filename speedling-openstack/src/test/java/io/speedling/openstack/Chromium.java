package io.speedling.openstack;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** Headless Chromium (Debian package chromium) rendering a report file, as a user's browser would. */
final class Chromium {
    private Chromium() {
    }

    /**
     * Takes a screenshot of {@code html} into {@code png} (checked to be a real, non-blank image)
     * and returns the DOM as Chromium parsed it.
     */
    static String render(Path html, Path png) throws IOException, InterruptedException {
        Path profile = Files.createTempDirectory("speedling-chromium");
        try {
            run(List.of("--screenshot=" + png, "--window-size=1400,2200", "--hide-scrollbars"), html, profile);
            try (InputStream in = Files.newInputStream(png); DataInputStream d = new DataInputStream(in)) {
                byte[] sig = d.readNBytes(16);
                assertThat(new String(sig, 1, 3, StandardCharsets.US_ASCII)).isEqualTo("PNG");
                int width = d.readInt();
                int height = d.readInt();
                assertThat(width).isEqualTo(1400);
                assertThat(height).isEqualTo(2200);
            }
            assertThat(Files.size(png)).as("a screenshot with content").isGreaterThan(50_000);
            return run(List.of("--dump-dom"), html, profile);
        } finally {
            io.speedling.virt.internal.Mounts.removeTree(profile);
        }
    }

    private static String run(List<String> args, Path html, Path profile) throws IOException, InterruptedException {
        List<String> cmd = new java.util.ArrayList<>(List.of("chromium", "--headless", "--no-sandbox", "--disable-gpu",
                "--disable-background-networking", "--user-data-dir=" + profile));
        cmd.addAll(args);
        cmd.add(html.toUri().toString());
        Path out = profile.resolve("stdout");
        Process p;
        try {
            p = new ProcessBuilder(cmd).redirectOutput(out.toFile()).redirectError(ProcessBuilder.Redirect.DISCARD)
                    .start();
        } catch (IOException e) {
            throw new IOException("cannot start chromium (Debian package chromium; speedling-examples/bin/prereqs "
                    + "--tests installs it): " + e.getMessage(), e);
        }
        if (!p.waitFor(120, TimeUnit.SECONDS)) {
            p.destroyForcibly();  // by its own PID
            throw new IOException("chromium did not finish rendering " + html + " in 120 s");
        }
        assertThat(p.exitValue()).as("chromium exit status").isZero();
        return Files.readString(out);
    }
}
