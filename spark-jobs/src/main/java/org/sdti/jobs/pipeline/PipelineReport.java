package org.sdti.jobs.pipeline;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.sdti.jobs.config.ConceptSpec;
import org.sdti.jobs.config.JobConfig;
import org.sdti.jobs.runtime.ExitCodes;
import org.sdti.jobs.runtime.OutputLayout;
import org.sdti.jobs.runtime.StageReport;
import org.sdti.jobs.runtime.StageReport.ConceptResult;
import org.sdti.jobs.runtime.StageReport.Status;
import org.sdti.model.io.AtomicFiles;

/**
 * What a {@code pipeline} run did: per concept, each stage's status, action and reason, and where its results are
 * (embedding, images), written to {@code OUTPUT/_reports/pipeline.json} and printed as a summary table. A concept
 * that failed in a stage appears in the later ones as failed with action {@code skipped}.
 */
public final class PipelineReport {
    private static final ObjectMapper JSON = new ObjectMapper();
    static final String SKIPPED = "skipped";

    private final JobConfig job;
    private final String output;
    /** The model's qualified URI, as in the stage reports. */
    private final String model;
    /** How init-model made the model's random weights ("preset tiny, seed 0"), or null for real weights. */
    private final String randomWeights;
    private final Instant started;
    private final Map<String, StageReport> stages = new LinkedHashMap<>();
    private final List<String> skippedStages = new ArrayList<>();
    private final Map<String, ConceptOutputs> outputs = new LinkedHashMap<>();
    private String crashedStage;
    private String crash;
    private int crashCode;
    private Instant finished;

    PipelineReport(JobConfig job, String output, String model, String randomWeights, Instant started) {
        this.job = job;
        this.output = output;
        this.model = model;
        this.randomWeights = randomWeights;
        this.started = started;
    }

    void add(StageReport r) {
        stages.put(r.stage(), r);
    }

    void skipped(String stage) {
        skippedStages.add(stage);
    }

    PipelineReport crashed(String stage, Throwable e) {
        crashedStage = stage;
        crash = e.toString();
        crashCode = ExitCodes.of(e);
        return this;
    }

    PipelineReport finish(Instant at) {
        finished = at;
        return this;
    }

    void collectOutputs(OutputLayout layout) throws IOException {
        for (ConceptSpec c : job.concepts()) {
            if (failedStage(c.name()) == null) {
                outputs.put(c.name(), ConceptOutputs.read(layout, c.name()));
            }
        }
    }

    /** The first stage in which the concept failed, or null. */
    public String failedStage(String concept) {
        for (StageReport r : stages.values()) {
            for (ConceptResult c : r.concepts()) {
                if (c.concept().equals(concept) && c.status() == Status.FAILED) {
                    return r.stage();
                }
            }
        }
        return null;
    }

    /** The concept's row of a stage: its own, or a skip when it had failed earlier (null if the stage never ran). */
    ConceptResult result(String stage, ConceptSpec c) {
        StageReport r = stages.get(stage);
        if (r != null) {
            for (ConceptResult x : r.concepts()) {
                if (x.concept().equals(c.name())) {
                    return x;
                }
            }
        }
        String failedAt = failedStage(c.name());
        if (failedAt != null && (r != null || skippedStages.contains(stage))) {
            return new ConceptResult(c.name(), c.token(), Status.FAILED, SKIPPED, "failed in " + failedAt,
                    Map.of(), List.of());
        }
        return null;
    }

    public long failed() {
        return job.concepts().stream().filter(c -> failedStage(c.name()) != null).count();
    }

    /** Rows of a stage's report that are not the job's concepts (generate's {@code _generate}: untied prompts). */
    List<ConceptResult> others(StageReport r) {
        return r.concepts().stream().filter(r::isOther).toList();
    }

    private boolean otherFailed() {
        return stages.values().stream().flatMap(r -> others(r).stream()).anyMatch(c -> c.status() == Status.FAILED);
    }

    /** 0 when everything is done, 3 when some concepts (or untied prompts) failed and the rest is done. */
    public int exitCode() {
        return failed() > 0 || otherFailed() ? ExitCodes.PARTIAL : ExitCodes.OK;
    }

    public Map<String, StageReport> stages() {
        return java.util.Collections.unmodifiableMap(stages);
    }

    /** The outputs of a concept that is done (null for a failed one). */
    public ConceptOutputs outputs(String concept) {
        return outputs.get(concept);
    }

    public ObjectNode toJson() {
        ObjectNode n = JSON.createObjectNode();
        n.put("stage", PipelineJob.STAGE);
        long failed = failed();
        long total = job.concepts().size();
        n.put("status", crash != null ? "crashed" : failed == total ? "failed" : exitCode() == 0 ? "done" : "partial");
        if (crash == null) {
            n.put("exit_code", exitCode());
        } else {
            n.put("exit_code", crashCode);
            n.put("crashed_in", crashedStage);
            n.put("error", crash);
        }
        StageReport.putRun(n, output, model, started, finished);
        n.put("random_weights", randomWeights);
        if (randomWeights != null) {
            n.put("warning", randomWeightsWarning());
        }
        n.put("concepts_done", total - failed);
        n.put("concepts_failed", failed);
        ArrayNode st = n.putArray("stages");
        for (StageReport r : stages.values()) {
            ObjectNode s = r.toJson();
            ObjectNode o = st.addObject();
            o.put("stage", r.stage());
            o.put("status", s.path("status").asText());
            o.set("seconds", s.path("seconds"));
            o.put("concepts_done", r.done());
            o.put("concepts_failed", r.failed());
            o.set("counters", s.path("counters"));
        }
        for (String skipped : skippedStages) {
            st.addObject().put("stage", skipped).put("status", SKIPPED);
        }
        if (crashedStage != null) {
            st.addObject().put("stage", crashedStage).put("status", "crashed");
        }
        ArrayNode list = n.putArray("concepts");
        for (ConceptSpec c : job.concepts()) {
            ObjectNode o = list.addObject();
            o.put("concept", c.name());
            o.put("token", c.token());
            String failedAt = failedStage(c.name());
            o.put("status", failedAt == null ? (crash == null ? "done" : "incomplete") : "failed");
            if (failedAt != null) {
                o.put("failed_in", failedAt);
                o.put("reason", result(failedAt, c).reason());
            }
            ObjectNode per = o.putObject("stages");
            for (String stage : stageOrder()) {
                ConceptResult r = result(stage, c);
                if (r == null) {
                    continue;
                }
                ObjectNode s = per.putObject(stage);
                s.put("status", r.status().name().toLowerCase(Locale.ROOT));
                s.put("action", r.action());
                if (r.reason() != null) {
                    s.put("reason", r.reason());
                }
                r.counts().forEach(s::put);
                r.metrics().forEach(s::put);
            }
            ConceptOutputs out = outputs.get(c.name());
            if (out != null) {
                o.set("outputs", out.toJson());
            }
        }
        ArrayNode others = n.putArray("other_results");
        for (StageReport r : stages.values()) {
            for (ConceptResult c : others(r)) {
                ObjectNode o = others.addObject().put("stage", r.stage()).put("name", c.concept())
                        .put("status", c.status().name().toLowerCase(Locale.ROOT)).put("action", c.action());
                if (c.reason() != null) {
                    o.put("reason", c.reason());
                }
                c.counts().forEach(o::put);
            }
        }
        return n;
    }

    private List<String> stageOrder() {
        List<String> order = new ArrayList<>(stages.keySet());
        order.addAll(skippedStages);
        return order;
    }

    /** {@code photo 81% (3%; 100%), composition 62% (0%; 88%)}: after (before; in words) from train's metrics, or "-". */
    static String hits(ConceptResult train) {
        if (train == null) {
            return "-";
        }
        // the photo probe first (the headline), then the others by name
        Map<String, String> parts = new java.util.TreeMap<>(Comparator.comparing((String p) -> !p.equals("photo"))
                .thenComparing(Comparator.naturalOrder()));
        train.metrics().forEach((k, v) -> {
            Double before = train.metrics().get(k + "_before");
            if (k.startsWith("hits_") && before != null) {
                Double words = train.metrics().get(k + "_words");
                parts.put(k.substring(5), String.format(Locale.ROOT, "%s %.0f%% (%.0f%%%s)", k.substring(5), 100 * v,
                        100 * before, words == null ? "" : String.format(Locale.ROOT, "; %.0f%%", 100 * words)));
            }
        });
        return parts.isEmpty() ? "-" : String.join(", ", parts.values());
    }

    void write(OutputLayout layout) throws IOException {
        AtomicFiles.writeText(layout.fileSystem(), layout.report(PipelineJob.STAGE),
                JSON.writerWithDefaultPrettyPrinter().writeValueAsString(toJson()) + "\n");
    }

    /**
     * One line per concept (status, steps, final loss, hit rates where the model's world is known, images, where its
     * results are), then the totals.
     */
    public String table() {
        List<List<String>> rows = new ArrayList<>();
        rows.add(List.of("concept", "status", "steps", "loss", "hits after (before; in words)", "images",
                "embedding", "images at"));
        List<String> notes = new ArrayList<>();
        for (ConceptSpec c : job.concepts()) {
            String failedAt = failedStage(c.name());
            ConceptOutputs o = outputs.get(c.name());
            if (failedAt != null) {
                rows.add(List.of(c.name(), "failed (" + failedAt + ")", "-", "-", "-", "-", "-", "-"));
                notes.add(c.name() + ": " + oneLine(result(failedAt, c).reason()));
            } else if (o == null) {
                rows.add(List.of(c.name(), "incomplete", "-", "-", "-", "-", "-", "-"));
            } else {
                rows.add(List.of(c.name(), "done", o.steps() == null ? "-" : Long.toString(o.steps()),
                        o.finalLoss() == null ? "-" : String.format(Locale.ROOT, "%.4f", o.finalLoss()),
                        hits(result("train", c)), Long.toString(o.images()), o.embedding() == null ? "-" : o.embedding(),
                        o.images() == 0 ? "-" : o.imagesAt()));
            }
        }
        StringBuilder sb = new StringBuilder();
        int[] width = new int[rows.get(0).size()];
        for (List<String> r : rows) {
            for (int i = 0; i < width.length; i++) {
                width[i] = Math.max(width[i], r.get(i).length());
            }
        }
        for (List<String> r : rows) {
            StringBuilder line = new StringBuilder();
            for (int i = 0; i < r.size(); i++) {
                line.append(r.get(i));
                if (i < r.size() - 1) {
                    line.append(" ".repeat(width[i] - r.get(i).length() + 2));
                }
            }
            sb.append(line.toString().stripTrailing()).append('\n');
        }
        for (StageReport r : stages.values()) {
            for (ConceptResult c : others(r)) {
                notes.add(c.concept() + " (" + r.stage() + "): " + c.status().name().toLowerCase(Locale.ROOT)
                        + (c.reason() == null ? "" : ": " + oneLine(c.reason())) + otherWhere(c));
            }
        }
        notes.forEach(x -> sb.append(x).append('\n'));
        if (randomWeights != null) {
            sb.append(randomWeightsWarning()).append('\n');
        }
        long failed = failed();
        sb.append("pipeline: ").append(job.concepts().size() - failed).append(" of ").append(job.concepts().size())
                .append(" concepts done");
        if (failed > 0) {
            sb.append(", ").append(failed).append(" failed");
        }
        if (finished != null) {
            sb.append(String.format(Locale.ROOT, " in %.1f s", Duration.between(started, finished).toMillis() / 1000.0));
        }
        sb.append(" (");
        List<String> parts = new ArrayList<>();
        for (StageReport r : stages.values()) {
            ObjectNode s = r.toJson();
            parts.add(r.stage() + " " + String.format(Locale.ROOT, "%.1f s", s.path("seconds").asDouble()));
        }
        skippedStages.forEach(s -> parts.add(s + " skipped"));
        sb.append(String.join(", ", parts)).append(")\n");
        return sb.toString();
    }

    private String randomWeightsWarning() {
        return "note: " + model + " has random weights (sdti init-model, " + randomWeights + "): these embeddings, "
                + "losses and images mean nothing; real results need the real Stable Diffusion 2.1 weights";
    }

    /** For generate's {@code _generate} row: how many images and where. */
    private String otherWhere(ConceptResult c) {
        Long images = c.counts().get("images");
        return images == null ? "" : ", " + images + " image(s) in " + output + "/" + c.concept() + "/"
                + ConceptOutputs.IMAGES;
    }

    private static String oneLine(String s) {
        String t = s == null ? "" : s.replaceAll("\\s+", " ");
        return t.length() > 200 ? t.substring(0, 197) + "..." : t;
    }
}
