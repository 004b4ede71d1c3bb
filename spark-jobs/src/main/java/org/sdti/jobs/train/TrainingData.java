package org.sdti.jobs.train;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.collect_list;
import static org.apache.spark.sql.functions.struct;

import java.io.IOException;
import java.io.Serializable;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.spark.api.java.JavaPairRDD;
import org.apache.spark.api.java.function.PairFunction;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.sdti.jobs.latents.LatentsJob;
import org.sdti.jobs.prepare.PrepareJob;
import org.sdti.jobs.runtime.Datasets;
import org.sdti.jobs.runtime.Isolation;
import org.sdti.jobs.runtime.JavaBytes;
import org.sdti.jobs.runtime.OutputLayout;
import org.sdti.jobs.runtime.Schemas;
import org.sdti.model.inversion.ConceptData;
import org.sdti.model.inversion.LatentExample;
import org.slf4j.LoggerFactory;
import scala.Tuple2;

/**
 * The committed examples, latents (of one VAE) and prompts of some concepts, as one {@link ConceptData} per concept,
 * built on the executors: Spark SQL joins each example with its latent row and groups examples and prompts by
 * concept; one row per concept then becomes its data (Java-serialized bytes, see {@link JavaBytes}).
 *
 * <p>Examples are ordered as the single-machine trainer prepares them (source file name, then the original before
 * its mirror), since the sampler draws examples by position. Each example trains on its caption when prepare made a
 * caption prompt for its picture, otherwise on the concept's templates (in file order).
 *
 * <p>Building a concept's data is a unit of its own ({@link Isolation}, named {@code data CONCEPT}): one that throws,
 * also an Error, is {@link Built#failure} for that concept alone, which the driver reports failed.
 */
final class TrainingData {
    private TrainingData() {}

    /** A concept's data as its executor built it, or why it could not: exactly one of the two is set. */
    record Built(ConceptData data, String failure) implements Serializable {}

    /** Each concept's {@link Built} as Java-serialized bytes, keyed by concept. */
    static JavaPairRDD<String, byte[]> read(SparkSession spark, OutputLayout layout, Collection<String> concepts,
            String vaeId, double scalingFactor, Isolation isolation) throws IOException {
        Dataset<Row> examples = Datasets.committed(spark, layout, PrepareJob.STAGE, OutputLayout.EXAMPLES,
                Schemas.EXAMPLES, concepts).select("concept", "image_id", "source", "variant", "content_hash");
        Dataset<Row> latents = Datasets.committed(spark, layout, LatentsJob.STAGE, OutputLayout.LATENTS,
                Schemas.LATENTS, concepts).filter(col("model_id").equalTo(vaeId))
                .select("concept", "image_id", "shape", "mean", "std");
        Dataset<Row> prompts = Datasets.committed(spark, layout, PrepareJob.STAGE, OutputLayout.PROMPTS,
                Schemas.PROMPTS, concepts);
        Dataset<Row> byConcept = examples.join(latents, scala.jdk.javaapi.CollectionConverters.asScala(
                        List.of("concept", "image_id")).toSeq(), "inner")
                .groupBy("concept")
                .agg(collect_list(struct("source", "variant", "content_hash", "shape", "mean", "std")).as("examples"))
                .join(prompts.groupBy("concept").agg(collect_list(struct("prompt_index", "kind", "content_hash",
                        "ids")).as("prompts")), "concept");
        return byConcept.javaRDD().mapToPair(new Build(scalingFactor, isolation));
    }

    /** One concept's grouped row to its data, isolated. */
    private static final class Build implements PairFunction<Row, String, byte[]> {
        private static final long serialVersionUID = 1L;
        private final double scalingFactor;
        private final Isolation isolation;

        Build(double scalingFactor, Isolation isolation) {
            this.scalingFactor = scalingFactor;
            this.isolation = isolation;
        }

        @Override
        public Tuple2<String, byte[]> call(Row r) {
            String concept = r.getString(r.fieldIndex("concept"));
            // serialized within the unit too: the bytes of a large concept are as likely to run out of memory
            byte[] built = isolation.run("data " + concept, () -> JavaBytes.of(new Built(conceptData(concept,
                    r.getList(r.fieldIndex("examples")), r.getList(r.fieldIndex("prompts")), scalingFactor), null)),
                    t -> {
                        LoggerFactory.getLogger(TrainingData.class).warn("train {}: its data failed", concept, t);
                        return JavaBytes.of(new Built(null, "reading its training data failed: " + t));
                    });
            return new Tuple2<>(concept, built);
        }
    }

    static ConceptData conceptData(String concept, List<Row> examples, List<Row> prompts, double scalingFactor) {
        List<Row> templateRows = new ArrayList<>();
        Map<String, List<int[]>> captions = new HashMap<>();
        for (Row p : prompts) {
            int[] ids = ints(p.getList(3));
            if ("caption".equals(p.getString(1))) {
                captions.put(p.getString(2), List.of(ids));
            } else {
                templateRows.add(p);
            }
        }
        templateRows.sort(Comparator.comparingInt(p -> p.getInt(0)));
        List<int[]> templates = templateRows.stream().map(p -> ints(p.getList(3))).toList();
        List<Row> sorted = new ArrayList<>(examples);
        sorted.sort(Comparator.comparing((Row e) -> e.getString(0)).thenComparing(e -> variantOrder(e.getString(1))));
        List<LatentExample> out = new ArrayList<>(sorted.size());
        int[] shape = null;
        for (Row e : sorted) {
            int[] s = ints(e.getList(3));
            if (shape == null) {
                shape = s;
            } else if (!java.util.Arrays.equals(shape, s)) {
                throw new IllegalArgumentException("concept '" + concept + "': latents of different shapes "
                        + java.util.Arrays.toString(shape) + " and " + java.util.Arrays.toString(s));
            }
            List<int[]> own = captions.getOrDefault(e.getString(2), templates);
            if (own.isEmpty()) {
                throw new IllegalArgumentException("concept '" + concept + "': no prompt for " + e.getString(0));
            }
            out.add(new LatentExample(floats(e.getList(4)), floats(e.getList(5)), own));
        }
        if (shape == null) {
            throw new IllegalArgumentException("concept '" + concept + "' has no example with a latent row");
        }
        return new ConceptData(concept, shape[0], shape[1], shape[2], scalingFactor, out);
    }

    private static int variantOrder(String variant) {
        return "original".equals(variant) ? 0 : 1;
    }

    private static int[] ints(List<Integer> l) {
        int[] a = new int[l.size()];
        for (int i = 0; i < a.length; i++) {
            a[i] = l.get(i);
        }
        return a;
    }

    private static float[] floats(List<Float> l) {
        float[] a = new float[l.size()];
        for (int i = 0; i < a.length; i++) {
            a[i] = l.get(i);
        }
        return a;
    }
}
