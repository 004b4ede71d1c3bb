package org.sdti.jobs.train;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import org.apache.spark.TaskContext;
import org.apache.spark.api.java.function.PairFlatMapFunction;
import org.apache.spark.util.LongAccumulator;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.sdti.jobs.config.ConceptSpec;
import org.sdti.jobs.runtime.JavaBytes;
import org.sdti.jobs.runtime.ModelCache;
import org.sdti.jobs.runtime.TaskThreads;
import org.sdti.model.inversion.BatchSampler;
import org.sdti.model.inversion.ConceptData;
import org.sdti.model.inversion.InversionGraph;
import org.sdti.model.inversion.InversionStep;
import org.sdti.model.inversion.NewToken;
import org.sdti.model.inversion.RowGradients;
import org.sdti.model.inversion.SharedRound;
import org.sdti.model.inversion.TrainerState;
import org.sdti.model.inversion.TrainingConfig;
import org.sdti.model.models.TokenEmbedding;
import org.sdti.model.pipelines.StableDiffusion;
import org.sdti.model.schedulers.NoiseSchedule;
import org.sdti.model.schedulers.Prediction;
import org.slf4j.LoggerFactory;
import scala.Tuple2;

/**
 * Executor side of a training round: each partition holds one group of (concept, replica) units with the data of
 * their concepts, and runs them together ({@link SharedRound}: one U-Net pass per micro-batch for the whole group,
 * each unit its own AdamW update). The model comes from this JVM's {@link ModelCache}; graphs are built per task for
 * the shapes it needs. Emits one {@link ReplicaRound.Result} per unit, keyed by concept.
 *
 * <p>A unit's result depends only on its start state, its concept's data, its replica and the group it ran in (units
 * are run in (concept, replica) order whatever order Spark delivers them in), so a retried task gives the same
 * results bit for bit.
 */
final class TrainTask implements PairFlatMapFunction<Iterator<Tuple2<Integer, Tuple2<Iterable<byte[]>,
        Iterable<byte[]>>>>, String, byte[]> {
    private static final long serialVersionUID = 1L;

    private final TaskSettings settings;
    private final LongAccumulator steps;
    private final LongAccumulator stepNanos;

    /**
     * @param steps     counts each replica step taken
     * @param stepNanos adds the time each group spends in its training steps (graphs built for it included)
     */
    TrainTask(TaskSettings settings, LongAccumulator steps, LongAccumulator stepNanos) {
        this.settings = settings;
        this.steps = steps;
        this.stepNanos = stepNanos;
    }

    @Override
    public Iterator<Tuple2<String, byte[]>> call(Iterator<Tuple2<Integer, Tuple2<Iterable<byte[]>,
            Iterable<byte[]>>>> groups) {
        List<Tuple2<String, byte[]>> out = new ArrayList<>();
        if (groups.hasNext()) {
            // the model before any unit runs, outside the units' isolation: a model that cannot be read (a flaky
            // file system, a lost executor's disk) is the task's failure, which Spark retries, not a concept's
            ModelCache.stableDiffusion(settings.model(), settings.hadoop());
        }
        while (groups.hasNext()) {
            Tuple2<Iterable<byte[]>, Iterable<byte[]>> g = groups.next()._2();
            Map<String, ConceptData> data = new HashMap<>();
            g._1().forEach(b -> {
                // only concepts whose data was built take part in rounds
                ConceptData d = JavaBytes.read(b, TrainingData.Built.class).data();
                data.put(d.concept(), d);
            });
            List<ReplicaRound.Work> work = new ArrayList<>();
            g._2().forEach(b -> work.add(JavaBytes.read(b, ReplicaRound.Work.class)));
            if (work.isEmpty()) {
                continue;
            }
            work.sort(Comparator.comparing(ReplicaRound.Work::concept).thenComparingInt(ReplicaRound.Work::replica));
            for (ReplicaRound.Result r : isolated(work, data)) {
                out.add(new Tuple2<>(r.concept(), JavaBytes.of(r)));
            }
        }
        return out.iterator();
    }

    /**
     * Runs a group as one unit ({@link TaskSettings#isolation}); if it fails, each of its units alone, so that only
     * the unit at fault fails (an Error in a shared pass names no unit; running alone costs the sharing, and such a
     * unit's numbers may differ from the shared pass's in the last bits).
     */
    private List<ReplicaRound.Result> isolated(List<ReplicaRound.Work> work, Map<String, ConceptData> data) {
        String unit = work.stream().map(w -> w.concept() + "/" + w.replica() + " from step "
                + (w.start() == null ? 0 : w.start().step())).collect(java.util.stream.Collectors.joining(", "));
        return settings.isolation().run(unit, () -> run(work, data), t -> work.size() > 1
                ? work.stream().flatMap(w -> isolated(List.of(w), data).stream()).toList()
                : List.of(failed(work.get(0), t)));
    }

    /** A unit that threw: it keeps its start state, and its concept fails the round. */
    private static ReplicaRound.Result failed(ReplicaRound.Work w, Throwable t) {
        LoggerFactory.getLogger(TrainTask.class).warn("train {}: replica {} failed", w.concept(), w.replica(), t);
        return new ReplicaRound.Result(w.concept(), w.replica(), w.start(), ReplicaRound.Steps.of(List.of()),
                "training failed: " + t, attempts(), TaskThreads.current());
    }

    /** Attempts of this task so far (a retried task's earlier attempts returned nothing): for the report. */
    private static int attempts() {
        TaskContext task = TaskContext.get();
        return task == null ? 1 : task.attemptNumber() + 1;
    }

    private List<ReplicaRound.Result> run(List<ReplicaRound.Work> work, Map<String, ConceptData> data) {
        StableDiffusion sd = ModelCache.stableDiffusion(settings.model(), settings.hadoop());
        NoiseSchedule schedule = NoiseSchedule.from(sd.schedulerConfig());
        Prediction prediction = Prediction.of(sd.schedulerConfig());
        TokenEmbedding embedding = sd.textEncoder().embedding();
        ConceptData first = data.get(work.get(0).concept());
        Graphs graphs = new Graphs(sd, first);
        List<SharedRound.Member> members = new ArrayList<>(work.size());
        for (ReplicaRound.Work w : work) {
            ConceptSpec c = settings.job().concept(w.concept()).orElseThrow(() -> new IllegalStateException(
                    "concept '" + w.concept() + "' is not in the job"));
            ConceptData d = data.get(w.concept());
            if (d == null) {
                throw new IllegalStateException("no data for concept '" + w.concept() + "' in its group");
            }
            TrainingConfig cfg = c.train().trainingConfig();
            TrainerState start = w.start();
            if (start == null) {
                start = TrainerState.initial(c.name(), cfg.seed(), new NewToken(c.token(), c.vectors(), c.init())
                        .initialRows(sd.tokenizer(), embedding));
            }
            InversionStep step = new InversionStep(embedding, graphs, schedule, prediction, cfg,
                    c.train().replicas());
            members.add(new SharedRound.Member(step, BatchSampler.of(cfg, schedule.numTrainTimesteps()), d,
                    w.replica(), start, w.steps()));
        }
        long started = System.nanoTime();
        List<SharedRound.Outcome> outcomes = new SharedRound(graphs).run(members, (m, r) -> steps.add(1));
        stepNanos.add(System.nanoTime() - started);
        graphs.release(); // not after a failure: a graph that threw mid-pass is not trusted again
        int attempts = attempts();
        int threads = TaskThreads.current();
        List<ReplicaRound.Result> out = new ArrayList<>(work.size());
        for (int i = 0; i < work.size(); i++) {
            SharedRound.Outcome o = outcomes.get(i);
            out.add(new ReplicaRound.Result(work.get(i).concept(), work.get(i).replica(), o.state(),
                    ReplicaRound.Steps.of(o.steps()), o.failure() == null ? null : o.failure().getMessage(),
                    attempts, threads));
        }
        return out;
    }

    /**
     * This task's graphs, one per (batch, rows) shape over the group's latent size, taken from the JVM's idle ones
     * ({@link ModelCache#acquire}) or built; also the {@link RowGradients} of each unit's step, picking the graph by
     * the shape of what it is given.
     */
    private final class Graphs implements SharedRound.Graphs, RowGradients {
        private final StableDiffusion sd;
        private final ConceptData shape;
        private final Map<ModelCache.Key, InversionGraph> held = new HashMap<>();
        private final Map<ModelCache.Key, RowGradients> gradients = new HashMap<>();

        Graphs(StableDiffusion sd, ConceptData shape) {
            this.sd = sd;
            this.shape = shape;
        }

        @Override
        public RowGradients of(int batch, int numVectors) {
            ModelCache.Key key = new ModelCache.Key(settings.model().toString(), DataType.FLOAT.name(), String.format(
                    "inversion-graph %dx%d over %dx%dx%d", batch, numVectors, shape.channels(), shape.height(),
                    shape.width()));
            return gradients.computeIfAbsent(key, k -> {
                InversionGraph g = ModelCache.acquire(k, InversionGraph.class, () -> InversionGraph.build(
                        sd.textEncoder(), sd.unet(), batch, Nd4j.zeros(DataType.FLOAT, numVectors,
                                sd.textEncoder().config().hiddenSize()), shape.channels(), shape.height(),
                        shape.width()));
                held.put(k, g);
                return RowGradients.of(g);
            });
        }

        void release() {
            held.forEach(ModelCache::release);
            held.clear();
            gradients.clear();
        }

        private RowGradients of(INDArray rows, TokenEmbedding.Inputs inputs) {
            return of((int) inputs.base().size(0), (int) rows.size(0));
        }

        @Override
        public InversionGraph.LossAndGradient compute(INDArray rows,
                TokenEmbedding.Inputs inputs, INDArray noisy,
                INDArray timesteps, INDArray target,
                INDArray weights) {
            return of(rows, inputs).compute(rows, inputs, noisy, timesteps, target, weights);
        }

        @Override
        public double loss(INDArray rows, TokenEmbedding.Inputs inputs,
                INDArray noisy, INDArray timesteps,
                INDArray target, INDArray weights) {
            return of(rows, inputs).loss(rows, inputs, noisy, timesteps, target, weights);
        }
    }
}
