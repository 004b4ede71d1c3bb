package org.sdti.jobs.train;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import org.apache.hadoop.fs.Path;
import org.apache.spark.api.java.function.PairFlatMapFunction;
import org.sdti.jobs.config.ConceptSpec;
import org.sdti.jobs.runtime.JavaBytes;
import org.sdti.jobs.runtime.ModelCache;
import org.sdti.model.inversion.TrainerState;
import org.sdti.model.io.OutputFolder;
import org.sdti.model.pipelines.TextToImage;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import scala.Tuple2;

/**
 * Executor side of the validation images: each (concept, state) of the partition rendered into the concept's
 * folder ({@link ValidationImages}), with the model from this JVM's {@link ModelCache} (loaded only when a state
 * arrives). Each concept is a unit of its own ({@link TaskSettings#isolation}): returns (concept, reason) for those
 * that failed.
 */
final class ValidationTask implements PairFlatMapFunction<Iterator<Tuple2<String, byte[]>>, String, String> {
    private static final long serialVersionUID = 1L;
    private final TaskSettings settings;

    ValidationTask(TaskSettings settings) {
        this.settings = settings;
    }

    @Override
    public Iterator<Tuple2<String, String>> call(Iterator<Tuple2<String, byte[]>> states) {
        Logger log = LoggerFactory.getLogger(settings.logger());
        List<Tuple2<String, String>> failures = new ArrayList<>();
        while (states.hasNext()) {
            Tuple2<String, byte[]> t = states.next();
            ConceptSpec c = settings.job().concept(t._1()).orElseThrow();
            String failure = settings.isolation().run("validation " + c.name(), () -> {
                OutputFolder out = OutputFolder.open(new Path(settings.output(), c.name()).toString(),
                        settings.hadoop().get());
                new ValidationImages(new TextToImage(ModelCache.stableDiffusion(settings.model(), settings.hadoop())),
                        c, settings.resolution(), out, line -> log.info("train {}: {}", c.name(), line))
                        .render(JavaBytes.read(t._2(), TrainerState.class));
                return null;
            }, e -> {
                log.warn("train {}: the validation images failed", c.name(), e);
                return "validation images failed: " + e;
            });
            if (failure != null) {
                failures.add(new Tuple2<>(c.name(), failure));
            }
        }
        return failures.iterator();
    }
}
