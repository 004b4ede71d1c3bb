package org.sdti.jobs.train;

import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.sdti.jobs.runtime.StageReport;
import org.sdti.jobs.runtime.StageReport.ConceptResult;
import org.sdti.model.inversion.LossLog;

/**
 * The train stage's report ({@code _reports/train.json} and the summary table): per concept how it ended, its
 * steps (in all, and trained by this run; a concept whose checkpoint is refused reports that checkpoint's step),
 * replicas, the most Spark task attempts one of its rounds took ({@code attempts}: 1 when no task was retried, 0
 * when it ran no round), the threads per op its tasks ran with ({@code threads_per_task}: results are
 * bit-identical only between runs with equal threads per task; 0 when it ran no round, or its tasks' threads
 * differed), the wall time of its rounds in this run ({@code seconds}) and final smoothed loss; the
 * counters {@code replica_steps}, {@code rounds} and where the rounds' time went ({@link RoundTimes#counters}).
 */
final class TrainReport {
    private TrainReport() {}

    /** Fills {@code report} with the concepts' rows and the counters, and finishes it. */
    static StageReport of(StageReport report, List<ConceptRun> runs, long replicaSteps, long rounds,
            RoundTimes times) {
        for (ConceptRun r : runs) {
            report.add(row(r));
        }
        report.counter("replica_steps", replicaSteps).counter("rounds", rounds);
        times.counters().forEach(report::counter);
        return report.finish(Instant.now());
    }

    static ConceptResult row(ConceptRun r) {
        ConceptRun.Ending e = r.ending();
        if (e == null) {
            throw new IllegalStateException("concept '" + r.name() + "' has not ended");
        }
        return new ConceptResult(r.name(), r.spec().token(), e.status(), e.action(), e.reason(), counts(r),
                List.of(), metrics(r));
    }

    private static Map<String, Long> counts(ConceptRun r) {
        Map<String, Long> m = new LinkedHashMap<>();
        m.put("steps", r.step());
        m.put("trained", r.step() - r.startStep());
        m.put("replicas", (long) r.replicas());
        m.put("attempts", (long) r.attempts());
        m.put("threads_per_task", (long) r.threads());
        return m;
    }

    /**
     * The final smoothed loss of the concept's curve (what loss.csv ends with), when it has one, and its hit rates
     * when it was evaluated ({@code hits_photo}, {@code hits_photo_before}, ...).
     */
    private static Map<String, Double> metrics(ConceptRun r) {
        Map<String, Double> m = new LinkedHashMap<>();
        List<LossLog.Entry> curve = r.losses().map(l -> l.mean().entries()).orElse(List.of());
        m.put("seconds", r.seconds());
        if (!curve.isEmpty()) {
            m.put("loss", curve.get(curve.size() - 1).smoothed());
        }
        new java.util.TreeMap<>(r.evaluation()).forEach(m::put);
        return m;
    }
}
