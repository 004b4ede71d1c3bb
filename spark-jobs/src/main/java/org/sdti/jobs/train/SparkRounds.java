package org.sdti.jobs.train;

import java.io.IOException;
import java.io.Serializable;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Function;
import org.apache.spark.HashPartitioner;
import org.apache.spark.api.java.JavaPairRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.storage.StorageLevel;
import org.apache.spark.util.LongAccumulator;
import org.sdti.jobs.runtime.JavaBytes;
import org.sdti.jobs.runtime.OutputLayout;
import org.sdti.model.inversion.ConceptData;
import org.sdti.model.inversion.TrainerState;
import scala.Tuple2;

/**
 * Driver side of the train stage's Spark jobs; the executor side is {@link TrainTask} and {@link ValidationTask},
 * what they are given {@link TaskSettings}. Only per-concept states travel (in the work items, a parallelized RDD;
 * a state is a few KB); the model never does: executors load it once per JVM.
 *
 * <p>The concepts' data is built once on the executors ({@link TrainingData}) and cached for the rounds. A round is
 * one Spark job: its plan's groups and their concepts' data meet in a cogroup with one group per partition, each
 * task runs its group ({@link TrainTask}) and the replica results are averaged per concept with
 * {@code aggregateByKey} ({@link ReplicaRound#average}, independent of the order results arrive in).
 */
final class SparkRounds {
    /**
     * A concept's data as read: how many examples have a latent row and the latents' size, or why its data could not
     * be built (then null and 0).
     */
    record DataShape(long examples, RoundPlan.Latent latent, String failure) implements Serializable {
        static DataShape of(TrainingData.Built b) {
            ConceptData d = b.data();
            return d == null ? new DataShape(0, null, b.failure())
                    : new DataShape(d.examples().size(), new RoundPlan.Latent(d.channels(), d.height(), d.width()),
                            null);
        }
    }

    private final SparkSession spark;
    private final JavaSparkContext jsc;
    private final TaskSettings settings;
    private final LongAccumulator steps;
    private final LongAccumulator stepNanos;

    /**
     * @param steps     counts every replica step the executors take
     * @param stepNanos adds the time the tasks spend in training steps
     */
    SparkRounds(SparkSession spark, TaskSettings settings, LongAccumulator steps, LongAccumulator stepNanos) {
        this.spark = spark;
        this.jsc = JavaSparkContext.fromSparkContext(spark.sparkContext());
        this.settings = settings;
        this.steps = steps;
        this.stepNanos = stepNanos;
    }

    /**
     * Renders the validation images of these concepts' states on the executors, one task per concept; returns why
     * each concept whose images failed failed.
     */
    Map<String, String> validate(Map<String, TrainerState> states) {
        if (states.isEmpty()) {
            return Map.of();
        }
        List<Tuple2<String, byte[]>> todo = new ArrayList<>();
        states.forEach((concept, state) -> todo.add(new Tuple2<>(concept, JavaBytes.of(state))));
        jsc.setJobDescription("sdti train: validation images of " + todo.size() + " concept(s)");
        return new HashMap<>(jsc.parallelizePairs(todo, todo.size()).mapPartitionsToPair(new ValidationTask(settings))
                .collectAsMap());
    }

    /** The hit rates of these finished concepts' states, judged on the executors; empty maps for the unjudged. */
    Map<String, Map<String, Double>> evaluate(Map<String, TrainerState> states) {
        Map<String, Map<String, Double>> out = new java.util.LinkedHashMap<>();
        if (states.isEmpty() || settings.world() == null) {
            return out;
        }
        List<Tuple2<String, byte[]>> todo = new ArrayList<>();
        states.forEach((concept, state) -> todo.add(new Tuple2<>(concept, JavaBytes.of(state))));
        jsc.setJobDescription("sdti train: hit rates of " + todo.size() + " concept(s)");
        jsc.parallelizePairs(todo, todo.size()).mapPartitionsToPair(new EvaluationTask(settings)).collect()
                .forEach(t -> out.put(t._1(), t._2()));
        return out;
    }

    /**
     * The committed data of these concepts with the latents of one VAE, to be read on the executors and kept for
     * the rounds; close it after the last.
     */
    Data cache(OutputLayout layout, List<String> concepts, String vaeId, double scalingFactor) throws IOException {
        jsc.setJobDescription("sdti train: reading the data of " + concepts.size() + " concept(s)");
        return new Data(TrainingData.read(spark, layout, concepts, vaeId, scalingFactor, settings.isolation())
                .persist(StorageLevel.MEMORY_AND_DISK()));
    }

    /** The concepts' data cached on the executors, keyed by concept. */
    final class Data implements AutoCloseable {
        private final JavaPairRDD<String, byte[]> byConcept;

        private Data(JavaPairRDD<String, byte[]> byConcept) {
            this.byConcept = byConcept;
        }

        /** Each concept's shape; a concept with no latent row is absent. Reads the data (the first job over it). */
        Map<String, DataShape> shapes() {
            Map<String, DataShape> shapes = new HashMap<>();
            byConcept.mapValues(b -> JavaBytes.of(DataShape.of(JavaBytes.read(b, TrainingData.Built.class))))
                    .collectAsMap().forEach((concept, s) -> shapes.put(concept, JavaBytes.read(s, DataShape.class)));
            return shapes;
        }

        /**
         * Runs a round and returns each concept's replicas averaged.
         *
         * @param start a concept's state at the round's start; null at step 0 (the executors initialise the rows)
         */
        Map<String, ReplicaRound.Averaged> round(RoundPlan plan, Function<String, TrainerState> start) {
            List<List<RoundPlan.Unit>> groups = plan.groups();
            List<Tuple2<Integer, byte[]>> work = new ArrayList<>();
            for (int g = 0; g < groups.size(); g++) {
                for (RoundPlan.Unit u : groups.get(g)) {
                    work.add(new Tuple2<>(g, JavaBytes.of(new ReplicaRound.Work(u.concept(), u.replica(),
                            start.apply(u.concept()), u.steps()))));
                }
            }
            jsc.setJobDescription(String.format(Locale.ROOT, "sdti train: round %d, %d concept(s), %d unit(s) in "
                    + "%d group(s)", plan.round(), plan.parts().size(), plan.units(), groups.size()));
            Broadcast<Map<String, List<Integer>>> route = jsc.broadcast(plan.groupsOf());
            // each group's partition gets the data of every concept with a unit in it
            JavaPairRDD<Integer, byte[]> dataByGroup = byConcept.flatMapToPair(t -> {
                List<Integer> gs = route.value().get(t._1());
                List<Tuple2<Integer, byte[]>> out = new ArrayList<>();
                if (gs != null) {
                    gs.forEach(g -> out.add(new Tuple2<>(g, t._2())));
                }
                return out.iterator();
            });
            // the work items and the averaging need no more tasks than the cluster runs at once: a task per group
            // there cost a scheduled task per concept and round for a few KB (issue 15, scale-bench)
            int slices = Math.max(1, Math.min(groups.size(), jsc.defaultParallelism()));
            Map<String, byte[]> averaged;
            try {
                averaged = dataByGroup
                        .cogroup(jsc.parallelizePairs(work, slices), new HashPartitioner(groups.size()))
                        .mapPartitionsToPair(new TrainTask(settings, steps, stepNanos))
                        .aggregateByKey(new ArrayList<byte[]>(), slices, (l, b) -> {
                            l.add(b);
                            return l;
                        }, (a, b) -> {
                            a.addAll(b);
                            return a;
                        })
                        .mapValues(results -> JavaBytes.of(ReplicaRound.average(results.stream()
                                .map(b -> JavaBytes.read(b, ReplicaRound.Result.class)).toList())))
                        .collectAsMap();
            } finally {
                route.destroy();
            }
            Map<String, ReplicaRound.Averaged> out = new HashMap<>();
            for (RoundPlan.Part p : plan.parts()) {
                byte[] bytes = averaged.get(p.concept());
                if (bytes == null) {
                    throw new IllegalStateException("round " + plan.round() + " returned nothing for concept '"
                            + p.concept() + "'");
                }
                out.put(p.concept(), JavaBytes.read(bytes, ReplicaRound.Averaged.class));
            }
            return out;
        }

        @Override
        public void close() {
            byConcept.unpersist(false);
            jsc.setJobDescription(null);
        }
    }
}
