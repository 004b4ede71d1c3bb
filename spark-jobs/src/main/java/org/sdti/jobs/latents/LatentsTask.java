package org.sdti.jobs.latents;

import java.util.Iterator;
import org.apache.spark.api.java.function.MapPartitionsFunction;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.util.LongAccumulator;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.sdti.dataprep.RgbImage;
import org.sdti.jobs.runtime.HadoopConf;
import org.sdti.jobs.runtime.ModelCache;
import org.sdti.jobs.runtime.ModelRef;
import org.sdti.model.models.Vae;

/**
 * Executor side of {@code latents}: example rows ({@link org.sdti.jobs.runtime.Schemas#EXAMPLES}) to latent rows
 * ({@link org.sdti.jobs.runtime.Schemas#LATENTS}), one image per VAE call (a 512 px encoder pass already holds
 * 128×512×512 activations). The VAE comes from this JVM's {@link ModelCache}: loaded by the first task, shared by
 * all. Rows are produced as they are consumed, so a partition never holds more than one example's tensors.
 */
final class LatentsTask implements MapPartitionsFunction<Row, Row> {
    private static final long serialVersionUID = 1L;

    private final ModelRef model;
    private final String modelId;
    private final HadoopConf conf;
    private final LongAccumulator encoded;

    LatentsTask(ModelRef model, String modelId, HadoopConf conf, LongAccumulator encoded) {
        this.model = model;
        this.modelId = modelId;
        this.conf = conf;
        this.encoded = encoded;
    }

    @Override
    public Iterator<Row> call(Iterator<Row> examples) {
        if (!examples.hasNext()) {
            return java.util.Collections.emptyIterator();
        }
        Vae vae = ModelCache.vae(model, DataType.FLOAT, conf);
        return new Iterator<>() {
            @Override
            public boolean hasNext() {
                return examples.hasNext();
            }

            @Override
            public Row next() {
                return encode(vae, examples.next());
            }
        };
    }

    private Row encode(Vae vae, Row e) {
        int w = e.<Integer>getAs("width");
        int h = e.<Integer>getAs("height");
        float[] chw = RgbImage.of(w, h, e.<byte[]>getAs("pixels")).toChwFloats();
        Vae.LatentDist d = vae.encode(Nd4j.create(chw, new long[] {1, 3, h, w}, 'c'));
        long[] s = d.mean().shape();
        encoded.add(1);
        return RowFactory.create(e.<String>getAs("concept"), e.<String>getAs("image_id"),
                e.<String>getAs("content_hash"), e.<String>getAs("variant"), modelId,
                new int[] {(int) s[1], (int) s[2], (int) s[3]}, flat(d.mean()), flat(d.std()));
    }

    private static float[] flat(INDArray a) {
        return a.reshape(a.length()).toFloatVector();
    }
}
