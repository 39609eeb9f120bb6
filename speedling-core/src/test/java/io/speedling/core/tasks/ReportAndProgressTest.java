package io.speedling.core.tasks;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import javax.xml.parsers.DocumentBuilderFactory;
import org.junit.jupiter.api.Test;
import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.NodeList;

class ReportAndProgressTest {

    /** A small deploy-like graph: two parallel tasks, one waiting, one failing, one aborted. */
    private static RunReport failingRun(TaskListener... listeners) {
        TaskGraph.Builder b = TaskGraph.builder();
        for (TaskListener l : listeners) {
            b.listener(l);
        }
        TaskGraph g = b.build();
        Task<Integer> db = g.task("db.start", ctx -> {
            Thread.sleep(60);
            return 1;
        });
        Task<Integer> mq = g.task("mq.start", ctx -> {
            Thread.sleep(30);
            return 2;
        });
        Task<Integer> sync = g.task("keystone.db_sync", ctx -> ctx.want(db) + ctx.want(mq));
        Task<Void> bad = g.task("nova.start", ctx -> {
            throw new IllegalStateException("nova-api exited: <script>alert(1)</script> & more");
        }, sync);
        g.task("nova.ready", ctx -> null, bad);
        try {
            return g.run();
        } catch (TaskGraphException e) {
            return e.report();
        }
    }

    @Test
    void waitsAreRecordedWithTheirTimes() {
        RunReport r = failingRun();
        TaskRecord sync = r.task("keystone.db_sync");
        assertThat(sync.waits()).extracting(TaskRecord.Wait::task).containsExactly("db.start", "mq.start");
        TaskRecord.Wait first = sync.waits().get(0);
        assertThat(first.endMs()).isGreaterThanOrEqualTo(first.startMs()).isLessThanOrEqualTo(sync.endMs());
        assertThat(sync.waits().stream().mapToLong(w -> w.endMs() - w.startMs()).sum())
                .isBetween(sync.waitMs() - 2, sync.waitMs() + 2);
        assertThat(RunReport.fromJson(r.toJson()).task("keystone.db_sync").waits()).isEqualTo(sync.waits());
    }

    @Test
    void aTasksOutcomeReachesTheJsonAndTheHtmlRedactedAndKeptWhenItFails() {
        TaskGraph g = TaskGraph.builder().redactor(t -> t.replace("s3cret", "***")).build();
        g.task("tests.run", ctx -> {
            ctx.outcome("3 passed, 1 failed <b>, password s3cret");
            throw new IllegalStateException("1 test failed");
        });
        g.task("quiet", ctx -> 1);
        RunReport r;
        try {
            r = g.run();
        } catch (TaskGraphException e) {
            r = e.report();
        }
        assertThat(r.task("tests.run").outcome()).isEqualTo("3 passed, 1 failed <b>, password ***");
        assertThat(r.task("quiet").outcome()).isNull();
        assertThat(RunReport.fromJson(r.toJson()).task("tests.run").outcome()).isEqualTo(r.task("tests.run").outcome());
        assertThat(HtmlReport.of(r).render()).contains("<h2>Outcomes</h2>", "<h3>tests.run</h3>",
                "3 passed, 1 failed &lt;b&gt;, password ***").doesNotContain("s3cret");
    }

    @Test
    void theHtmlReportIsWellFormedAndShowsFailuresInRed() throws Exception {
        RunReport r = failingRun();
        String html = HtmlReport.of(r).title("deploy of cloud t").fact("nodes", "controller-01").render();
        assertThat(html).doesNotContain("<script>").contains("&lt;script&gt;alert(1)&lt;/script&gt; &amp; more")
                .doesNotContain("<link", "src=", "href=\"http", "@import").contains("controller-01");
        Document doc = DocumentBuilderFactory.newInstance().newDocumentBuilder()
                .parse(new ByteArrayInputStream(html.getBytes(StandardCharsets.UTF_8)));
        NodeList svgs = doc.getElementsByTagName("svg");
        assertThat(svgs.getLength()).isEqualTo(2);
        Element timeline = (Element) svgs.item(0);
        Element graph = (Element) svgs.item(1);
        assertThat(timeline.getAttribute("class")).isEqualTo("timeline");
        assertThat(count(timeline, "rect", "bar failed")).isEqualTo(1);
        assertThat(count(timeline, "rect", "bar ok")).isEqualTo(3);
        assertThat(count(timeline, "rect", "wait")).isGreaterThanOrEqualTo(1);
        assertThat(count(timeline, "text", "lane")).isEqualTo(4);  // db, mq, keystone, nova
        assertThat(count(graph, "rect", "node failed")).isEqualTo(1);
        assertThat(count(graph, "rect", "node aborted")).isEqualTo(1);
        assertThat(count(graph, "path", "edge")).isEqualTo(2);      // declared: sync -> nova.start -> nova.ready
        assertThat(count(graph, "path", "edge dyn")).isEqualTo(2);  // wanted while running: db, mq
        assertThat(html).contains("<h2 class=\"bad\">Failed</h2>").contains("aborted because of it: nova.ready");
    }

    @Test
    void linesModePrintsOneLinePerTaskAndATotal() {
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        try (Progress p = Progress.lines(new PrintStream(buf, true, StandardCharsets.UTF_8)).label("deploy")) {
            failingRun(p);
        }
        String out = buf.toString(StandardCharsets.UTF_8);
        assertThat(out.lines().toList()).hasSize(6).allMatch(l -> !l.contains("\r"));
        assertThat(out).contains("deploy [5/5] ABORTED nova.ready").containsPattern("deploy \\[\\d/5] FAILED  nova.start "
                + "at [0-9.]+ s \\(own work [0-9.]+ s\\): IllegalStateException: nova-api exited").contains("deploy: 5 tasks in ");
    }

    @Test
    void theLiveStatusLineShowsTasksWorkingNowAndCountsTheWaitingOnes() throws Exception {
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        Progress p = Progress.live(new PrintStream(buf, true, StandardCharsets.UTF_8), 100).label("deploy");
        CountDownLatch inside = new CountDownLatch(2);
        CountDownLatch release = new CountDownLatch(1);
        TaskGraph g = TaskGraph.builder().listener(p).build();
        Task<?> nova = null;
        for (String n : new String[] {"nova.start", "neutron.start", "glance.start"}) {
            Task<Object> t = g.task(n, ctx -> {
                if (!n.startsWith("glance")) {
                    inside.countDown();
                    release.await(10, TimeUnit.SECONDS);
                }
                return null;
            });
            if (n.equals("nova.start")) {
                nova = t;
            }
        }
        g.task("nova.ready", ctx -> null, nova);
        Thread t = new Thread(g::run);
        t.start();
        assertThat(inside.await(10, TimeUnit.SECONDS)).isTrue();
        long deadline = System.nanoTime() + 10_000_000_000L;  // bounded: a broken status line fails, not hangs
        while ((!p.statusLine().startsWith("deploy 1/4") || !p.statusLine().contains("waiting"))
                && System.nanoTime() < deadline) {
            Thread.sleep(5);
        }
        assertThat(p.statusLine()).startsWith("deploy 1/4  running: ").contains("nova.start 0 s")
                .contains("neutron.start 0 s").endsWith("  (1 waiting)").doesNotContain("nova.ready");
        Progress narrow = Progress.live(new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8), 40);
        narrow.runStarted(java.util.List.of("a-task-with-a-long-name", "another-task-with-a-long-name"));
        narrow.taskStarted("a-task-with-a-long-name");
        narrow.taskStarted("another-task-with-a-long-name");
        assertThat(narrow.statusLine()).hasSize(39).endsWith("...");
        release.countDown();
        t.join(10_000);
        p.close();
        assertThat(buf.toString(StandardCharsets.UTF_8)).contains("\r").contains("deploy: 4 tasks in ");
    }

    @Test
    void phasesPrintTheirResultWithElapsedTime() {
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        try (Progress p = Progress.lines(new PrintStream(buf, true, StandardCharsets.UTF_8))) {
            p.phase("image", "building layer 2/3");
            p.phaseDone("ready 1a2b3c");
        }
        assertThat(buf.toString(StandardCharsets.UTF_8)).isEqualTo("image: building layer 2/3\nimage: ready 1a2b3c "
                + "(0.0 s)\n");
        assertThatThrownBy(() -> RunReport.fromJson("{")).hasMessageStartingWith("not a run report");
    }

    private static int count(Element root, String tag, String cls) {
        NodeList l = root.getElementsByTagName(tag);
        int n = 0;
        for (int i = 0; i < l.getLength(); i++) {
            if (((Element) l.item(i)).getAttribute("class").equals(cls)) {
                n++;
            }
        }
        return n;
    }
}
