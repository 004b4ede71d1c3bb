package org.sdti.jobs.latents;

import java.util.Iterator;
import org.apache.spark.api.java.function.MapPartitionsFunction;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;
import org.apache.spark.util.LongAccumulator;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.sdti.dataprep.RgbImage;
import org.sdti.jobs.runtime.HadoopConf;
import org.sdti.jobs.runtime.Isolation;
import org.sdti.jobs.runtime.ModelCache;
import org.sdti.jobs.runtime.ModelRef;
import org.sdti.jobs.runtime.Schemas;
import org.sdti.model.models.Vae;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Executor side of {@code latents}: example rows ({@link Schemas#EXAMPLES}) to outcomes ({@link #OUTCOME}), one
 * image per VAE call (a 512 px encoder pass already holds 128×512×512 activations). The VAE comes from this JVM's
 * {@link ModelCache}: loaded by the first example, shared by all. Rows are produced as they are consumed, so a
 * partition never holds more than one example's tensors.
 *
 * <p>Each example is a unit of its own ({@link Isolation}, named {@code CONCEPT/IMAGE_ID}): one that fails, also
 * with an Error, becomes a failure row naming its concept, so the driver fails that concept alone.
 */
final class LatentsTask implements MapPartitionsFunction<Row, Row> {
    private static final long serialVersionUID = 1L;
    private static final Logger LOG = LoggerFactory.getLogger(LatentsTask.class);

    static final StructType FAILURE = new StructType(new StructField[] {
        DataTypes.createStructField("concept", DataTypes.StringType, false),
        DataTypes.createStructField("reason", DataTypes.StringType, false),
    });

    /** Every output row is an example's latent row or its failure: exactly one of the two is set. */
    static final StructType OUTCOME = new StructType(new StructField[] {
        DataTypes.createStructField("latent", Schemas.LATENTS, true),
        DataTypes.createStructField("failure", FAILURE, true),
    });

    private final ModelRef model;
    private final String modelId;
    private final HadoopConf conf;
    private final LongAccumulator encoded;
    private final Isolation isolation;

    LatentsTask(ModelRef model, String modelId, HadoopConf conf, LongAccumulator encoded, Isolation isolation) {
        this.model = model;
        this.modelId = modelId;
        this.conf = conf;
        this.encoded = encoded;
        this.isolation = isolation;
    }

    /** The id of the VAE the rows are made with ({@link org.sdti.jobs.runtime.ModelIds}). */
    String modelId() {
        return modelId;
    }

    @Override
    public Iterator<Row> call(Iterator<Row> examples) {
        return new Iterator<>() {
            @Override
            public boolean hasNext() {
                return examples.hasNext();
            }

            @Override
            public Row next() {
                return outcome(examples.next());
            }
        };
    }

    private Row outcome(Row e) {
        String concept = e.getAs("concept");
        String id = e.getAs("image_id");
        return isolation.run(concept + "/" + id, () -> RowFactory.create(encode(e), null), t -> {
            LOG.warn("latents {}: encoding example {} failed", concept, id, t);
            return RowFactory.create(null, RowFactory.create(concept, "encoding example " + id + " failed: " + t));
        });
    }

    private Row encode(Row e) {
        Vae vae = ModelCache.vae(model, DataType.FLOAT, conf);
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
