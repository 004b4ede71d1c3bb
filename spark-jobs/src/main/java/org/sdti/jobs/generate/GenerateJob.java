package org.sdti.jobs.generate;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import javax.imageio.ImageIO;
import org.apache.hadoop.conf.Configuration;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.util.LongAccumulator;
import org.sdti.jobs.config.ConceptSpec;
import org.sdti.jobs.config.JobConfig;
import org.sdti.jobs.prepare.Preflight;
import org.sdti.jobs.runtime.Fingerprint;
import org.sdti.jobs.runtime.HadoopConf;
import org.sdti.jobs.runtime.Isolation;
import org.sdti.jobs.runtime.ModelRef;
import org.sdti.jobs.runtime.OutputLayout;
import org.sdti.jobs.runtime.StageReport.ConceptResult;
import org.sdti.jobs.runtime.StageReport.Status;
import org.sdti.jobs.runtime.StageReport;
import org.sdti.model.io.ModelSource;
import org.sdti.model.io.OutputFolder;
import org.sdti.model.text.ClipTokenizer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Driver side of {@code generate}: renders the job's requests ({@code sdti.generate.prompts}) across the executors.
 *
 * <ol>
 *   <li>Before any work: the model folder, the listed embedding files (bad ones stop the job, naming the key), each
 *       used concept's learned embedding from train ({@link JobVocabulary}), sizes; then the plan
 *       ({@link ImagePlan}): every image with its deterministic name, those already on disk skipped.</li>
 *   <li>The remaining {@link Batch}es (one prompt at one seed: the same U-Net batch as {@code sdti generate}, so
 *       the same pixels) go one per Spark task; executors load the model once ({@link GenerateTask}) and write
 *       each PNG atomically with its metadata.</li>
 *   <li>Then the manifest ({@code _generate/manifest.jsonl}) and each folder's contact sheet, each rewritten only
 *       when its content changed (a sheet keeps a hash of what it shows), and the report: one row per concept plus
 *       {@code _generate}; a request whose concept has no learned embedding, or whose rendering failed, fails its
 *       row (exit 3), and a concept without its embedding fails its own; the rest is done.</li>
 * </ol>
 * Observability: accumulators {@code sdti.generate.rendered}, {@code .skipped}, {@code .failed} (live in the Spark
 * UI; the report's counters are counted from the outcomes, so retried tasks cannot inflate them), a log line per
 * batch (images/s on the executor) and one for the run.
 */
public final class GenerateJob {
    public static final String STAGE = "generate";
    static final String MANIFEST = OutputLayout.GENERATE + "/manifest.jsonl";
    static final String SHEET = "contact-sheet.png";
    /** PNG keyword of a contact sheet's content hash. */
    static final String SHEET_KEY = "sdti-sheet";

    private static final Logger LOG = LoggerFactory.getLogger(GenerateJob.class);
    private static final ObjectMapper JSON = new ObjectMapper();

    private GenerateJob() {}

    /**
     * What {@link #run} checks before any work (model, listed embedding files, learned tokens, sizes), failing with
     * the key to fix: for {@code pipeline}, which runs every stage's checks before its first stage starts. Concepts
     * not trained yet are no error here (their requests would fail at run time, if train did not make them).
     */
    public static void check(JobConfig job, Configuration conf) throws IOException {
        ModelSource model = Preflight.model(job, conf);
        ClipTokenizer tokenizer = ClipTokenizer.load(model.tokenizerFiles());
        OutputLayout layout = OutputLayout.open(job.output(), conf);
        ImagePlan.of(job, model, tokenizer, JobVocabulary.load(job, layout, model.textEncoderConfig().hiddenSize(),
                tokenizer, conf, Map.of()), layout);
    }

    public static StageReport run(JobConfig job, SparkSession spark) throws IOException {
        return run(job, Map.of(), spark);
    }

    /**
     * @param failedEarlier concepts that failed in an earlier pipeline stage, name to reason: their requests are
     *                      reported failed with it (not rendered) and their rows failed, action {@code skipped}
     */
    public static StageReport run(JobConfig job, Map<String, String> failedEarlier, SparkSession spark)
            throws IOException {
        Instant started = Instant.now();
        HadoopConf hadoop = HadoopConf.of(spark.sparkContext().hadoopConfiguration(), job.hadoop());
        ModelSource model = Preflight.model(job, hadoop.get());
        OutputLayout layout = OutputLayout.open(job.output(), hadoop.get());
        OutputFolder out = OutputFolder.open(layout.root().toString(), hadoop.get());
        ClipTokenizer tokenizer = ClipTokenizer.load(model.tokenizerFiles());
        JobVocabulary vocabulary = JobVocabulary.load(job, layout, model.textEncoderConfig().hiddenSize(), tokenizer,
                hadoop.get(), failedEarlier);
        ImagePlan plan = ImagePlan.of(job, model, tokenizer, vocabulary, layout);

        LongAccumulator rendered = spark.sparkContext().longAccumulator("sdti.generate.rendered");
        LongAccumulator skipped = spark.sparkContext().longAccumulator("sdti.generate.skipped");
        LongAccumulator failed = spark.sparkContext().longAccumulator("sdti.generate.failed");
        for (ImagePlan.Entry e : plan.entries()) {
            if (e.batch() < 0) {
                (e.row().done() ? skipped : failed).add(1);
            }
        }
        Map<Integer, JsonNode> outcomes = plan.batches().isEmpty() ? Map.of()
                : render(spark, model, layout, hadoop, plan, rendered, failed);

        List<ManifestRow> rows = new ArrayList<>();
        Map<String, Tally> tallies = new LinkedHashMap<>();
        for (ImagePlan.Entry e : plan.entries()) {
            ManifestRow row = e.row();
            JsonNode outcome = e.batch() < 0 ? null : outcomes.get(e.batch());
            if (outcome != null && !"done".equals(outcome.path("status").asText())) {
                row = row.withStatus(ManifestRow.FAILED, outcome.path("reason").asText());
            }
            tallies.computeIfAbsent(row.folder(), f -> new Tally()).add(row, outcome != null);
            rows.add(row);
        }

        writeManifest(out, rows);
        int thumbnail = job.generate().sheetThumbnail();
        if (thumbnail > 0) {
            for (String folder : tallies.keySet()) {
                writeSheet(out, folder, rows, thumbnail);
            }
        }

        StageReport report = new StageReport(STAGE, layout.root().toString(), model.location(), started);
        Tally total = new Tally();
        for (ConceptSpec c : job.concepts()) {
            Tally t = tallies.getOrDefault(c.name(), new Tally());
            // a concept whose missing embedding failed requests elsewhere (_generate) is failed too: it is the cause
            vocabulary.missing(c.name()).ifPresent(t::missing);
            if (failedEarlier.containsKey(c.name())) {
                t.failedEarlier(failedEarlier.get(c.name()));
            }
            report.add(t.result(c.name(), c.token()));
        }
        if (tallies.containsKey(OutputLayout.GENERATE)) {
            // not a concept: its own row, not counted in concepts_done/failed (a failure still exits 3)
            report.addOther(tallies.get(OutputLayout.GENERATE).result(OutputLayout.GENERATE, "-"));
        }
        tallies.values().forEach(total::addAll);
        report.counter("images_rendered", total.rendered).counter("images_skipped", total.skipped)
                .counter("images_failed", total.failed).counter("batches", plan.batches().size())
                .finish(Instant.now());
        report.write(layout);
        return report;
    }

    private static Map<Integer, JsonNode> render(SparkSession spark, ModelSource model, OutputLayout layout,
                                                 HadoopConf hadoop, ImagePlan plan, LongAccumulator rendered,
                                                 LongAccumulator failed) throws IOException {
        List<Batch> batches = plan.batches();
        long images = batches.stream().mapToLong(b -> b.write().size()).sum();
        GenerateTask task = new GenerateTask(ModelRef.of(model), GenerationInfo.modelName(model),
                layout.root().toString(), hadoop, rendered, failed, Isolation.NONE);
        JavaSparkContext jsc = JavaSparkContext.fromSparkContext(spark.sparkContext());
        // one batch per task: batches are seconds to minutes each, so balance matters more than task overhead
        List<byte[]> data = batches.stream().map(Batch::toBytes).toList();
        jsc.setJobDescription("sdti generate: " + images + " image(s) in " + batches.size() + " batch(es)");
        long t0 = System.nanoTime();
        List<String> results;
        try {
            results = jsc.parallelize(data, batches.size()).mapPartitions(task).collect();
        } finally {
            jsc.setJobDescription(null);
        }
        double seconds = (System.nanoTime() - t0) / 1e9;
        Map<Integer, JsonNode> outcomes = new HashMap<>();
        for (String r : results) {
            JsonNode o = JSON.readTree(r);
            outcomes.put(o.path("batch").asInt(), o);
        }
        long ok = batches.stream().filter(b -> "done".equals(outcomes.get(b.id()).path("status").asText()))
                .mapToLong(b -> b.write().size()).sum();
        LOG.info(String.format(Locale.ROOT, "generate: %d of %d image(s) written in %.1f s (%.2f images/s over %d "
                + "batch(es))", ok, images, seconds, ok / seconds, batches.size()));
        return outcomes;
    }

    /** Writes the manifest when its text changed. */
    private static void writeManifest(OutputFolder out, List<ManifestRow> rows) throws IOException {
        StringBuilder text = new StringBuilder();
        rows.forEach(r -> text.append(r.toJson()).append('\n'));
        if (!text.toString().equals(out.readText(MANIFEST).orElse(null))) {
            out.writeText(MANIFEST, text.toString());
        }
    }

    /**
     * The folder's contact sheet: one row per request, its images in manifest order ({@link ContactSheet}). The
     * sheet carries a hash of its manifest lines and thumbnail size in a text chunk and is redrawn only when that
     * differs (so also after a run killed between the manifest and the sheets). The lines are hashed with the
     * output folder's own URI left out: the same job into another folder draws a sheet of the same bytes.
     */
    private static void writeSheet(OutputFolder out, String folder, List<ManifestRow> rows, int thumbnail)
            throws IOException {
        String path = folder + "/" + SHEET;
        Fingerprint key = new Fingerprint("sdti-contact-sheet-v2").add(thumbnail);
        List<ManifestRow> mine = rows.stream().filter(r -> r.folder().equals(folder)).toList();
        mine.forEach(r -> key.add(r.toJson().replace(out.location(), "OUTPUT")));
        String hash = key.hex(32);
        if (out.exists(path)) {
            try (InputStream in = out.fileSystem().open(out.path(path))) {
                if (hash.equals(PngText.read(in.readAllBytes()).get(SHEET_KEY))) {
                    return;
                }
            }
        }
        Map<Integer, ContactSheet.Row> byRequest = new LinkedHashMap<>();
        for (ManifestRow r : mine) {
            BufferedImage image = null;
            if (r.done()) {
                try (InputStream in = out.fileSystem().open(out.path(r.image()))) {
                    image = ImageIO.read(new ByteArrayInputStream(in.readAllBytes()));
                }
            }
            String seed = "seed " + r.seed() + (r.done() ? "" : " - failed");
            byRequest.computeIfAbsent(r.request(), k -> new ContactSheet.Row(r.prompt(), new ArrayList<>())).cells()
                    .add(new ContactSheet.Cell(image, r.width(), r.height(), seed));
        }
        BufferedImage sheet = ContactSheet.draw(new ArrayList<>(byRequest.values()), thumbnail);
        Map<String, String> text = new LinkedHashMap<>();
        text.put("Description", "sdti generate contact sheet of " + folder + ": one row per request, images in "
                + "manifest order");
        text.put(SHEET_KEY, hash);
        byte[] png = PngText.encode(sheet, text);
        out.write(path, o -> o.write(png));
        LOG.info("generate: contact sheet {} ({}x{}, {} row(s))", out.uri(path), sheet.getWidth(), sheet.getHeight(),
                byRequest.size());
    }

    /** What happened to one folder's images (a concept's, or {@code _generate}), for its report row. */
    private static final class Tally {
        final Set<Integer> requests = new LinkedHashSet<>();
        final Set<String> reasons = new LinkedHashSet<>();
        long images;
        long rendered;
        long skipped;
        long failed;
        boolean conceptFailed;
        /** Why the concept was out of generate before it started (failed in an earlier pipeline stage), or null. */
        String earlier;

        void add(ManifestRow row, boolean renderedNow) {
            requests.add(row.request());
            images++;
            if (!row.done()) {
                failed++;
                reasons.add("prompts[" + row.request() + "]: " + row.reason());
            } else if (renderedNow) {
                rendered++;
            } else {
                skipped++;
            }
        }

        void missing(String reason) {
            conceptFailed = true;
            if (reasons.isEmpty()) {
                reasons.add(reason);
            }
        }

        void failedEarlier(String reason) {
            conceptFailed = true;
            earlier = reason;
        }

        void addAll(Tally t) {
            images += t.images;
            rendered += t.rendered;
            skipped += t.skipped;
            failed += t.failed;
        }

        ConceptResult result(String name, String token) {
            Map<String, Long> m = new LinkedHashMap<>();
            m.put("requests", (long) requests.size());
            m.put("images", images);
            m.put("rendered", rendered);
            m.put("skipped", skipped);
            m.put("failed", failed);
            String action = earlier != null ? "skipped" : rendered > 0 ? "rendered" : skipped > 0 ? "up-to-date"
                    : images == 0 && !conceptFailed ? "no-images" : "-";
            boolean ok = failed == 0 && !conceptFailed;
            return new ConceptResult(name, token, ok ? Status.DONE : Status.FAILED, action,
                    ok ? null : earlier != null ? earlier : String.join("; ", reasons), m, List.of());
        }
    }
}
