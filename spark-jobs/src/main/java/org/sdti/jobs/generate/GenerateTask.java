package org.sdti.jobs.generate;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.apache.spark.api.java.function.FlatMapFunction;
import org.apache.spark.util.LongAccumulator;
import org.sdti.jobs.runtime.HadoopConf;
import org.sdti.jobs.runtime.Isolation;
import org.sdti.jobs.runtime.ModelCache;
import org.sdti.jobs.runtime.ModelRef;
import org.sdti.model.io.OutputFolder;
import org.sdti.model.pipelines.GenerationRequest;
import org.sdti.model.pipelines.GenerationResult;
import org.sdti.model.pipelines.StableDiffusion;
import org.sdti.model.pipelines.TextToImage;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Executor side of {@code generate}: batches ({@link Batch#toBytes}) to outcomes. The model comes from this JVM's {@link ModelCache}
 * (loaded by the first task, shared by all); each batch is one {@link TextToImage#generate} call, and each image
 * it has to write goes to its final name atomically, so a retried or killed task leaves whole PNGs or none.
 * A batch that throws, also an Error ({@link Isolation}), is reported failed with the error (the others go on).
 * The outcome is a JSON string: {@code {"batch": id, "status": "done"|"failed", "reason": ..., "seconds": s}}.
 */
final class GenerateTask implements FlatMapFunction<Iterator<byte[]>, String> {
    private static final long serialVersionUID = 1L;
    private static final Logger LOG = LoggerFactory.getLogger(GenerateTask.class);
    private static final ObjectMapper JSON = new ObjectMapper();

    private final ModelRef model;
    private final String modelName;
    private final String output;
    private final HadoopConf conf;
    private final LongAccumulator rendered;
    private final LongAccumulator failed;
    private final Isolation isolation;

    GenerateTask(ModelRef model, String modelName, String output, HadoopConf conf, LongAccumulator rendered,
                 LongAccumulator failed, Isolation isolation) {
        this.model = model;
        this.modelName = modelName;
        this.output = output;
        this.conf = conf;
        this.rendered = rendered;
        this.failed = failed;
        this.isolation = isolation;
    }

    @Override
    public Iterator<String> call(Iterator<byte[]> ids) throws IOException {
        if (!ids.hasNext()) {
            return java.util.Collections.emptyIterator();
        }
        OutputFolder out = OutputFolder.open(output, conf.get());
        List<String> outcomes = new ArrayList<>();
        while (ids.hasNext()) {
            outcomes.add(render(out, Batch.fromBytes(ids.next())));
        }
        return outcomes.iterator();
    }

    private String render(OutputFolder out, Batch b) {
        long t0 = System.nanoTime();
        ObjectNode o = JSON.createObjectNode().put("batch", b.id());
        return isolation.run("batch " + b.id(), () -> {
            // the model from the JVM's cache, within the batch: a model that does not fit fails the batches
            StableDiffusion sd = ModelCache.stableDiffusion(model, conf);
            TextToImage pipeline = new TextToImage(sd);
            GenerationRequest request = b.request();
            GenerationResult r = pipeline.generate(request);
            List<GenerationInfo.Embedding> used = b.embeddingInfo();
            // the weights' digest comes from the executor's own load of them (the driver reads no weights)
            Map<String, String> modelHashes = sd.weightsSha256();
            for (int i : b.write()) {
                GenerationInfo info = GenerationInfo.of(request, r, i, modelName, modelHashes, used, null);
                byte[] png = PngText.encode(r.images().get(i), info);
                out.write(b.paths().get(i), s -> s.write(png));
                rendered.add(1);
            }
            double seconds = (System.nanoTime() - t0) / 1e9;
            LOG.info(String.format(Locale.ROOT, "generate: batch %d: %d image(s) of \"%s\" (seed %d, %d steps) in "
                            + "%.1f s, %.2f images/s; wrote %d", b.id(), b.images(), b.prompt(), b.seed(), b.steps(),
                    seconds, b.images() / seconds, b.write().size()));
            return o.put("status", "done").put("seconds", seconds).toString();
        }, e -> {
            failed.add(b.write().size());
            LOG.warn("generate: batch {} (\"{}\", seed {}) failed", b.id(), b.prompt(), b.seed(), e);
            return o.put("status", "failed").put("reason", "rendering failed: " + e)
                    .put("seconds", (System.nanoTime() - t0) / 1e9).toString();
        });
    }
}
