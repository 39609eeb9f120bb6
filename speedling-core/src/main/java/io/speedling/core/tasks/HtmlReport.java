package io.speedling.core.tasks;

import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;

/**
 * One run of a task graph as a self-contained HTML page (no scripts, no external files): the
 * summary numbers, failed tasks in red with their errors, a timeline with one row per task grouped
 * in lanes (waits drawn apart from work), the graph of dependencies as an SVG picture, and a table
 * of every task.
 *
 * <pre>{@code
 * String html = HtmlReport.of(report).title("deploy of aio").lanes(t -> t.split("\\.")[0]).render();
 * }</pre>
 */
public final class HtmlReport {
    private static final int LABEL_W = 250;
    private static final int CHART_W = 900;
    private static final int ROW_H = 16;
    private static final int BOX_W = 176;
    private static final int BOX_H = 22;
    private static final int COL_GAP = 56;
    private static final int ROW_GAP = 8;

    private final RunReport report;
    private String title = "task graph run";
    private Function<String, String> lanes = n -> {
        int dot = n.indexOf('.');
        return dot > 0 ? n.substring(0, dot) : n;
    };
    private final Map<String, String> facts = new LinkedHashMap<>();

    private HtmlReport(RunReport report) {
        this.report = report;
    }

    public static HtmlReport of(RunReport report) {
        return new HtmlReport(report);
    }

    public HtmlReport title(String t) {
        this.title = t;
        return this;
    }

    /** Groups timeline rows: task name to lane label (default: the name up to its first dot). */
    public HtmlReport lanes(Function<String, String> laneOfTask) {
        this.lanes = laneOfTask;
        return this;
    }

    /** An extra line in the summary table (e.g. the cloud's name or the nodes). */
    public HtmlReport fact(String name, String value) {
        facts.put(name, value);
        return this;
    }

    public String render() {
        StringBuilder h = new StringBuilder(64 * 1024);
        h.append("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"/>\n<title>").append(esc(title))
                .append("</title>\n<style>\n").append(CSS).append("</style></head>\n<body>\n<h1>").append(esc(title))
                .append("</h1>\n");
        summary(h);
        failures(h);
        outcomes(h);
        h.append("<h2>Timeline</h2>\n<p class=\"legend\"><span class=\"k work\"></span>own work "
                + "<span class=\"k wait\"></span>waiting for another task <span class=\"k failed\"></span>failed "
                + "<span class=\"k aborted\"></span>aborted (a task it needed failed)</p>\n");
        timeline(h);
        h.append("<h2>Task graph</h2>\n<p class=\"legend\">An arrow points from a task to one that needed it: "
                + "solid for declared dependencies, dashed for tasks wanted while running.</p>\n");
        h.append("<div class=\"scroll\">\n");
        graph(h);
        h.append("</div>\n");
        table(h);
        h.append("</body></html>\n");
        return h.toString();
    }

    private void summary(StringBuilder h) {
        List<TaskRecord> ran = report.tasks().stream().filter(t -> t.startMs() >= 0).toList();
        long work = ran.stream().mapToLong(TaskRecord::workMs).sum();
        long waits = ran.stream().mapToLong(TaskRecord::waitMs).sum();
        Map<String, String> rows = new LinkedHashMap<>();
        rows.put("result", report.ok() ? "succeeded" : "FAILED");
        rows.put("started", DateTimeFormatter.ISO_LOCAL_DATE_TIME.format(
                Instant.ofEpochMilli(report.startedAtEpochMs()).atOffset(ZoneOffset.UTC)) + " UTC");
        rows.put("wall time", secs(report.wallMs()));
        rows.put("tasks", report.tasks().size() + " (" + report.succeeded().size() + " succeeded, "
                + report.failed().size() + " failed, " + report.aborted().size() + " aborted, "
                + (report.tasks().size() - ran.size()) + " not run)");
        rows.put("own work, summed", secs(work) + (report.wallMs() > 0
                ? String.format(Locale.ROOT, " (%.2f tasks busy on average)", work / (double) report.wallMs()) : ""));
        rows.put("waiting, summed", secs(waits));
        rows.put("mode", report.serial() ? "serial (one thread)" : "parallel");
        rows.putAll(facts);
        h.append("<table class=\"summary\">\n");
        rows.forEach((k, v) -> h.append("<tr><th>").append(esc(k)).append("</th><td")
                .append(k.equals("result") && !report.ok() ? " class=\"bad\"" : "").append('>').append(esc(v))
                .append("</td></tr>\n"));
        h.append("</table>\n");
        List<TaskRecord> slow = report.slowestByWork(10);
        if (!slow.isEmpty()) {
            h.append("<h2>Slowest tasks (own work)</h2>\n<ol class=\"slow\">");
            for (TaskRecord t : slow) {
                h.append("<li>").append(esc(t.name())).append(' ').append(secs(t.workMs()))
                        .append(" <span class=\"dim\">(ran ").append(secs(t.startMs())).append(" to ")
                        .append(secs(t.endMs())).append(", ").append(secs(t.waitMs())).append(" of it waiting)</span></li>");
            }
            h.append("</ol>\n");
        }
    }

    private void failures(StringBuilder h) {
        List<TaskRecord> failed = report.failed();
        if (failed.isEmpty()) {
            return;
        }
        h.append("<h2 class=\"bad\">Failed</h2>\n");
        for (TaskRecord t : failed) {
            h.append("<div class=\"failure\"><b>").append(esc(t.name())).append("</b> failed after ")
                    .append(secs(t.endMs() - t.startMs())).append("<pre>").append(esc(t.error())).append("</pre>");
            List<String> hit = report.aborted().stream().filter(a -> t.name().equals(a.failedTask()))
                    .map(TaskRecord::name).toList();
            if (!hit.isEmpty()) {
                h.append("<p>aborted because of it: ").append(esc(String.join(", ", hit))).append("</p>");
            }
            h.append("</div>\n");
        }
    }

    private void timeline(StringBuilder h) {
        Map<String, List<TaskRecord>> byLane = new LinkedHashMap<>();
        report.tasks().stream().filter(t -> t.startMs() >= 0)
                .sorted(Comparator.comparingLong(TaskRecord::startMs))
                .forEach(t -> byLane.computeIfAbsent(lanes.apply(t.name()), k -> new ArrayList<>()).add(t));
        int rows = byLane.size();
        for (List<TaskRecord> l : byLane.values()) {
            rows += l.size();
        }
        long wall = Math.max(1, report.wallMs());
        double scale = CHART_W / (double) wall;
        int height = (rows + 2) * ROW_H + 10;
        int width = LABEL_W + CHART_W + 20;
        h.append("<svg class=\"timeline\" xmlns=\"http://www.w3.org/2000/svg\" width=\"").append(width)
                .append("\" height=\"").append(height).append("\" viewBox=\"0 0 ").append(width).append(' ')
                .append(height).append("\">\n");
        long step = tickStep(wall);
        for (long t = 0; t <= wall; t += step) {
            double x = LABEL_W + t * scale;
            h.append(String.format(Locale.ROOT, "<line x1=\"%.1f\" y1=\"%d\" x2=\"%.1f\" y2=\"%d\" class=\"tick\"/>"
                    + "<text x=\"%.1f\" y=\"%d\" class=\"axis\">%s</text>%n", x, ROW_H, x, height - 4, x + 2, ROW_H - 4,
                    step >= 1000 ? (t / 1000) + " s" : t + " ms"));
        }
        int y = ROW_H + 4;
        for (Map.Entry<String, List<TaskRecord>> lane : byLane.entrySet()) {
            h.append("<text x=\"4\" y=\"").append(y + ROW_H - 4).append("\" class=\"lane\">").append(esc(lane.getKey()))
                    .append("</text>\n");
            y += ROW_H;
            for (TaskRecord t : lane.getValue()) {
                double x0 = LABEL_W + t.startMs() * scale;
                double w = Math.max(1.5, (t.endMs() - t.startMs()) * scale);
                String cls = cls(t.status());
                h.append("<g><title>").append(esc(tooltip(t))).append("</title>");
                h.append("<text x=\"16\" y=\"").append(y + ROW_H - 4).append("\" class=\"name ").append(cls)
                        .append("\">").append(esc(shorten(t.name(), 38))).append("</text>");
                h.append(String.format(Locale.ROOT, "<rect x=\"%.1f\" y=\"%d\" width=\"%.1f\" height=\"%d\" "
                        + "class=\"bar %s\"/>", x0, y + 2, w, ROW_H - 4, cls));
                for (TaskRecord.Wait wt : t.waits()) {
                    double wx = LABEL_W + wt.startMs() * scale;
                    double ww = (wt.endMs() - wt.startMs()) * scale;
                    if (ww >= 0.5) {
                        h.append(String.format(Locale.ROOT, "<rect x=\"%.1f\" y=\"%d\" width=\"%.1f\" height=\"%d\" "
                                + "class=\"wait\"/>", wx, y + 2, ww, ROW_H - 4));
                    }
                }
                h.append(String.format(Locale.ROOT, "<text x=\"%.1f\" y=\"%d\" class=\"dur\">%s</text>",
                        Math.min(x0 + w + 3, LABEL_W + CHART_W - 30), y + ROW_H - 4, secs(t.endMs() - t.startMs())));
                h.append("</g>\n");
                y += ROW_H;
            }
        }
        h.append("</svg>\n");
    }

    private void graph(StringBuilder h) {
        List<TaskRecord> tasks = report.tasks();
        Map<String, TaskRecord> byName = new LinkedHashMap<>();
        tasks.forEach(t -> byName.put(t.name(), t));
        Map<String, Set<String>> solid = new HashMap<>();
        Map<String, Set<String>> dashed = new HashMap<>();
        for (TaskRecord t : tasks) {
            Set<String> d = new LinkedHashSet<>(t.dependencies());
            solid.put(t.name(), d);
            Set<String> w = new LinkedHashSet<>(t.waitedFor());
            w.removeAll(d);
            w.retainAll(byName.keySet());
            dashed.put(t.name(), w);
        }
        Map<String, Integer> layer = new HashMap<>();
        for (TaskRecord t : tasks) {
            layerOf(t.name(), solid, dashed, layer, new LinkedHashSet<>());
        }
        int layers = layer.values().stream().mapToInt(Integer::intValue).max().orElse(0) + 1;
        List<List<String>> cols = new ArrayList<>();
        for (int i = 0; i < layers; i++) {
            cols.add(new ArrayList<>());
        }
        Map<String, Double> pos = new HashMap<>();
        for (TaskRecord t : tasks) {
            cols.get(layer.get(t.name())).add(t.name());
        }
        for (int c = 0; c < layers; c++) {
            List<String> col = cols.get(c);
            if (c > 0) {  // order by the mean row of what each task needed: fewer crossings
                col.sort(Comparator.comparingDouble(n -> {
                    Set<String> in = new LinkedHashSet<>(solid.get(n));
                    in.addAll(dashed.get(n));
                    return in.stream().mapToDouble(p -> pos.getOrDefault(p, 0.0)).average().orElse(0);
                }));
            }
            for (int r = 0; r < col.size(); r++) {
                pos.put(col.get(r), (double) r);
            }
        }
        int maxRows = cols.stream().mapToInt(List::size).max().orElse(1);
        int width = layers * (BOX_W + COL_GAP) + 20;
        int height = maxRows * (BOX_H + ROW_GAP) + 20;
        h.append("<svg class=\"graph\" xmlns=\"http://www.w3.org/2000/svg\" width=\"").append(width)
                .append("\" height=\"").append(height).append("\" viewBox=\"0 0 ").append(width).append(' ')
                .append(height).append("\">\n<defs><marker id=\"arrow\" viewBox=\"0 0 10 10\" refX=\"10\" refY=\"5\" "
                        + "markerWidth=\"6\" markerHeight=\"6\" orient=\"auto-start-reverse\"><path d=\"M 0 0 L 10 5 "
                        + "L 0 10 z\" fill=\"#667\"/></marker></defs>\n");
        for (TaskRecord t : tasks) {
            for (String from : solid.get(t.name())) {
                edge(h, from, t.name(), layer, pos, false);
            }
            for (String from : dashed.get(t.name())) {
                edge(h, from, t.name(), layer, pos, true);
            }
        }
        for (TaskRecord t : tasks) {
            int x = 10 + layer.get(t.name()) * (BOX_W + COL_GAP);
            int y = 10 + (int) Math.round(pos.get(t.name())) * (BOX_H + ROW_GAP);
            h.append("<g><title>").append(esc(tooltip(t))).append("</title><rect x=\"").append(x).append("\" y=\"")
                    .append(y).append("\" width=\"").append(BOX_W).append("\" height=\"").append(BOX_H)
                    .append("\" rx=\"4\" class=\"node ").append(cls(t.status())).append("\"/><text x=\"")
                    .append(x + 6).append("\" y=\"").append(y + 15).append("\" class=\"nodetext\">")
                    .append(esc(shorten(t.name(), 27))).append("</text></g>\n");
        }
        h.append("</svg>\n");
    }

    private static int layerOf(String n, Map<String, Set<String>> solid, Map<String, Set<String>> dashed,
                               Map<String, Integer> memo, Set<String> path) {
        Integer known = memo.get(n);
        if (known != null) {
            return known;
        }
        if (!path.add(n) || !solid.containsKey(n)) {
            return 0;  // a foreign name or a loop (a graph that ran has none): draw it in the first column
        }
        int l = 0;
        for (Map<String, Set<String>> edges : List.of(solid, dashed)) {
            for (String p : edges.get(n)) {
                l = Math.max(l, layerOf(p, solid, dashed, memo, path) + 1);
            }
        }
        path.remove(n);
        memo.put(n, l);
        return l;
    }

    private static void edge(StringBuilder h, String from, String to, Map<String, Integer> layer,
                             Map<String, Double> pos, boolean dashed) {
        if (!layer.containsKey(from)) {
            return;
        }
        double x1 = 10 + layer.get(from) * (BOX_W + COL_GAP) + BOX_W;
        double y1 = 10 + pos.get(from) * (BOX_H + ROW_GAP) + BOX_H / 2.0;
        double x2 = 10 + layer.get(to) * (BOX_W + COL_GAP);
        double y2 = 10 + pos.get(to) * (BOX_H + ROW_GAP) + BOX_H / 2.0;
        double mid = (x2 - x1) / 2;
        h.append(String.format(Locale.ROOT, "<path d=\"M %.1f %.1f C %.1f %.1f, %.1f %.1f, %.1f %.1f\" class=\"edge%s\" "
                + "marker-end=\"url(#arrow)\"/>%n", x1, y1, x1 + mid, y1, x2 - mid, y2, x2, y2, dashed ? " dyn" : ""));
    }

    /** What tasks reported they found (a test run's counts, say), in task order. */
    private void outcomes(StringBuilder h) {
        List<TaskRecord> with = report.tasks().stream().filter(t -> t.outcome() != null).toList();
        if (with.isEmpty()) {
            return;
        }
        h.append("<h2>Outcomes</h2>\n");
        for (TaskRecord t : with) {
            h.append("<h3>").append(esc(t.name())).append("</h3>\n<pre class=\"outcome\">").append(esc(t.outcome()))
                    .append("</pre>\n");
        }
    }

    private void table(StringBuilder h) {
        h.append("<h2>Every task</h2>\n<table class=\"tasks\"><tr><th>task</th><th>status</th><th>start</th>"
                + "<th>end</th><th>wall</th><th>waiting</th><th>own work</th><th>waited for</th></tr>\n");
        for (TaskRecord t : report.tasks()) {
            boolean ran = t.startMs() >= 0;
            h.append("<tr class=\"").append(cls(t.status())).append("\"><td>").append(esc(t.name())).append("</td><td>")
                    .append(t.status().name().toLowerCase(Locale.ROOT)).append("</td><td>")
                    .append(ran ? secs(t.startMs()) : "").append("</td><td>").append(ran ? secs(t.endMs()) : "")
                    .append("</td><td>").append(ran ? secs(t.endMs() - t.startMs()) : "").append("</td><td>")
                    .append(ran ? secs(t.waitMs()) : "").append("</td><td>").append(ran ? secs(t.workMs()) : "")
                    .append("</td><td>").append(esc(String.join(", ", new LinkedHashSet<>(t.waitedFor()))))
                    .append("</td></tr>\n");
        }
        h.append("</table>\n");
    }

    private static String tooltip(TaskRecord t) {
        StringBuilder sb = new StringBuilder(t.name()).append(": ").append(t.status().name().toLowerCase(Locale.ROOT));
        if (t.startMs() >= 0) {
            sb.append(", ").append(secs(t.endMs() - t.startMs())).append(" (").append(secs(t.waitMs()))
                    .append(" waiting, ").append(secs(t.workMs())).append(" own work)");
        }
        if (t.error() != null) {
            sb.append("\n").append(t.error());
        }
        return sb.toString();
    }

    private static long tickStep(long wallMs) {
        long[] steps = {100, 200, 500, 1000, 2000, 5000, 10_000, 15_000, 30_000, 60_000, 120_000, 300_000, 600_000};
        for (long s : steps) {
            if (wallMs / s <= 12) {
                return s;
            }
        }
        return 1_800_000;
    }

    private static String cls(TaskStatus s) {
        return switch (s) {
            case SUCCEEDED -> "ok";
            case FAILED -> "failed";
            case ABORTED -> "aborted";
            default -> "notrun";
        };
    }

    private static String secs(long ms) {
        return String.format(Locale.ROOT, "%.1f s", ms / 1000.0);
    }

    private static String shorten(String s, int max) {
        return s.length() <= max ? s : s.substring(0, max - 1) + "\u2026";
    }

    static String esc(String s) {
        if (s == null) {
            return "";
        }
        StringBuilder sb = new StringBuilder(s.length());
        for (char c : s.toCharArray()) {
            switch (c) {
                case '<' -> sb.append("&lt;");
                case '>' -> sb.append("&gt;");
                case '&' -> sb.append("&amp;");
                case '"' -> sb.append("&quot;");
                case '\'' -> sb.append("&#39;");
                default -> sb.append(c < 0x20 && c != '\n' && c != '\t' ? '?' : c);
            }
        }
        return sb.toString();
    }

    private static final String CSS = """
            body { font: 14px/1.4 system-ui, sans-serif; margin: 24px; color: #223; }
            h1 { font-size: 22px; } h2 { font-size: 17px; margin-top: 28px; }
            table { border-collapse: collapse; }
            th, td { text-align: left; padding: 2px 10px 2px 0; vertical-align: top; }
            table.tasks td, table.tasks th { border-bottom: 1px solid #e4e6ee; font-size: 13px; }
            table.tasks tr.failed td { color: #b00; font-weight: bold; }
            table.tasks tr.aborted td { color: #a60; }
            table.tasks tr.notrun td { color: #999; }
            .bad { color: #b00; font-weight: bold; }
            .dim { color: #889; }
            .failure { border-left: 4px solid #c00; background: #fff0f0; padding: 6px 12px; margin: 8px 0; }
            .failure pre { white-space: pre-wrap; margin: 4px 0; font-size: 12px; }
            .legend { font-size: 12px; color: #556; }
            .k { display: inline-block; width: 14px; height: 10px; margin: 0 4px 0 12px; vertical-align: middle; }
            .k.work { background: #3b7dd8; } .k.wait { background: #c9d3e6; }
            .k.failed { background: #d22; } .k.aborted { background: #e8a33c; }
            svg { display: block; margin: 8px 0; }
            .scroll { overflow-x: auto; }
            svg text { font: 11px system-ui, sans-serif; fill: #223; }
            svg text.lane { font-weight: bold; }
            svg text.axis, svg text.dur { fill: #778; font-size: 10px; }
            svg text.name.failed { fill: #c00; font-weight: bold; }
            svg .tick { stroke: #eceef4; }
            svg .bar.ok { fill: #3b7dd8; } svg .bar.failed { fill: #d22; } svg .bar.aborted { fill: #e8a33c; }
            svg .wait { fill: #c9d3e6; }
            svg .node { stroke: #556; stroke-width: 1; }
            svg .node.ok { fill: #dce8fa; } svg .node.failed { fill: #f5b5b5; stroke: #c00; stroke-width: 2; }
            svg .node.aborted { fill: #f8ddb0; } svg .node.notrun { fill: #eee; }
            svg .edge { fill: none; stroke: #99a; stroke-width: 1; } svg .edge.dyn { stroke-dasharray: 4 3; }
            """;
}
