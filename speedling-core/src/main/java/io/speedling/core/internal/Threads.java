package io.speedling.core.internal;

import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.atomic.AtomicLong;

/** Daemon threads with readable names; speedling never keeps a JVM alive by itself. */
public final class Threads {
    private static final AtomicLong SEQ = new AtomicLong();

    private Threads() {
    }

    public static ThreadFactory daemon(String prefix) {
        return r -> {
            Thread t = new Thread(r, prefix + "-" + SEQ.incrementAndGet());
            t.setDaemon(true);
            return t;
        };
    }

    public static Thread start(String name, Runnable r) {
        Thread t = new Thread(r, name);
        t.setDaemon(true);
        t.start();
        return t;
    }

    /** Unbounded pool: tasks here block on I/O and must never starve each other. */
    public static ExecutorService cached(String prefix) {
        return Executors.newCachedThreadPool(daemon(prefix));
    }

    public static ScheduledExecutorService scheduler(String prefix) {
        return Executors.newSingleThreadScheduledExecutor(daemon(prefix));
    }
}
