package io.speedling.core.tasks;

import io.speedling.core.SpeedlingException;
import io.speedling.core.internal.Threads;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Named tasks with futures, run in parallel with waits declared up front or made
 * from inside a running task. Fails late: a failure aborts the tasks that wait for
 * it, lets the others finish, and the run ends with a report. A wait that would
 * close a cycle fails at once instead of hanging.
 *
 * <pre>{@code
 * TaskGraph g = TaskGraph.builder().build();
 * Task<Void> db = g.task("mariadb", ctx -> { node.call(Sh.checked("systemctl start mariadb")); return null; });
 * Task<String> token = g.task("keystone", ctx -> node.call(Sh.checked("issue-token")).stdout(), db);
 * Task<Void> glance = g.task("glance", ctx -> {
 *     ctx.willNeed(token);                 // start it early
 *     node.call(Sh.checked("glance-manage db_sync"));
 *     node.call(Sh.checked("register " + ctx.want(token)));   // then wait for it
 *     return null;
 * }, db);
 * RunReport report = g.run(glance);        // throws TaskGraphException listing failures
 * }</pre>
 *
 * A graph runs once. {@link Builder#serial(boolean)} runs every task on the calling
 * thread, in the order they are wanted, for debugging.
 */
public final class TaskGraph {
    private static final Logger LOG = LoggerFactory.getLogger(TaskGraph.class);

    private final boolean serial;
    private final Duration pendingLogInterval;
    private final Duration taskTimeout;
    /** Limits of tasks that differ from the graph's {@link #taskTimeout}. */
    private final Map<Task<?>, Duration> limits = new java.util.concurrent.ConcurrentHashMap<>();
    private final List<TaskListener> listeners;
    private final java.util.function.UnaryOperator<String> redactor;
    private final Map<String, Task<?>> tasks = new LinkedHashMap<>();
    private final Map<Task<?>, State> states = new HashMap<>();
    /** Current waits, task to the task it waits for: the graph searched for cycles. */
    private final Map<Task<?>, Task<?>> waitingOn = new HashMap<>();
    private ExecutorService pool;
    private long t0;
    private int active;
    private boolean ran;

    private TaskGraph(Builder b) {
        this.serial = b.serial;
        this.pendingLogInterval = b.pendingLogInterval;
        this.taskTimeout = b.taskTimeout;
        this.listeners = List.copyOf(b.listeners);
        this.redactor = b.redactor;
    }

    public static Builder builder() {
        return new Builder();
    }

    /** Mutable per-task bookkeeping, guarded by the graph's lock. */
    private static final class State {
        boolean started;
        boolean done;
        long start = -1;
        long end = -1;
        long waitNanos;
        String thread;
        Thread runner;
        boolean timedOut;
        final List<String> waitedFor = new ArrayList<>();
        final List<TaskRecord.Wait> waits = new ArrayList<>();
        long waitStart = -1;
        TaskStatus status = TaskStatus.NOT_RUN;
        String error;
        String failedTask;
        String outcome;
    }

    /** Defines a task. Names are unique; dependencies must belong to this graph. */
    public synchronized <T> Task<T> task(String name, TaskBody<T> body, Task<?>... dependencies) {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(body, "body");
        if (ran) {
            throw new IllegalStateException("task " + name + " added after the graph ran; a graph runs once");
        }
        if (tasks.containsKey(name)) {
            throw new IllegalArgumentException("two tasks are named '" + name + "'; task names must be unique");
        }
        for (Task<?> d : dependencies) {
            if (d.graph != this) {
                throw new IllegalArgumentException("task " + name + " depends on " + d.name()
                        + ", which belongs to another graph");
            }
        }
        Task<T> t = new Task<>(this, name, body, Arrays.asList(dependencies));
        tasks.put(name, t);
        states.put(t, new State());
        return t;
    }

    /**
     * Gives task {@code t} its own limit on its own work instead of the graph's ({@link
     * Builder#taskTimeout}): for the one task known to take long (a test suite), without raising
     * the limit of every other.
     *
     * @return {@code t}
     */
    public <T> Task<T> limit(Task<T> t, Duration limit) {
        if (t.graph != this) {
            throw new IllegalArgumentException("task " + t.name() + " belongs to another graph");
        }
        if (limit.isNegative() || limit.isZero()) {
            throw new IllegalArgumentException("the limit of task " + t.name() + " must be positive, not " + limit);
        }
        limits.put(t, limit);
        return t;
    }

    private Duration limitOf(Task<?> t) {
        return limits.getOrDefault(t, taskTimeout);
    }

    /** A task with no result. */
    public <T> Task<Void> action(String name, Action action, Task<?>... dependencies) {
        return task(name, ctx -> {
            action.run(ctx);
            return null;
        }, dependencies);
    }

    /** The work of a task that returns nothing. */
    @FunctionalInterface
    public interface Action {
        void run(TaskContext ctx) throws Exception;
    }

    /**
     * Runs the targets (every task when none are given) and what they want, and
     * waits until every started task has ended.
     *
     * @return the report, when every task that ran succeeded
     * @throws TaskGraphException with the report, when a task failed or was aborted
     */
    public RunReport run(Task<?>... targets) {
        List<Task<?>> goals;
        synchronized (this) {
            if (ran) {
                throw new IllegalStateException("this graph already ran; build a new one");
            }
            ran = true;
            goals = targets.length == 0 ? new ArrayList<>(tasks.values()) : List.of(targets);
            t0 = System.nanoTime();
        }
        long epoch = System.currentTimeMillis();
        List<String> names;
        synchronized (this) {
            names = tasks.values().stream().map(Task::name).toList();
        }
        tell(l -> l.runStarted(names));
        ScheduledExecutorService ticker = Threads.scheduler("speedling-pending");
        long every = pendingLogInterval.toMillis();
        ticker.scheduleAtFixedRate(this::logPending, every, every, TimeUnit.MILLISECONDS);
        if (taskTimeout != null || !limits.isEmpty()) {
            long shortest = java.util.stream.Stream.concat(java.util.stream.Stream.ofNullable(taskTimeout),
                    limits.values().stream()).mapToLong(Duration::toMillis).min().orElse(1000);
            long check = Math.max(10, Math.min(1000, shortest / 4));
            ticker.scheduleAtFixedRate(this::interruptOverdue, check, check, TimeUnit.MILLISECONDS);
        }
        try {
            if (serial) {
                for (Task<?> g : goals) {
                    runInline(g);
                }
            } else {
                pool = Threads.cached("task");
                for (Task<?> g : goals) {
                    start(g);
                }
                synchronized (this) {
                    while (active > 0) {
                        wait();
                    }
                }
                pool.shutdown();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new SpeedlingException("interrupted while running tasks", e);
        } finally {
            ticker.shutdownNow();
        }
        RunReport report = report(epoch);
        LOG.info(report.summary());
        tell(l -> l.runFinished(report));
        if (!report.ok()) {
            throw new TaskGraphException(report);
        }
        return report;
    }

    /**
     * Tells every listener; one that throws is logged and skipped, never allowed to stop the run's
     * bookkeeping (a throwing listener once left a run waiting for a task count that never fell).
     */
    private void tell(java.util.function.Consumer<TaskListener> event) {
        for (TaskListener l : listeners) {
            try {
                event.accept(l);
            } catch (RuntimeException | Error e) {
                if (e instanceof VirtualMachineError v) {
                    throw v;
                }
                LOG.warn("task listener {} failed; the run goes on without that event: {}", l.getClass().getName(),
                        e.toString());
            }
        }
    }

    private String redact(String text) {
        try {
            return redactor.apply(text);
        } catch (RuntimeException e) {
            return "(withheld: redacting it failed: " + e + ")";
        }
    }

    private long now() {
        return (System.nanoTime() - t0) / 1_000_000;
    }

    private synchronized boolean claim(Task<?> t) {
        State s = states.get(t);
        if (s.started) {
            return false;
        }
        s.started = true;
        active++;
        return true;
    }

    private void start(Task<?> t) {
        if (claim(t)) {
            pool.execute(() -> execute(t));
        }
    }

    private void runInline(Task<?> t) {
        if (claim(t)) {
            execute(t);
        }
    }

    @SuppressWarnings({"unchecked", "rawtypes"})
    private void execute(Task t) {
        State s;
        synchronized (this) {
            s = states.get(t);
            s.start = now();
            s.thread = Thread.currentThread().getName();
            s.runner = Thread.currentThread();
        }
        tell(l -> l.taskStarted(t.name()));
        LOG.debug("task {} started", t.name());
        Ctx ctx = new Ctx(t);
        Object result = null;
        Throwable failure = null;
        try {
            List<Task<?>> deps = t.dependencies();
            ctx.want(deps.toArray(Task[]::new));
            result = t.body().run(ctx);
        } catch (Throwable e) {
            failure = e;
        }
        TaskRecord rec;
        synchronized (this) {
            s.end = now();
            s.done = true;
            s.runner = null;
            if (s.timedOut) {
                Thread.interrupted();  // the pool thread goes back clean
                // over its limit is a failure even when the body swallowed the interrupt and finished
                failure = new TaskTimeoutException(t.name(), limitOf(t), failure);
            }
            if (failure == null) {
                s.status = TaskStatus.SUCCEEDED;
            } else if (failure instanceof TaskAbortedException a) {
                s.status = TaskStatus.ABORTED;
                s.error = redact(a.getMessage());
                s.failedTask = a.failedTask();
            } else {
                s.status = TaskStatus.FAILED;
                s.error = redact(failure.getClass().getSimpleName() + ": " + failure.getMessage());
            }
            rec = record(t, s);
        }
        // listeners hear of the end before any waiting task resumes, so events stay in causal order
        tell(l -> l.taskFinished(rec));
        if (failure == null) {
            LOG.debug("task {} done in {} ms ({} ms waiting)", t.name(), s.end - s.start, s.waitNanos / 1_000_000);
            t.future.complete(result);
        } else {
            // the record's error is redacted; the exception's own text and stack trace only at debug level
            if (s.status == TaskStatus.FAILED) {
                LOG.error("task {} failed after {} ms: {}", t.name(), s.end - s.start, s.error);
                LOG.debug("task {} failed", t.name(), failure);
            } else {
                LOG.warn("task {} aborted: {}", t.name(), s.error);
            }
            t.future.completeExceptionally(failure);
        }
        synchronized (this) {
            active--;
            notifyAll();
        }
    }

    private TaskRecord record(Task<?> t, State s) {
        return new TaskRecord(t.name(), s.status, s.start, s.end, s.waitNanos / 1_000_000,
                t.dependencies().stream().map(Task::name).toList(), List.copyOf(s.waitedFor), s.thread, s.error,
                s.failedTask, List.copyOf(s.waits), s.outcome);
    }

    private synchronized RunReport report(long epoch) {
        List<TaskRecord> recs = new ArrayList<>();
        for (Task<?> t : tasks.values()) {
            recs.add(record(t, states.get(t)));
        }
        return new RunReport(epoch, now(), serial, recs);
    }

    /** Adds the wait edge, or throws when it would close a cycle. */
    private synchronized void beginWait(Task<?> waiter, Task<?> target) {
        List<String> path = new ArrayList<>();
        path.add(waiter.name());
        Task<?> cur = target;
        while (cur != null) {
            path.add(cur.name());
            if (cur == waiter) {
                throw new TaskCycleException(path);
            }
            cur = waitingOn.get(cur);
        }
        waitingOn.put(waiter, target);
        State s = states.get(waiter);
        s.waitedFor.add(target.name());
        s.waitStart = now();
        tell(l -> l.taskWaiting(waiter.name(), target.name()));
    }

    private synchronized void endWait(Task<?> waiter, long nanos) {
        Task<?> target = waitingOn.remove(waiter);
        State s = states.get(waiter);
        s.waitNanos += nanos;
        if (target != null && s.waitStart >= 0) {
            s.waits.add(new TaskRecord.Wait(target.name(), s.waitStart, now()));
        }
        s.waitStart = -1;
        tell(l -> l.taskResumed(waiter.name()));
    }

    /**
     * Interrupts tasks whose own work (time running minus time waiting for other tasks) passed the
     * limit; a task waiting for another is left alone, the one it waits for is the one to blame.
     */
    private synchronized void interruptOverdue() {
        long n = now();
        for (Map.Entry<Task<?>, State> e : states.entrySet()) {
            State s = e.getValue();
            if (s.runner == null || s.done || s.timedOut || waitingOn.containsKey(e.getKey())) {
                continue;
            }
            Duration limit = limitOf(e.getKey());
            if (limit == null) {
                continue;
            }
            long own = n - s.start - s.waitNanos / 1_000_000;
            if (own > limit.toMillis()) {
                s.timedOut = true;
                LOG.warn("task {} worked {} s, over its limit of {}: interrupting it", e.getKey().name(), own / 1000,
                        limit);
                s.runner.interrupt();
            }
        }
    }

    private synchronized void logPending() {
        StringBuilder sb = new StringBuilder();
        long n = now();
        for (Map.Entry<Task<?>, State> e : states.entrySet()) {
            State s = e.getValue();
            if (s.started && !s.done && s.start >= 0) {
                Task<?> w = waitingOn.get(e.getKey());
                sb.append(String.format(" %s (%.1f s%s)", e.getKey().name(), (n - s.start) / 1000.0,
                        w == null ? "" : ", waiting for " + w.name()));
            }
        }
        if (sb.length() > 0) {
            LOG.info("pending tasks after {} s:{}", n / 1000, sb);
        }
    }

    private final class Ctx implements TaskContext {
        private final Task<?> self;

        Ctx(Task<?> self) {
            this.self = self;
        }

        @Override
        public String taskName() {
            return self.name();
        }

        @Override
        public void outcome(String text) {
            String clean = text == null ? null : redactor.apply(text);
            synchronized (TaskGraph.this) {
                states.get(self).outcome = clean;
            }
        }

        @Override
        public void willNeed(Task<?>... targets) {
            if (!serial) {
                for (Task<?> t : targets) {
                    check(t);
                    start(t);
                }
            }
        }

        @Override
        public void want(Task<?>... targets) {
            willNeed(targets);
            for (Task<?> t : targets) {
                want(t);
            }
        }

        @Override
        public <T> T want(Task<T> target) {
            check(target);
            beginWait(self, target);
            long w0 = System.nanoTime();
            try {
                if (serial) {
                    runInline(target);
                } else {
                    start(target);
                }
                return target.future.get();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new SpeedlingException("task " + self.name() + " interrupted while waiting for "
                        + target.name(), e);
            } catch (ExecutionException | CompletionException e) {
                Throwable c = e.getCause();
                String root = c instanceof TaskAbortedException a ? a.failedTask() : target.name();
                throw new TaskAbortedException(self.name(), root, c);
            } finally {
                endWait(self, System.nanoTime() - w0);
            }
        }

        private void check(Task<?> t) {
            if (t.graph != TaskGraph.this) {
                throw new IllegalArgumentException("task " + self.name() + " wants " + t.name()
                        + ", which belongs to another graph");
            }
        }
    }

    /** Settings of a graph. */
    public static final class Builder {
        private boolean serial;
        private Duration pendingLogInterval = Duration.ofSeconds(15);
        private Duration taskTimeout;
        private final List<TaskListener> listeners = new ArrayList<>();
        private java.util.function.UnaryOperator<String> redactor = java.util.function.UnaryOperator.identity();

        private Builder() {
        }

        /** Run every task on the calling thread, one at a time, in the order wanted (for debugging). */
        public Builder serial(boolean oneThread) {
            this.serial = oneThread;
            return this;
        }

        /** How often tasks still running are logged (default 15 s). */
        public Builder pendingLogInterval(Duration d) {
            if (d.isNegative() || d.isZero()) {
                throw new IllegalArgumentException("pending log interval must be positive, got " + d);
            }
            this.pendingLogInterval = d;
            return this;
        }

        /**
         * A limit on each task's own work (its time running, not counting waits for other tasks).
         * A task over it is interrupted (a remote call it waits on then fails) and fails with a
         * {@link TaskTimeoutException} naming it; tasks waiting for it are aborted. Default: none.
         */
        public Builder taskTimeout(Duration limit) {
            if (limit.isNegative() || limit.isZero()) {
                throw new IllegalArgumentException("task timeout must be positive, got " + limit);
            }
            this.taskTimeout = limit;
            return this;
        }

        /**
         * Applied to every error text before it is recorded, logged or told to a listener (e.g. a
         * function that replaces passwords with ***). Default: none.
         */
        public Builder redactor(java.util.function.UnaryOperator<String> r) {
            this.redactor = Objects.requireNonNull(r);
            return this;
        }

        public Builder listener(TaskListener l) {
            listeners.add(Objects.requireNonNull(l));
            return this;
        }

        public TaskGraph build() {
            return new TaskGraph(this);
        }
    }
}
