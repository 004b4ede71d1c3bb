package org.sdti.jobs.train;

import org.apache.spark.SparkContext;
import org.apache.spark.util.LongAccumulator;

/**
 * The train stage's Spark accumulators (what the Spark UI shows as it runs): replica steps, added by the executors
 * step by step, the nanoseconds tasks spent in training steps, added per group, and concepts done and failed, added
 * by the driver as each concept ends.
 */
record TrainCounters(LongAccumulator replicaSteps, LongAccumulator stepNanos, LongAccumulator conceptsDone,
                     LongAccumulator conceptsFailed) {
    static TrainCounters register(SparkContext sc) {
        return new TrainCounters(sc.longAccumulator("sdti.train.replica_steps"),
                sc.longAccumulator("sdti.train.task_step_nanos"), sc.longAccumulator("sdti.train.concepts_done"),
                sc.longAccumulator("sdti.train.concepts_failed"));
    }
}
