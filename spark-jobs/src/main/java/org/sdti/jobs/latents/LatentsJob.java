package org.sdti.jobs.latents;

import static org.apache.spark.sql.functions.col;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.Path;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Encoders;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SaveMode;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.storage.StorageLevel;
import org.apache.spark.util.LongAccumulator;
import org.sdti.jobs.config.ConceptSpec;
import org.sdti.jobs.config.JobConfig;
import org.sdti.jobs.prepare.Preflight;
import org.sdti.jobs.prepare.PrepareJob;
import org.sdti.jobs.runtime.Commits;
import org.sdti.jobs.runtime.Datasets;
import org.sdti.jobs.runtime.HadoopConf;
import org.sdti.jobs.runtime.Isolation;
import org.sdti.jobs.runtime.ModelIds;
import org.sdti.jobs.runtime.ModelRef;
import org.sdti.jobs.runtime.OutputLayout;
import org.sdti.jobs.runtime.Schemas;
import org.sdti.jobs.runtime.StageReport.ConceptResult;
import org.sdti.jobs.runtime.StageReport.Status;
import org.sdti.jobs.runtime.StageReport;
import org.sdti.model.BadInputException;
import org.sdti.model.io.ModelSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Driver side of {@code latents}: for every prepared concept, finds the examples that have no latent row for this
 * VAE yet (same content hash and variant), encodes only those on the executors ({@link LatentsTask}), and commits
 * each changed concept's rows (new ones, plus the old ones whose example still exists) with a marker that names
 * the examples it covers. A concept whose examples and VAE are unchanged since its marker is not read at all. A
 * concept with an example that failed to encode (also with an Error: {@link LatentsTask}) is reported failed, its
 * committed data left as it was, and the others are committed.
 */
public final class LatentsJob {
    public static final String STAGE = "latents";
    static final List<String> DATASETS = List.of(OutputLayout.LATENTS);
    /** What makes a latent row the same example's: with the VAE's id, what makes it reusable. */
    private static final List<String> KEY = List.of("concept", "content_hash", "variant");
    private static final scala.collection.immutable.Seq<String> KEY_SEQ =
            scala.jdk.javaapi.CollectionConverters.asScala(KEY).toSeq();

    private static final Logger LOG = LoggerFactory.getLogger(LatentsJob.class);
    private static final ObjectMapper JSON = new ObjectMapper();

    private LatentsJob() {}

    /** What the driver knows of a concept before encoding. */
    private record Plan(ConceptSpec concept, String examplesFingerprint, long examples, JsonNode marker) {}

    /**
     * Fails (bad input, exit 2) when no concept of the job has prepared examples, naming the stage to run first, as
     * train does; the command line checks this before running the stage. (A concept that alone is not prepared is
     * reported failed by {@link #run}, and the others encoded.)
     */
    public static void requireInputs(JobConfig job, Configuration conf) throws IOException {
        job.requireConcepts(STAGE);
        OutputLayout layout = OutputLayout.open(job.output(), conf);
        Commits prepared = new Commits(layout, PrepareJob.STAGE);
        for (ConceptSpec c : job.concepts()) {
            if (prepared.read(c.name()).isPresent()) {
                return;
            }
        }
        throw new BadInputException("nothing to encode: no concept of the job has prepared examples in "
                + layout.root() + "; run `sdti " + PrepareJob.STAGE + " --config JOB` first");
    }

    public static StageReport run(JobConfig job, SparkSession spark) throws IOException {
        return run(job, spark, Isolation.NONE);
    }

    /** {@link #run} with each example's encoding isolated by {@code isolation} (tests inject faults there). */
    static StageReport run(JobConfig job, SparkSession spark, Isolation isolation) throws IOException {
        Instant started = Instant.now();
        job.requireConcepts(STAGE);
        HadoopConf hadoop = HadoopConf.of(spark.sparkContext().hadoopConfiguration(), job.hadoop());
        ModelSource model = Preflight.model(job, hadoop.get());
        String vaeId = ModelIds.of(model, ModelSource.VAE);
        OutputLayout layout = OutputLayout.open(job.output(), hadoop.get());
        Commits prepared = new Commits(layout, PrepareJob.STAGE);
        Commits commits = new Commits(layout, STAGE);
        layout.removeStaleStaging(STAGE);
        LongAccumulator encoded = spark.sparkContext().longAccumulator("sdti.latents.encoded");
        LongAccumulator skipped = spark.sparkContext().longAccumulator("sdti.latents.skipped");

        Map<String, ConceptResult> results = new LinkedHashMap<>();
        List<Plan> todo = new ArrayList<>();
        for (ConceptSpec c : job.concepts()) {
            JsonNode prep = prepared.read(c.name()).orElse(null);
            if (prep == null) {
                commits.invalidate(c.name(), DATASETS);
                results.put(c.name(), failed(c, "not prepared: prepare has not committed it (see "
                        + layout.report(PrepareJob.STAGE) + ")"));
                continue;
            }
            String examplesFp = prep.path("fingerprint").asText();
            long examples = prep.path("examples").asLong();
            JsonNode marker = commits.read(c.name()).orElse(null);
            if (marker != null && examplesFp.equals(marker.path("examples_fingerprint").asText())
                    && contains(marker.path("complete_for"), vaeId)) {
                LOG.info("latents {}: up to date ({} examples, {})", c.name(), examples, vaeId);
                skipped.add(examples);
                results.put(c.name(), new ConceptResult(c.name(), c.token(), Status.DONE, "up-to-date", null,
                        counts(examples, 0, examples), List.of()));
                continue;
            }
            todo.add(new Plan(c, examplesFp, examples, marker));
            results.put(c.name(), null);
        }
        if (!todo.isEmpty()) {
            encode(spark, new LatentsTask(ModelRef.of(model), vaeId, hadoop, encoded, isolation), layout, commits,
                    todo, skipped, results);
        }
        StageReport report = new StageReport(STAGE, layout.root().toString(), model.location(), started);
        job.concepts().forEach(c -> report.add(results.get(c.name())));
        report.counter("latents_encoded", encoded.value()).counter("latents_skipped", skipped.value())
                .finish(Instant.now());
        report.write(layout);
        return report;
    }

    private static void encode(SparkSession spark, LatentsTask task, OutputLayout layout, Commits commits,
                               List<Plan> todo, LongAccumulator skipped, Map<String, ConceptResult> results)
            throws IOException {
        String vaeId = task.modelId();
        List<String> examplePaths = new ArrayList<>();
        List<String> latentPaths = new ArrayList<>();
        for (Plan p : todo) {
            examplePaths.add(layout.partition(OutputLayout.EXAMPLES, p.concept().name()).toString());
            if (p.marker() != null) {
                latentPaths.add(layout.partition(OutputLayout.LATENTS, p.concept().name()).toString());
            }
        }
        Dataset<Row> examples = Datasets.read(spark, layout, OutputLayout.EXAMPLES, Schemas.EXAMPLES, examplePaths);
        Dataset<Row> existing = Datasets.read(spark, layout, OutputLayout.LATENTS, Schemas.LATENTS, latentPaths);
        // examples without a row of this VAE; and rows of any VAE whose example still exists (rows of pictures no
        // longer in the concept are dropped)
        Dataset<Row> missing = examples.join(existing.filter(col("model_id").equalTo(vaeId)).select(columns(KEY)),
                KEY_SEQ, "left_anti");
        Dataset<Row> kept = existing.join(examples.select(columns(KEY)), KEY_SEQ, "left_semi");

        spark.sparkContext().setJobDescription("sdti latents: planning " + todo.size() + " concept(s)");
        Map<String, Long> toEncode = countByConcept(missing);
        // no committed rows yet: nothing can be stale, and two Spark jobs are saved
        Map<String, Long> existingRows = latentPaths.isEmpty() ? Map.of() : countByConcept(existing);
        Map<String, Long> keptRows = latentPaths.isEmpty() ? Map.of() : countByConcept(kept);

        Set<String> changed = new LinkedHashSet<>();
        long total = 0;
        for (Plan p : todo) {
            String n = p.concept().name();
            long enc = toEncode.getOrDefault(n, 0L);
            long stale = existingRows.getOrDefault(n, 0L) - keptRows.getOrDefault(n, 0L);
            if (enc > 0 || stale > 0) {
                changed.add(n);
                total += enc;
            }
        }
        Path staging = layout.staging(STAGE, OutputLayout.newRunId());
        Dataset<Row> outcomes = null;
        try {
            Map<String, String> failures = Map.of();
            if (!changed.isEmpty()) {
                int parts = (int) Math.max(1, Math.min(total, spark.sparkContext().defaultParallelism()));
                spark.sparkContext().setJobDescription("sdti latents: encoding " + total + " example(s) of "
                        + changed.size() + " concept(s)");
                // kept for the write after the failures are read: encoding twice would cost more than the cache
                outcomes = missing.filter(col("concept").isin(changed.toArray())).repartition(parts)
                        .mapPartitions(task, Encoders.row(LatentsTask.OUTCOME))
                        .persist(StorageLevel.MEMORY_AND_DISK());
                failures = failures(outcomes);
                changed.removeAll(failures.keySet());
            }
            if (!changed.isEmpty()) {
                // a failed concept's rows are not written: its committed data stays as it was
                Column inChanged = col("concept").isin(changed.toArray());
                outcomes.filter(col("latent").isNotNull()).select("latent.*").filter(inChanged)
                        .unionByName(kept.filter(inChanged).select(columns(List.of(Schemas.LATENTS.fieldNames()))))
                        .write().mode(SaveMode.ErrorIfExists).partitionBy("concept")
                        .parquet(new Path(staging, OutputLayout.LATENTS).toString());
            }
            for (Plan p : todo) {
                String n = p.concept().name();
                if (failures.containsKey(n)) {
                    LOG.warn("latents {}: failed: {}", n, failures.get(n));
                    results.put(n, failed(p.concept(), failures.get(n)));
                    continue;
                }
                long enc = toEncode.getOrDefault(n, 0L);
                ObjectNode marker = marker(p, vaeId, enc);
                if (changed.contains(n)) {
                    commits.replace(n, staging, DATASETS, p.examplesFingerprint(), marker);
                } else {
                    // same pictures (e.g. renamed files): the rows are right, only the marker is new
                    commits.mark(n, p.examplesFingerprint(), marker);
                }
                skipped.add(p.examples() - enc);
                LOG.info("latents {}: {} encoded, {} reused ({})", n, enc, p.examples() - enc, vaeId);
                results.put(n, new ConceptResult(n, p.concept().token(), Status.DONE, enc > 0 ? "encoded" : "reused",
                        null, counts(p.examples(), enc, p.examples() - enc), List.of()));
            }
        } finally {
            if (outcomes != null) {
                outcomes.unpersist();
            }
            layout.fileSystem().delete(staging, true);
            spark.sparkContext().setJobDescription(null);
        }
    }

    /** Each failed concept's first failure (by image id), from the outcomes' failure rows. */
    private static Map<String, String> failures(Dataset<Row> outcomes) {
        Map<String, String> m = new java.util.TreeMap<>();
        for (Row r : outcomes.filter(col("failure").isNotNull()).select("failure.*").collectAsList()) {
            m.merge(r.getString(0), r.getString(1), (a, b) -> a.compareTo(b) <= 0 ? a : b);
        }
        return m;
    }

    private static Column[] columns(List<String> names) {
        return names.stream().map(org.apache.spark.sql.functions::col).toArray(Column[]::new);
    }

    private static Map<String, Long> countByConcept(Dataset<Row> rows) {
        Map<String, Long> m = new LinkedHashMap<>();
        for (Row r : rows.groupBy("concept").count().collectAsList()) {
            m.put(r.getString(0), r.getLong(1));
        }
        return m;
    }

    /** The marker: which examples (prepare's fingerprint) and for which VAEs every example has a row. */
    private static ObjectNode marker(Plan p, String vaeId, long encoded) {
        ObjectNode m = JSON.createObjectNode();
        m.put("token", p.concept().token());
        m.put("examples_fingerprint", p.examplesFingerprint());
        Set<String> complete = new LinkedHashSet<>();
        JsonNode old = p.marker();
        if (old != null && p.examplesFingerprint().equals(old.path("examples_fingerprint").asText())) {
            old.path("complete_for").forEach(n -> complete.add(n.asText()));
        }
        complete.add(vaeId);
        complete.forEach(m.putArray("complete_for")::add);
        m.put("examples", p.examples());
        m.put("encoded", encoded);
        return m;
    }

    private static boolean contains(JsonNode array, String value) {
        for (JsonNode n : array) {
            if (value.equals(n.asText())) {
                return true;
            }
        }
        return false;
    }

    private static Map<String, Long> counts(long examples, long encoded, long reused) {
        Map<String, Long> m = new LinkedHashMap<>();
        m.put("examples", examples);
        m.put("encoded", encoded);
        m.put("reused", reused);
        return m;
    }

    private static ConceptResult failed(ConceptSpec c, String reason) {
        return new ConceptResult(c.name(), c.token(), Status.FAILED, "-", reason, counts(0, 0, 0), List.of());
    }
}
