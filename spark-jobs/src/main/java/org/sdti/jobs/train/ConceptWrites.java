package org.sdti.jobs.train;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The driver's per-concept file work of a round (loss curves, checkpoint, deleting old checkpoints; a finished
 * concept's embedding files), run for the concepts side by side on a few driver threads. Each concept's files are
 * its own, and every write is a round trip to the file system (several per concept: a file, its rename, listings,
 * deletions; tens to hundreds of milliseconds each on an object store), so done one concept after the other they
 * made a round's time grow with the number of concepts (issue 15, {@code deploy/standalone/scale-bench}).
 *
 * <p>{@link #each} returns when every item has ended, in the items' order; the first failure is thrown then (later
 * ones suppressed into it), so no write is still running behind an error and a round never half-continues.
 */
final class ConceptWrites implements AutoCloseable {
    /** Driver threads: enough to hide an object store's latency for many concepts, few enough for any driver. */
    static final int THREADS = 8;

    /** One item's work. */
    @FunctionalInterface
    interface Work<T, R> {
        R apply(T item) throws IOException;
    }

    private final ExecutorService pool;

    ConceptWrites(int threads) {
        AtomicInteger n = new AtomicInteger();
        this.pool = Executors.newFixedThreadPool(threads, r -> {
            Thread t = new Thread(r, "sdti-train-writes-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        });
    }

    /** {@code work} of every item, side by side; the results in the items' order. */
    <T, R> List<R> each(List<T> items, Work<T, R> work) throws IOException {
        List<Future<R>> futures = new ArrayList<>(items.size());
        for (T item : items) {
            futures.add(pool.submit(() -> work.apply(item)));
        }
        List<R> out = new ArrayList<>(items.size());
        Throwable failure = null;
        for (Future<R> f : futures) {
            try {
                out.add(f.get());
            } catch (ExecutionException e) {
                failure = first(failure, e.getCause());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                futures.forEach(x -> x.cancel(true));
                failure = first(failure, e);
                break;
            }
        }
        if (failure != null) {
            rethrow(failure);
        }
        return out;
    }

    private static Throwable first(Throwable first, Throwable next) {
        if (first == null) {
            return next;
        }
        first.addSuppressed(next);
        return first;
    }

    private static void rethrow(Throwable t) throws IOException {
        if (t instanceof IOException e) {
            throw e;
        }
        if (t instanceof RuntimeException e) {
            throw e;
        }
        if (t instanceof Error e) {
            throw e;
        }
        throw new IOException("interrupted while writing concepts' files", t);
    }

    @Override
    public void close() {
        pool.shutdownNow();
    }
}
