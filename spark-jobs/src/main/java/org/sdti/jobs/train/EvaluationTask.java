package org.sdti.jobs.train;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import org.apache.hadoop.fs.Path;
import org.apache.spark.api.java.function.PairFlatMapFunction;
import org.sdti.dataprep.PreparationResult;
import org.sdti.jobs.config.ConceptSpec;
import org.sdti.jobs.evaluate.ConceptEvaluation;
import org.sdti.jobs.runtime.JavaBytes;
import org.sdti.jobs.runtime.ModelCache;
import org.sdti.model.inversion.TrainerState;
import org.sdti.model.io.OutputFolder;
import org.sdti.model.pipelines.StableDiffusion;
import org.sdti.model.pipelines.TextToImage;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import scala.Tuple2;

/**
 * Executor side of the hit rates ({@link Evaluations}): each finished (concept, state) of the partition judged with
 * the model from this JVM's {@link ModelCache}, against the concept's own pictures read again here; returns the
 * concept's metrics for the report (empty when there was nothing to judge). A failure to evaluate (also an Error:
 * {@link TaskSettings#isolation}) is logged and leaves the concept's training result as it is.
 */
final class EvaluationTask implements PairFlatMapFunction<Iterator<Tuple2<String, byte[]>>, String, HashMap<String,
        Double>> {
    private static final long serialVersionUID = 1L;
    private final TaskSettings settings;

    EvaluationTask(TaskSettings settings) {
        this.settings = settings;
    }

    @Override
    public Iterator<Tuple2<String, HashMap<String, Double>>> call(Iterator<Tuple2<String, byte[]>> states) {
        List<Tuple2<String, HashMap<String, Double>>> out = new ArrayList<>();
        Logger log = LoggerFactory.getLogger(settings.logger());
        while (states.hasNext()) {
            Tuple2<String, byte[]> t = states.next();
            ConceptSpec c = settings.job().concept(t._1()).orElseThrow();
            HashMap<String, Double> metrics = settings.isolation().run("evaluation " + c.name(), () -> {
                StableDiffusion sd = ModelCache.stableDiffusion(settings.model(), settings.hadoop());
                PreparationResult prepared = new ConceptLoader(c, settings.hadoop().get(), line -> { })
                        .prepare(settings.job().prepare().options(settings.resolution()));
                float[][] before = c.newToken().initialRows(sd.tokenizer(), sd.textEncoder().embedding());
                OutputFolder folder = OutputFolder.open(new Path(settings.output(), c.name()).toString(),
                        settings.hadoop().get());
                ConceptEvaluation.Result r = Evaluations.evaluate(settings.world(), c, prepared, new TextToImage(sd),
                        before, JavaBytes.read(t._2(), TrainerState.class).rowMatrix(), folder,
                        line -> log.info("train {}: {}", c.name(), line));
                return r == null ? new HashMap<>() : new HashMap<>(r.metrics());
            }, e -> {
                log.warn("train {}: the evaluation failed ({}); the concept's training stands", c.name(), e.toString());
                return new HashMap<>();
            });
            out.add(new Tuple2<>(c.name(), metrics));
        }
        return out.iterator();
    }
}
