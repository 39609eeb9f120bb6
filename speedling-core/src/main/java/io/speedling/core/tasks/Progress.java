package io.speedling.core.tasks;

import java.io.PrintStream;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * Shows long work as it happens. On a terminal ({@link #live}) one status line is redrawn in
 * place: the current phase and its elapsed time, or for a task graph the tasks done out of the
 * total and the ones running now with their elapsed time; failures and finished phases stay as
 * lines above it. Elsewhere (CI logs, files) it writes one quiet line per finished task or phase.
 *
 * <p>Give it to a {@link TaskGraph} as a {@link TaskListener}; phases ({@link #phase}) cover work
 * outside a graph such as building images or booting nodes. Close it to stop redrawing.
 */
public final class Progress implements TaskListener, AutoCloseable {
    private final PrintStream out;
    private final boolean live;
    private final int width;
    private final Map<String, Long> running = new LinkedHashMap<>();
    private final java.util.Set<String> waiting = new java.util.HashSet<>();
    private ScheduledExecutorService ticker;
    private String run = "tasks";
    private int total;
    private int done;
    private int failed;
    private String phase;
    private String phaseDetail = "";
    private long phaseStart;
    private boolean inRun;
    private int drawn;

    private Progress(PrintStream out, boolean live, int width) {
        this.out = out;
        this.live = live;
        this.width = Math.max(40, width);
    }

    /**
     * Progress on standard output: redrawn in place when it is a terminal ({@code System.console()}
     * and {@code TERM} not {@code dumb}), line by line otherwise.
     */
    public static Progress console() {
        boolean tty = System.console() != null && !"dumb".equals(System.getenv("TERM"));
        int cols = 100;
        try {
            cols = Integer.parseInt(System.getenv().getOrDefault("COLUMNS", "100"));
        } catch (NumberFormatException ignored) {
            // keep 100
        }
        return tty ? live(System.out, cols) : lines(System.out);
    }

    /** A status line redrawn in place, at most {@code width} characters wide. */
    public static Progress live(PrintStream out, int width) {
        return new Progress(out, true, width);
    }

    /** One line per finished task or phase. */
    public static Progress lines(PrintStream out) {
        return new Progress(out, false, 200);
    }

    public boolean isLive() {
        return live;
    }

    /** Names the next task graph run in the status line (default "tasks"). */
    public synchronized Progress label(String name) {
        this.run = name;
        return this;
    }

    /** A phase begins (e.g. "image", "nodes"); it ends with {@link #phaseDone} or the next phase. */
    public synchronized void phase(String name, String detail) {
        phase = name;
        phaseDetail = detail == null ? "" : detail;
        phaseStart = System.nanoTime();
        if (live) {
            startTicker();
            draw();
        } else {
            out.println(name + ": " + phaseDetail);
        }
    }

    /** Changes what the current phase shows, e.g. the layer being built. */
    public synchronized void detail(String detail) {
        phaseDetail = detail == null ? "" : detail;
        if (live) {
            draw();
        }
    }

    /** A line kept above the status line (live) or printed as is (lines). */
    public synchronized void line(String text) {
        clear();
        out.println(text);
        if (live) {
            draw();
        }
    }

    /** Ends the current phase with a result line showing its elapsed time. */
    public synchronized void phaseDone(String result) {
        String name = phase == null ? "done" : phase;
        double s = phase == null ? 0 : (System.nanoTime() - phaseStart) / 1e9;
        phase = null;
        clear();
        out.printf("%s: %s (%.1f s)%n", name, result, s);
        if (live) {
            draw();
        }
    }

    @Override
    public synchronized void runStarted(List<String> tasks) {
        total = tasks.size();
        done = 0;
        failed = 0;
        running.clear();
        waiting.clear();
        inRun = true;
        if (live) {
            startTicker();
            draw();
        }
    }

    @Override
    public synchronized void taskStarted(String task) {
        running.put(task, System.nanoTime());
        if (live) {
            draw();
        }
    }

    @Override
    public synchronized void taskWaiting(String task, String target) {
        waiting.add(task);
    }

    @Override
    public synchronized void taskResumed(String task) {
        waiting.remove(task);
        running.computeIfPresent(task, (k, v) -> System.nanoTime());  // show its time working since
    }

    @Override
    public synchronized void taskFinished(TaskRecord r) {
        running.remove(r.name());
        waiting.remove(r.name());
        done++;
        boolean bad = r.status() != TaskStatus.SUCCEEDED;
        if (bad) {
            failed++;
        }
        String line = String.format(java.util.Locale.ROOT, "%s [%d/%d] %-7s %s at %.1f s (own work %.1f s)", run,
                done, total, word(r.status()), r.name(), r.endMs() / 1000.0, r.workMs() / 1000.0);
        if (bad && r.error() != null) {
            line += ": " + firstLine(r.error());
        }
        if (!live) {
            out.println(line);
        } else if (bad) {
            clear();
            out.println(line);
            draw();
        } else {
            draw();
        }
    }

    @Override
    public synchronized void runFinished(RunReport report) {
        inRun = false;
        running.clear();
        clear();
        out.printf("%s: %d tasks in %.1f s, %d failed%n", run, done, report.wallMs() / 1000.0, failed);
        if (live) {
            draw();
        }
    }

    @Override
    public synchronized void close() {
        if (ticker != null) {
            ticker.shutdownNow();
            ticker = null;
        }
        clear();
        out.flush();
    }

    /** The status line as it would be drawn now (for tests and custom displays). */
    public synchronized String statusLine() {
        long now = System.nanoTime();
        StringBuilder sb = new StringBuilder();
        if (inRun) {
            sb.append(run).append(' ').append(done).append('/').append(total);
            List<Map.Entry<String, Long>> rs = new ArrayList<>(running.entrySet());
            rs.removeIf(e -> waiting.contains(e.getKey()));
            rs.sort(Map.Entry.comparingByValue());
            if (!rs.isEmpty()) {
                sb.append("  running:");
                for (Map.Entry<String, Long> e : rs) {
                    sb.append(' ').append(e.getKey()).append(' ').append((now - e.getValue()) / 1_000_000_000L)
                            .append(" s,");
                }
                sb.setLength(sb.length() - 1);
            }
            int w = (int) running.keySet().stream().filter(waiting::contains).count();
            if (w > 0) {
                sb.append("  (").append(w).append(" waiting)");
            }
        } else if (phase != null) {
            sb.append(phase).append(": ").append(phaseDetail).append(' ')
                    .append((now - phaseStart) / 1_000_000_000L).append(" s");
        }
        if (sb.length() > width - 1) {
            sb.setLength(width - 4);
            sb.append("...");
        }
        return sb.toString();
    }

    private void startTicker() {
        if (ticker == null) {
            ticker = Executors.newSingleThreadScheduledExecutor(r -> {
                Thread t = new Thread(r, "speedling-progress");
                t.setDaemon(true);
                return t;
            });
            ticker.scheduleAtFixedRate(this::redraw, 1, 1, TimeUnit.SECONDS);
        }
    }

    private synchronized void redraw() {
        draw();
    }

    private void draw() {
        if (!live) {
            return;
        }
        String s = statusLine();
        out.print("\r" + s + (s.length() < drawn ? " ".repeat(drawn - s.length()) + "\r" + s : ""));
        out.flush();
        drawn = s.length();
    }

    private void clear() {
        if (live && drawn > 0) {
            out.print("\r" + " ".repeat(drawn) + "\r");
            drawn = 0;
        }
    }

    private static String word(TaskStatus s) {
        return switch (s) {
            case SUCCEEDED -> "ok";
            case FAILED -> "FAILED";
            case ABORTED -> "ABORTED";
            default -> s.name().toLowerCase(java.util.Locale.ROOT);
        };
    }

    private static String firstLine(String s) {
        int nl = s.indexOf('\n');
        return nl < 0 ? s : s.substring(0, nl) + " ...";
    }
}
