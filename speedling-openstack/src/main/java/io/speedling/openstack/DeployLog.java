package io.speedling.openstack;

import io.speedling.core.tasks.RunReport;
import io.speedling.core.tasks.TaskListener;
import io.speedling.core.tasks.TaskRecord;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Locale;

/**
 * The state directory's {@code deploy.log}: one line per task start and end of every deploy of
 * the cloud, with the wall-clock time, the failures with their (redacted) errors and each run's
 * result, appended run after run. Written line by line, so a deploy that dies leaves what it did.
 * Past 1 MiB the file is moved to {@code deploy.log.1} (replacing the older one) when a run starts.
 */
final class DeployLog implements TaskListener, AutoCloseable {
    static final String FILE = "deploy.log";
    static final long ROTATE_BYTES = 1 << 20;

    private final Secrets secrets;
    private final Writer out;

    DeployLog(Path stateDir, Secrets secrets) {
        this.secrets = secrets;
        Path file = stateDir.resolve(FILE);
        try {
            if (Files.exists(file) && Files.size(file) > ROTATE_BYTES) {
                Files.move(file, stateDir.resolve(FILE + ".1"), StandardCopyOption.REPLACE_EXISTING);
            }
            if (!Files.exists(file)) {
                Files.createFile(file, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
            }
            this.out = Files.newBufferedWriter(file, StandardCharsets.UTF_8, StandardOpenOption.APPEND);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot open the deploy log " + file, e);
        }
    }

    /** Writes one line with the time; an I/O error is not the deploy's concern and is dropped. */
    synchronized void line(String text) {
        try {
            out.write(Instant.now().truncatedTo(ChronoUnit.MILLIS) + " " + secrets.redact(text).replace('\n', ' ')
                    + "\n");
            out.flush();
        } catch (IOException ignored) {
            // a full disk must not fail a deploy that went well
        }
    }

    @Override
    public void runStarted(List<String> tasks) {
        line("run started: " + tasks.size() + " tasks");
    }

    @Override
    public void taskStarted(String task) {
        line("start   " + task);
    }

    @Override
    public void taskFinished(TaskRecord r) {
        String took = String.format(Locale.ROOT, "%.1f s, own work %.1f s", (r.endMs() - r.startMs()) / 1000.0,
                r.workMs() / 1000.0);
        switch (r.status()) {
            case SUCCEEDED -> line("ok      " + r.name() + " (" + took + ")");
            case FAILED -> line("FAILED  " + r.name() + " (" + took + "): " + r.error());
            case ABORTED -> line("ABORTED " + r.name() + ": it waited for " + r.failedTask() + ", which failed");
            default -> line(r.status().name().toLowerCase(Locale.ROOT) + " " + r.name());
        }
    }

    @Override
    public void runFinished(RunReport report) {
        line(String.format(Locale.ROOT, "run ended: %d tasks in %.1f s, %d failed, %d aborted", report.tasks().size(),
                report.wallMs() / 1000.0, report.failed().size(), report.aborted().size()));
    }

    @Override
    public synchronized void close() {
        try {
            out.close();
        } catch (IOException ignored) {
            // nothing left to lose
        }
    }
}
