package org.sdti.jobs.train;

import java.io.IOException;
import java.util.Iterator;
import org.apache.hadoop.fs.Path;
import org.apache.spark.api.java.function.VoidFunction;
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
 * arrives).
 */
final class ValidationTask implements VoidFunction<Iterator<Tuple2<String, byte[]>>> {
    private static final long serialVersionUID = 1L;
    private final TaskSettings settings;

    ValidationTask(TaskSettings settings) {
        this.settings = settings;
    }

    @Override
    public void call(Iterator<Tuple2<String, byte[]>> states) throws IOException {
        TextToImage pipeline = null;
        while (states.hasNext()) {
            Tuple2<String, byte[]> t = states.next();
            if (pipeline == null) {
                pipeline = new TextToImage(ModelCache.stableDiffusion(settings.model(), settings.hadoop()));
            }
            ConceptSpec c = settings.job().concept(t._1()).orElseThrow();
            OutputFolder out = OutputFolder.open(new Path(settings.output(), c.name()).toString(),
                    settings.hadoop().get());
            Logger log = LoggerFactory.getLogger(settings.logger());
            new ValidationImages(pipeline, c, settings.resolution(), out,
                    line -> log.info("train {}: {}", c.name(), line))
                    .render(JavaBytes.read(t._2(), TrainerState.class));
        }
    }
}
