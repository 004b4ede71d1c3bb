package org.sdti.jobs.prepare;

import static org.apache.spark.sql.functions.col;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.hadoop.fs.Path;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Encoders;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SaveMode;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.storage.StorageLevel;
import org.sdti.jobs.config.ConceptSpec;
import org.sdti.jobs.config.JobConfig;
import org.sdti.jobs.runtime.Commits;
import org.sdti.jobs.runtime.Fingerprint;
import org.sdti.jobs.runtime.HadoopConf;
import org.sdti.jobs.runtime.Isolation;
import org.sdti.jobs.runtime.ModelIds;
import org.sdti.jobs.runtime.ModelRef;
import org.sdti.jobs.runtime.OutputLayout;
import org.sdti.jobs.runtime.StageReport.ConceptResult;
import org.sdti.jobs.runtime.StageReport.Rejected;
import org.sdti.jobs.runtime.StageReport.Status;
import org.sdti.jobs.runtime.StageReport;
import org.sdti.model.io.ModelSource;
import org.sdti.model.text.ClipTokenizer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Driver side of {@code prepare}: checks the job against the model, lists every concept's images, skips the
 * concepts whose inputs are unchanged since their last commit, runs {@link PrepareTask} with one task per
 * remaining concept, writes their examples and prompts to a staging folder and commits each concept that
 * succeeded ({@link Commits}). A concept without a usable image is reported as failed; the others go on.
 */
public final class PrepareJob {
    public static final String STAGE = "prepare";
    static final List<String> DATASETS = List.of(OutputLayout.EXAMPLES, OutputLayout.PROMPTS);

    private static final Logger LOG = LoggerFactory.getLogger(PrepareJob.class);
    private static final ObjectMapper JSON = new ObjectMapper();

    private PrepareJob() {}

    public static StageReport run(JobConfig job, SparkSession spark) throws IOException {
        Instant started = Instant.now();
        job.requireConcepts(STAGE);
        HadoopConf hadoop = HadoopConf.of(spark.sparkContext().hadoopConfiguration(), job.hadoop());
        ModelSource model = Preflight.model(job, hadoop.get());
        int resolution = Preflight.resolution(job, model);
        ClipTokenizer tokenizer = ClipTokenizer.load(model.tokenizerFiles());
        Map<String, List<String>> templates = new LinkedHashMap<>();
        for (ConceptSpec c : job.concepts()) {
            c.addTokenTo(tokenizer); // the trainer's rule, before any work rather than at train
            templates.put(c.name(), Preflight.templates(c, hadoop.get()));
        }
        OutputLayout layout = OutputLayout.open(job.output(), hadoop.get());
        Commits commits = new Commits(layout, STAGE);
        layout.removeStaleStaging(STAGE);
        String tokenizerId = ModelIds.tokenizer(model);

        Map<String, ConceptResult> results = new LinkedHashMap<>();
        Map<String, String> fingerprints = new LinkedHashMap<>();
        List<Row> work = new ArrayList<>();
        for (ConceptSpec c : job.concepts()) {
            ImageListing.Listing listing = ImageListing.list(c.images(), hadoop.get());
            if (listing.error() != null) {
                LOG.warn("prepare {}: failed: {}", c.name(), listing.error());
                commits.invalidate(c.name(), DATASETS);
                results.put(c.name(), failed(c, listing.error(), 0, List.of()));
                continue;
            }
            String fp = fingerprint(c, job, resolution, tokenizerId, templates.get(c.name()), listing);
            JsonNode marker = commits.read(c.name()).orElse(null);
            if (marker != null && fp.equals(marker.path("fingerprint").asText())) {
                LOG.info("prepare {}: up to date (inputs unchanged since {})", c.name(),
                        marker.path("committed_at").asText());
                results.put(c.name(), fromMarker(c, marker));
                continue;
            }
            fingerprints.put(c.name(), fp);
            work.add(workRow(c, templates.get(c.name()), listing));
            results.put(c.name(), null);
        }

        PrepareTask.Counters counters = new PrepareTask.Counters(
                spark.sparkContext().longAccumulator("sdti.prepare.images_read"),
                spark.sparkContext().longAccumulator("sdti.prepare.rejected"),
                spark.sparkContext().longAccumulator("sdti.prepare.examples_written"));
        if (!work.isEmpty()) {
            Path staging = layout.staging(STAGE, OutputLayout.newRunId());
            try {
                for (Row r : prepare(spark, work, new PrepareTask(ModelRef.of(model), hadoop, job.prepare(),
                        resolution, counters, Isolation.NONE), staging)) {
                    ConceptSpec c = job.concept(r.getString(0)).orElseThrow();
                    ConceptResult result = result(c, r);
                    if (result.status() == Status.DONE) {
                        commits.replace(c.name(), staging, DATASETS, fingerprints.get(c.name()),
                                marker(result, resolution));
                        LOG.info("prepare {}: committed {}", c.name(), result.counts());
                    } else {
                        commits.invalidate(c.name(), DATASETS);
                        LOG.warn("prepare {}: failed: {}", c.name(), result.reason());
                    }
                    results.put(c.name(), result);
                }
            } finally {
                layout.fileSystem().delete(staging, true);
            }
        }
        StageReport report = new StageReport(STAGE, layout.root().toString(), model.location(), started);
        for (ConceptSpec c : job.concepts()) {
            ConceptResult r = results.get(c.name());
            report.add(r != null ? r : failed(c, "its task returned no report", 0, List.of()));
        }
        report.counter("images_read", counters.imagesRead().value())
                .counter("rejected", counters.rejected().value())
                .counter("examples_written", counters.examples().value())
                .finish(Instant.now());
        report.write(layout);
        return report;
    }

    /** Runs the tasks, writes examples and prompts of the concepts that succeeded to {@code staging}, and
     * returns every concept's report row. */
    private static List<Row> prepare(SparkSession spark, List<Row> work, PrepareTask task, Path staging) {
        JavaSparkContext jsc = JavaSparkContext.fromSparkContext(spark.sparkContext());
        spark.sparkContext().setJobDescription("sdti prepare: " + work.size() + " concept(s)");
        // one partition per concept: each concept is one task, and a slow concept delays no other
        Dataset<Row> input = spark.createDataFrame(jsc.parallelize(work, work.size()), PrepareTask.WORK);
        Dataset<Row> out = input.mapPartitions(task, Encoders.row(PrepareTask.OUTCOME))
                .persist(StorageLevel.MEMORY_AND_DISK());
        try {
            List<Row> reports = out.filter(col("kind").equalTo(PrepareTask.REPORT_KIND)).select("report.*")
                    .collectAsList();
            write(out, PrepareTask.EXAMPLE, new Path(staging, OutputLayout.EXAMPLES));
            write(out, PrepareTask.PROMPT, new Path(staging, OutputLayout.PROMPTS));
            return reports;
        } finally {
            out.unpersist();
            spark.sparkContext().setJobDescription(null);
        }
    }

    private static void write(Dataset<Row> out, String kind, Path to) {
        out.filter(col("kind").equalTo(kind)).select(kind + ".*")
                .write().mode(SaveMode.ErrorIfExists).partitionBy("concept").parquet(to.toString());
    }

    private static Row workRow(ConceptSpec c, List<String> templates, ImageListing.Listing listing) {
        List<Row> files = new ArrayList<>();
        for (ImageListing.Entry e : listing.entries()) {
            files.add(RowFactory.create(e.path(), e.dir()));
        }
        // Java arrays: Spark's Row encoder takes arrays and Scala Seqs, not java.util.List
        return RowFactory.create(c.name(), c.token(), c.vectors(), templates.toArray(String[]::new), c.captions(),
                c.images(), files.toArray(Row[]::new));
    }

    /** What the concept's examples and prompts are made of: a change to any of it redoes the concept. */
    static String fingerprint(ConceptSpec c, JobConfig job, int resolution, String tokenizerId,
                              List<String> templates, ImageListing.Listing listing) {
        Fingerprint f = new Fingerprint("sdti-prepare-v1")
                .add(c.name()).add(c.token()).add(c.vectors()).add(c.captions()).add(c.images())
                .add(job.prepare().options(resolution)).add(tokenizerId).add(String.join("\n", templates));
        for (ImageListing.Entry e : listing.entries()) {
            f.add(e.path()).add(e.dir()).add(e.length()).add(e.modified());
        }
        return f.hex(32);
    }

    private static ConceptResult result(ConceptSpec c, Row r) {
        List<Rejected> rejected = new ArrayList<>();
        for (Row x : r.<Row>getList(7)) {
            rejected.add(new Rejected(x.getString(0), x.getString(1), x.getString(2)));
        }
        if (PrepareTask.FAILED.equals(r.getString(1))) {
            return failed(c, r.getString(2), r.getLong(3), rejected);
        }
        return new ConceptResult(c.name(), c.token(), Status.DONE, "prepared", null,
                counts(r.getLong(3), r.getLong(4), rejected.size(), r.getLong(5), r.getLong(6)), rejected);
    }

    private static ConceptResult failed(ConceptSpec c, String reason, long files, List<Rejected> rejected) {
        return new ConceptResult(c.name(), c.token(), Status.FAILED, "-", reason,
                counts(files, 0, rejected.size(), 0, 0), rejected);
    }

    private static Map<String, Long> counts(long files, long accepted, long rejected, long examples, long prompts) {
        Map<String, Long> m = new LinkedHashMap<>();
        m.put("files", files);
        m.put("accepted", accepted);
        m.put("rejected", rejected);
        m.put("examples", examples);
        m.put("prompts", prompts);
        return m;
    }

    private static ObjectNode marker(ConceptResult r, int resolution) {
        ObjectNode m = JSON.createObjectNode();
        m.put("token", r.token());
        m.put("resolution", resolution);
        r.counts().forEach(m::put);
        ArrayNode rej = m.putArray("rejected_files");
        for (Rejected x : r.rejected()) {
            rej.addObject().put("file", x.file()).put("reason", x.reason()).put("detail", x.detail());
        }
        return m;
    }

    private static ConceptResult fromMarker(ConceptSpec c, JsonNode m) {
        List<Rejected> rejected = new ArrayList<>();
        for (JsonNode x : m.path("rejected_files")) {
            rejected.add(new Rejected(x.path("file").asText(), x.path("reason").asText(), x.path("detail").asText()));
        }
        return new ConceptResult(c.name(), c.token(), Status.DONE, "up-to-date", null,
                counts(m.path("files").asLong(), m.path("accepted").asLong(), rejected.size(),
                        m.path("examples").asLong(), m.path("prompts").asLong()), rejected);
    }
}
