package org.sdti.jobs.runtime;

import org.nd4j.linalg.factory.Nd4j;

/**
 * The threads an ND4J op of this JVM runs with (OpenMP's, set by {@code OMP_NUM_THREADS}: the deploy scripts give
 * a task as many as its cores). Reports record it with every result because results depend on it in rounding:
 * GEMMs (oneDNN's at small sizes, OpenBLAS's at large ones) and full reductions of large arrays add up in an
 * order that follows the thread count, so bit-identical results need equal threads per task (issue 15).
 */
public final class TaskThreads {
    private TaskThreads() {}

    public static int current() {
        return Nd4j.getEnvironment().maxThreads();
    }
}
