package io.speedling.core;

import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;

/** Waiting on speedling futures without the wrapping of {@link ExecutionException}. */
public final class Futures {
    private Futures() {
    }

    /**
     * Waits for the future and returns its value; a failure is rethrown as the real
     * cause (a {@link SpeedlingException} or other unchecked exception), not wrapped. An
     * interrupt cancels the future (for a remote call: on the node too) and throws.
     */
    public static <T> T join(Future<T> future) {
        try {
            return future.get();
        } catch (InterruptedException e) {
            // the caller gave up: so does the work (a remote call is cancelled on its node, its processes killed)
            future.cancel(true);
            Thread.currentThread().interrupt();
            throw new SpeedlingException("interrupted while waiting; the work waited for was cancelled", e);
        } catch (ExecutionException | CompletionException e) {
            throw unwrap(e.getCause());
        } catch (CancellationException e) {
            throw new SpeedlingException("cancelled", e);
        }
    }

    /** The cause as an unchecked exception, peeling off completion wrappers. */
    public static RuntimeException unwrap(Throwable t) {
        while ((t instanceof CompletionException || t instanceof ExecutionException) && t.getCause() != null) {
            t = t.getCause();
        }
        if (t instanceof RuntimeException r) {
            return r;
        }
        if (t instanceof Error err) {
            throw err;
        }
        return new SpeedlingException(String.valueOf(t.getMessage()), t);
    }
}
