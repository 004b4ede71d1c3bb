package org.sdti.jobs.train;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Objects;
import org.sdti.model.inversion.AdamW;
import org.sdti.model.inversion.StepRecord;
import org.sdti.model.inversion.TrainerState;

/**
 * What crosses Spark in a training round: the work of one (concept, replica) unit, its result, and the average of
 * a concept's results over its replicas.
 */
final class ReplicaRound {
    private ReplicaRound() {}

    /**
     * A unit's work for one round.
     *
     * @param start the concept's state at the round's start; null for step 0 (the executor initialises the rows
     *              from the initializer, as every replica would)
     */
    record Work(String concept, int replica, TrainerState start, int steps) implements Serializable {}

    /**
     * One step's numbers (records are kept as plain arrays: {@link StepRecord} is not serialisable).
     */
    record Steps(long[] step, double[] loss, double[] learningRate, double[] gradientNorm) implements Serializable {
        static Steps of(List<StepRecord> records) {
            int n = records.size();
            Steps s = new Steps(new long[n], new double[n], new double[n], new double[n]);
            for (int i = 0; i < n; i++) {
                StepRecord r = records.get(i);
                s.step[i] = r.step();
                s.loss[i] = r.loss();
                s.learningRate[i] = r.learningRate();
                s.gradientNorm[i] = r.gradientNorm();
            }
            return s;
        }

        List<StepRecord> records() {
            List<StepRecord> out = new ArrayList<>(step.length);
            for (int i = 0; i < step.length; i++) {
                out.add(new StepRecord(step[i], loss[i], learningRate[i], gradientNorm[i]));
            }
            return out;
        }

        int size() {
            return step.length;
        }
    }

    /**
     * A unit's result.
     *
     * @param failure  why the unit stopped early (a NaN or infinite loss, or what it threw), or null
     * @param attempts the Spark task attempts its task took, this one included (1: not retried)
     * @param threads  the threads per op of the JVM that ran it ({@link org.sdti.jobs.runtime.TaskThreads})
     */
    record Result(String concept, int replica, TrainerState state, Steps steps, String failure, int attempts,
                  int threads) implements Serializable {}

    /**
     * A concept's round after averaging: the state whose rows and AdamW moments are the mean of its replicas', the
     * per-step mean loss and gradient norm, each replica's own steps (in replica order), and the failure of a
     * replica if one failed (then {@code state} is null and nothing of the round is kept), and the most task
     * attempts any of its replicas took, and the threads per op its replicas ran with (0 when they differed).
     */
    record Averaged(String concept, int replicas, TrainerState state, Steps steps, List<Steps> perReplica,
                    String failure, int attempts, int threads) implements Serializable {}

    /**
     * Averages a concept's replica results: rows, first and second moments each as the mean over replicas, summed
     * in double in replica order (so the result does not depend on the order Spark delivers them) and rounded to
     * float once. With one replica the state is returned unchanged, bit for bit.
     */
    static Averaged average(List<Result> results) {
        List<Result> rs = new ArrayList<>(results);
        rs.sort(Comparator.comparingInt(Result::replica));
        String concept = rs.get(0).concept();
        int n = rs.size();
        for (int i = 0; i < n; i++) {
            if (rs.get(i).replica() != i || !rs.get(i).concept().equals(concept)) {
                throw new IllegalStateException("concept '" + concept + "': replica results " + rs.stream()
                        .map(r -> r.concept() + "/" + r.replica()).toList() + " are not replicas 0.." + (n - 1));
            }
        }
        int attempts = rs.stream().mapToInt(Result::attempts).max().orElseThrow();
        int threads = RoundThreads.common(rs.stream().mapToInt(Result::threads).toArray());
        for (Result r : rs) {
            if (r.failure() != null) {
                String which = n > 1 ? "replica " + r.replica() + ": " : "";
                return new Averaged(concept, n, null, null, List.of(), which + r.failure(), attempts, threads);
            }
        }
        TrainerState first = rs.get(0).state();
        List<float[]> params = new ArrayList<>(n);
        List<float[]> m = new ArrayList<>(n);
        List<float[]> v = new ArrayList<>(n);
        for (Result r : rs) {
            if (r.state().step() != first.step() || r.steps().size() != rs.get(0).steps().size()) {
                throw new IllegalStateException("concept '" + concept + "': replicas ended at different steps");
            }
            AdamW.State o = r.state().optimizer();
            params.add(o.params());
            m.add(o.m());
            v.add(o.v());
        }
        AdamW.State avg = new AdamW.State(mean(params), mean(m), mean(v), first.step());
        Steps s0 = rs.get(0).steps();
        int k = s0.size();
        Steps steps = new Steps(s0.step().clone(), new double[k], s0.learningRate().clone(), new double[k]);
        for (int i = 0; i < k; i++) {
            double loss = 0;
            double norm = 0;
            for (Result r : rs) {
                loss += r.steps().loss()[i];
                norm += r.steps().gradientNorm()[i];
            }
            steps.loss()[i] = loss / n;
            steps.gradientNorm()[i] = norm / n;
        }
        return new Averaged(concept, n, first.withOptimizer(avg), steps,
                new ArrayList<>(rs.stream().map(Result::steps).toList()), null, attempts, threads);
    }

    /** Element-wise mean, accumulated in double in list order. */
    static float[] mean(List<float[]> xs) {
        int len = xs.get(0).length;
        double[] sum = new double[len];
        for (float[] x : xs) {
            Objects.checkIndex(len - 1, x.length);
            for (int i = 0; i < len; i++) {
                sum[i] += x[i];
            }
        }
        float[] out = new float[len];
        for (int i = 0; i < len; i++) {
            out[i] = (float) (sum[i] / xs.size());
        }
        return out;
    }
}
