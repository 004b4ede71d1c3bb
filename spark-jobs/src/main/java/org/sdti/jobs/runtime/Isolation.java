package org.sdti.jobs.runtime;

import java.io.Serializable;
import java.util.Objects;
import java.util.function.Function;

/**
 * Runs one unit of an executor task's work (a concept, an example, a batch of images, a training group) so that its
 * failure is its own: an exception, a {@link StackOverflowError} (deep recursion) or an {@link OutOfMemoryError} (an
 * allocation that did not fit) becomes the unit's failed outcome, and the task goes on with its other units. Left to
 * Spark, a failed task fails the job, and an Error ends the whole application with Spark's exit code (50, 52)
 * before any report is written, taking the healthy concepts' work with it. Other Errors (a LinkageError, an
 * InternalError) mean the JVM or the build is broken and still end the task.
 *
 * <p>Tasks carry an instance in their closures. {@link #injecting} makes one that throws a chosen Error at the start
 * of the units it names: how the stages' tests reach this path, since no small input provokes an Error any more.
 */
public final class Isolation implements Serializable {
    private static final long serialVersionUID = 1L;

    /** What production runs with: no fault injected. */
    public static final Isolation NONE = new Isolation(unit -> null);

    /** The Error to throw at the start of a unit, by the unit's name; null for none. */
    @FunctionalInterface
    public interface Fault extends Serializable {
        Error at(String unit);
    }

    /** A unit's work. */
    @FunctionalInterface
    public interface Work<T> {
        T run() throws Exception;
    }

    private final Fault fault;

    private Isolation(Fault fault) {
        this.fault = Objects.requireNonNull(fault, "fault");
    }

    /** An isolation that throws {@code fault}'s Error at the start of the units it names (for tests). */
    public static Isolation injecting(Fault fault) {
        return new Isolation(fault);
    }

    /**
     * Runs {@code work}; if it fails as a unit may, returns {@code failed} applied to what it threw.
     *
     * @param unit names the unit (in messages, and for {@link #injecting})
     */
    public <T> T run(String unit, Work<T> work, Function<Throwable, T> failed) {
        try {
            Error injected = fault.at(unit);
            if (injected != null) {
                throw injected;
            }
            return work.run();
        } catch (Exception | StackOverflowError | OutOfMemoryError e) {
            if (e instanceof InterruptedException) {
                Thread.currentThread().interrupt(); // Spark is killing the task: let it see so
            }
            return failed.apply(e);
        }
    }
}
