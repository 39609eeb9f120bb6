package io.speedling.core.tasks;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(value = 20, unit = TimeUnit.SECONDS)
class TaskGraphTest {

    @Test
    void declaredDependenciesRunFirstAndResultsFlow() {
        List<String> order = new CopyOnWriteArrayList<>();
        TaskGraph g = TaskGraph.builder().build();
        Task<Integer> a = g.task("a", ctx -> {
            order.add("a");
            return 20;
        });
        Task<Integer> b = g.task("b", ctx -> {
            order.add("b");
            return 22;
        });
        Task<Integer> sum = g.task("sum", ctx -> {
            order.add("sum");
            return ctx.want(a) + ctx.want(b);
        }, a, b);
        RunReport r = g.run(sum);
        assertThat(sum.future().join()).isEqualTo(42);
        assertThat(order.indexOf("sum")).isEqualTo(2);
        assertThat(r.ok()).isTrue();
        assertThat(r.task("sum").dependencies()).containsExactly("a", "b");
        assertThat(r.task("sum").waitedFor()).containsExactly("a", "b", "a", "b");
    }

    @Test
    void independentTasksRunAtTheSameTime() {
        CountDownLatch bothIn = new CountDownLatch(2);
        TaskGraph g = TaskGraph.builder().build();
        TaskGraph.Action meet = ctx -> {
            bothIn.countDown();
            if (!bothIn.await(5, TimeUnit.SECONDS)) {
                throw new IllegalStateException("the other task never ran alongside " + ctx.taskName());
            }
        };
        g.action("left", meet);
        g.action("right", meet);
        RunReport r = g.run();
        assertThat(r.succeeded()).hasSize(2);
        assertThat(r.task("left").thread()).isNotEqualTo(r.task("right").thread());
    }

    @Test
    void aTaskWantedByManyRunsOnce() {
        AtomicInteger runs = new AtomicInteger();
        TaskGraph g = TaskGraph.builder().build();
        Task<Integer> shared = g.task("shared", ctx -> {
            Thread.sleep(50);
            return runs.incrementAndGet();
        });
        for (int i = 0; i < 8; i++) {
            g.task("user" + i, ctx -> ctx.want(shared), shared);
        }
        RunReport r = g.run();
        assertThat(runs).hasValue(1);
        assertThat(r.succeeded()).hasSize(9);
    }

    @Test
    void aTaskOverItsLimitIsInterruptedAndThoseWaitingForItAbort() {
        TaskGraph g = TaskGraph.builder().taskTimeout(Duration.ofMillis(300)).build();
        CountDownLatch never = new CountDownLatch(1);
        Task<Void> hung = g.action("hung", ctx -> never.await());
        // waits far longer than the limit, but only for another task: not its own work
        Task<Void> patient = g.action("patient", ctx -> ctx.want(hung));
        Task<String> slowButDone = g.task("quick", ctx -> {
            Thread.sleep(100);
            return "ok";
        });
        assertThatThrownBy(() -> g.run()).isInstanceOfSatisfying(TaskGraphException.class, e -> {
            RunReport r = e.report();
            assertThat(r.failed()).extracting(TaskRecord::name).containsExactly("hung");
            assertThat(r.task("hung").error()).startsWith("TaskTimeoutException: task hung did not finish within "
                    + "its limit of 300 ms and was interrupted").contains("InterruptedException");
            assertThat(r.aborted()).extracting(TaskRecord::name).containsExactly("patient");
            assertThat(r.task("patient").failedTask()).isEqualTo("hung");
        });
        assertThat(slowButDone.future().join()).isEqualTo("ok");
        assertThat(patient.future()).isCompletedExceptionally();
        assertThatThrownBy(() -> TaskGraph.builder().taskTimeout(Duration.ZERO))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("positive");
    }

    @Test
    void failsLateAbortingOnlyTheTasksThatWait() {
        TaskGraph g = TaskGraph.builder().build();
        Task<Void> db = g.action("db", ctx -> {
            throw new IllegalStateException("mariadb would not start");
        });
        Task<Void> keystone = g.action("keystone", ctx -> { }, db);
        Task<Void> glance = g.action("glance", ctx -> ctx.want(keystone));
        Task<String> unrelated = g.task("memcached", ctx -> {
            Thread.sleep(200);
            return "up";
        });
        assertThatThrownBy(() -> g.run()).isInstanceOfSatisfying(TaskGraphException.class, e -> {
            RunReport r = e.report();
            assertThat(r.failed()).extracting(TaskRecord::name).containsExactly("db");
            assertThat(r.task("db").error()).contains("mariadb would not start");
            assertThat(r.aborted()).extracting(TaskRecord::name).containsExactlyInAnyOrder("keystone", "glance");
            assertThat(r.task("glance").failedTask()).isEqualTo("db");
            assertThat(r.succeeded()).extracting(TaskRecord::name).containsExactly("memcached");
            assertThat(e.getMessage()).contains("1 succeeded, 1 failed, 2 aborted")
                    .contains("FAILED  db: IllegalStateException: mariadb would not start")
                    .contains("ABORTED glance (waited for failed task db)");
        });
        assertThat(unrelated.future().join()).isEqualTo("up");
        assertThat(glance.future()).isCompletedExceptionally();
    }

    @Test
    void aDynamicWaitCycleIsReportedInsteadOfHanging() {
        TaskGraph g = TaskGraph.builder().build();
        @SuppressWarnings("unchecked")
        Task<Void>[] c = new Task[1];
        Task<Void> a = g.action("a", ctx -> ctx.want(c[0]));
        Task<Void> b = g.action("b", ctx -> ctx.want(a));
        c[0] = g.action("c", ctx -> ctx.want(b));
        assertThatThrownBy(() -> g.run(a)).isInstanceOfSatisfying(TaskGraphException.class, e -> {
            assertThat(e.report().failed()).hasSize(1);
            assertThat(e.report().failed().get(0).error()).contains("wait cycle between tasks")
                    .containsAnyOf("a -> c -> b -> a", "c -> b -> a -> c", "b -> a -> c -> b");
            assertThat(e.report().aborted()).hasSize(2);
        });
    }

    @Test
    void aTaskWaitingForItselfIsACycle() {
        TaskGraph g = TaskGraph.builder().build();
        @SuppressWarnings("unchecked")
        Task<Void>[] self = new Task[1];
        self[0] = g.action("selfish", ctx -> ctx.want(self[0]));
        assertThatThrownBy(() -> g.run()).hasMessageContaining("selfish -> selfish");
    }

    @Test
    void willNeedStartsATaskWithoutWaiting() throws Exception {
        CountDownLatch started = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        TaskGraph g = TaskGraph.builder().build();
        Task<String> slow = g.task("slow", ctx -> {
            started.countDown();
            release.await();
            return "done";
        });
        Task<String> boss = g.task("boss", ctx -> {
            ctx.willNeed(slow);
            if (!started.await(5, TimeUnit.SECONDS)) {
                throw new IllegalStateException("willNeed did not start slow");
            }
            release.countDown();
            return ctx.want(slow);
        });
        g.run(boss);
        assertThat(boss.future().join()).isEqualTo("done");
    }

    @Test
    void serialModeRunsEverythingOnTheCallingThreadInWantOrder() {
        Set<String> threads = ConcurrentHashMap.newKeySet();
        List<String> order = new CopyOnWriteArrayList<>();
        TaskGraph g = TaskGraph.builder().serial(true).build();
        TaskGraph.Action note = ctx -> {
            threads.add(Thread.currentThread().getName());
            order.add(ctx.taskName());
        };
        Task<Void> a = g.action("a", note);
        Task<Void> b = g.action("b", note, a);
        Task<Void> c = g.action("c", ctx -> {
            ctx.willNeed(b);
            note.run(ctx);
            ctx.want(b);
        });
        RunReport r = g.run(c);
        assertThat(threads).containsExactly(Thread.currentThread().getName());
        assertThat(order).containsExactly("c", "a", "b");
        assertThat(r.serial()).isTrue();
        assertThat(r.task("c").waitMs()).isGreaterThanOrEqualTo(0);
    }

    @Test
    void serialModeDetectsCyclesToo() {
        TaskGraph g = TaskGraph.builder().serial(true).build();
        @SuppressWarnings("unchecked")
        Task<Void>[] b = new Task[1];
        Task<Void> a = g.action("a", ctx -> ctx.want(b[0]));
        b[0] = g.action("b", ctx -> ctx.want(a));
        assertThatThrownBy(() -> g.run(a)).hasMessageContaining("b -> a -> b");
    }

    @Test
    void recordsTimesAndWaitsAndRoundTripsAsJson() {
        TaskGraph g = TaskGraph.builder().build();
        Task<Void> sleeper = g.action("sleeper", ctx -> Thread.sleep(150));
        Task<Void> waiter = g.action("waiter", ctx -> {
            ctx.want(sleeper);
            Thread.sleep(50);
        });
        g.task("not-wanted", ctx -> "never");
        RunReport r = g.run(waiter);
        TaskRecord w = r.task("waiter");
        assertThat(w.waitMs()).isBetween(100L, 5000L);
        assertThat(w.workMs()).isBetween(40L, 5000L);
        assertThat(w.endMs()).isGreaterThanOrEqualTo(r.task("sleeper").endMs());
        assertThat(r.task("not-wanted").status()).isEqualTo(TaskStatus.NOT_RUN);
        String json = r.toJson();
        assertThat(json).contains("\"name\" : \"waiter\"").contains("\"waitedFor\" : [ \"sleeper\" ]");
        assertThat(RunReport.fromJson(json)).isEqualTo(r);
        assertThat(r.slowest(1)).extracting(TaskRecord::name).containsExactly("waiter");
    }

    @Test
    void listenersSeeEveryStartAndFinish() {
        List<String> events = new CopyOnWriteArrayList<>();
        TaskGraph g = TaskGraph.builder().listener(new TaskListener() {
            @Override
            public void taskStarted(String task) {
                events.add("start " + task);
            }

            @Override
            public void taskFinished(TaskRecord record) {
                events.add(record.status() + " " + record.name());
            }
        }).pendingLogInterval(Duration.ofMillis(20)).build();
        Task<Void> a = g.action("a", ctx -> Thread.sleep(60));
        g.action("b", ctx -> { }, a);
        g.run();
        assertThat(events).contains("start a", "SUCCEEDED a", "start b", "SUCCEEDED b");
        assertThat(events.indexOf("SUCCEEDED a")).isLessThan(events.indexOf("SUCCEEDED b"));
    }

    @Test
    void aListenerThatThrowsNeverHangsOrFailsTheRun() {
        // a deploy log whose redaction threw once left the run waiting for good
        List<String> seen = new CopyOnWriteArrayList<>();
        TaskGraph g = TaskGraph.builder().listener(new TaskListener() {
            @Override
            public void runStarted(List<String> tasks) {
                throw new IllegalStateException("boom at start");
            }

            @Override
            public void taskStarted(String task) {
                throw new IllegalStateException("boom " + task);
            }

            @Override
            public void taskWaiting(String task, String target) {
                throw new IllegalStateException("boom wait");
            }

            @Override
            public void taskFinished(TaskRecord record) {
                throw new IllegalStateException("boom " + record.name());
            }

            @Override
            public void runFinished(RunReport report) {
                throw new IllegalStateException("boom at end");
            }
        }).listener(new TaskListener() {
            @Override
            public void taskFinished(TaskRecord record) {
                seen.add(record.name());
            }
        }).build();
        Task<String> a = g.task("a", ctx -> "x");
        Task<String> b = g.task("b", ctx -> ctx.want(a) + "y");
        assertThat(g.run(b).ok()).isTrue();
        assertThat(b.future().join()).isEqualTo("xy");
        assertThat(seen).containsExactly("a", "b");
    }

    @Test
    void aTaskThatSwallowsTheInterruptAndEndsLateStillFails() {
        TaskGraph g = TaskGraph.builder().taskTimeout(Duration.ofMillis(100)).build();
        g.task("stubborn", ctx -> {
            long end = System.nanoTime() + 600_000_000L;
            while (System.nanoTime() < end) {
                try {
                    Thread.sleep(20);
                } catch (InterruptedException ignored) {
                    // carries on regardless, as code that swallows interrupts does
                }
            }
            return "late";
        });
        assertThatThrownBy(() -> g.run()).isInstanceOfSatisfying(TaskGraphException.class, e ->
                assertThat(e.report().task("stubborn").error()).startsWith("TaskTimeoutException: task stubborn did "
                        + "not finish within its limit of 100 ms"));
    }

    @Test
    void aTaskWithItsOwnLimitOutlastsTheGraphsWhileAnotherIsStoppedAtIt() {
        TaskGraph g = TaskGraph.builder().taskTimeout(Duration.ofMillis(100)).build();
        Task<String> suite = g.limit(g.task("suite", ctx -> {
            Thread.sleep(400);
            return "ran";
        }), Duration.ofSeconds(30));
        g.task("plain", ctx -> {
            Thread.sleep(400);
            return "ran";
        });
        assertThatThrownBy(() -> g.run()).isInstanceOfSatisfying(TaskGraphException.class, e -> {
            assertThat(e.report().task("suite").status()).isEqualTo(TaskStatus.SUCCEEDED);
            assertThat(e.report().task("plain").error()).startsWith("TaskTimeoutException: task plain did not finish "
                    + "within its limit of 100 ms");
        });
        assertThat(suite.name()).isEqualTo("suite");
        assertThatThrownBy(() -> TaskGraph.builder().build().limit(suite, Duration.ofSeconds(1)))
                .hasMessage("task suite belongs to another graph");
    }

    @Test
    void errorTextsAreRedactedBeforeAnyRecordLogOrListenerSeesThem() {
        List<String> told = new CopyOnWriteArrayList<>();
        TaskGraph g = TaskGraph.builder().redactor(t -> t.replace("hunter22", "***")).listener(new TaskListener() {
            @Override
            public void taskFinished(TaskRecord record) {
                told.add(record.error());
            }
        }).build();
        Task<Void> a = g.action("a", ctx -> {
            throw new IllegalStateException("rabbitmqctl add_user openstack hunter22 failed");
        });
        g.action("b", ctx -> ctx.want(a));
        assertThatThrownBy(() -> g.run()).isInstanceOfSatisfying(TaskGraphException.class, e -> {
            assertThat(e.report().task("a").error()).isEqualTo("IllegalStateException: rabbitmqctl add_user "
                    + "openstack *** failed");
            assertThat(e.report().toJson()).doesNotContain("hunter22");
            assertThat(e.getMessage()).doesNotContain("hunter22");
        });
        assertThat(told).noneMatch(t -> t != null && t.contains("hunter22")).hasSize(2);
    }

    @Test
    void badDefinitionsAreRefusedWithNames() {
        TaskGraph g = TaskGraph.builder().build();
        g.action("x", ctx -> { });
        assertThatThrownBy(() -> g.action("x", ctx -> { })).hasMessageContaining("two tasks are named 'x'");
        TaskGraph other = TaskGraph.builder().build();
        Task<Void> foreign = other.action("foreign", ctx -> { });
        assertThatThrownBy(() -> g.action("y", ctx -> { }, foreign))
                .hasMessageContaining("y depends on foreign, which belongs to another graph");
        g.run();
        assertThatThrownBy(() -> g.run()).hasMessageContaining("already ran");
    }
}
