package org.sdti.jobs.pipeline;

import java.io.IOException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.hadoop.conf.Configuration;
import org.apache.spark.sql.SparkSession;
import org.sdti.jobs.config.JobConfig;
import org.sdti.jobs.generate.GenerateJob;
import org.sdti.jobs.latents.LatentsJob;
import org.sdti.jobs.prepare.Preflight;
import org.sdti.model.io.ModelFolder;
import org.sdti.model.models.RandomModelFolder;
import org.sdti.jobs.prepare.PrepareJob;
import org.sdti.jobs.runtime.HadoopConf;
import org.sdti.jobs.runtime.OutputLayout;
import org.sdti.jobs.runtime.StageReport;
import org.sdti.jobs.runtime.StageReport.ConceptResult;
import org.sdti.jobs.runtime.StageReport.Status;
import org.sdti.jobs.train.TrainJob;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code pipeline}: the stages in order in one Spark session. A concept that fails in a stage is left out of the
 * later ones (they would only fail it again, or worse, retry it) and carried in the report as failed there; the
 * other concepts go on. Generate still gets every request of the job and the concepts failed earlier: a request
 * using such a concept's token is reported failed with the reason (not rendered), so the manifest lists every
 * request under its index in the job file. Each stage keeps its own idempotence, so a rerun redoes only what is not
 * committed.
 */
public final class PipelineJob {
    public static final String STAGE = "pipeline";

    private static final Logger LOG = LoggerFactory.getLogger(PipelineJob.class);

    /** A stage's entry point, e.g. {@code PrepareJob::run}: it gets the job narrowed to the live concepts. */
    @FunctionalInterface
    public interface Runner {
        StageReport run(JobConfig job, SparkSession spark) throws IOException;
    }

    /**
     * A stage that gets the whole job and the concepts failed in earlier stages (name to reason), e.g.
     * {@code GenerateJob::run}, which reports their requests failed instead of never seeing them.
     */
    @FunctionalInterface
    public interface FullRunner {
        StageReport run(JobConfig job, Map<String, String> failedEarlier, SparkSession spark) throws IOException;
    }

    /** A stage's checks of the job that need no earlier stage's output, e.g. {@code TrainJob::check}. */
    @FunctionalInterface
    public interface Check {
        void check(JobConfig job, Configuration conf) throws IOException;
    }

    /**
     * One stage of the pipeline: what its own command runs, and what it checks before any work (prepare checks
     * the job first thing itself, and runs first).
     */
    public record Stage(String name, FullRunner runner, Check check, boolean needsLiveConcepts) {
        /** A stage that gets the failed concepts too (generate): it runs even when every concept has failed. */
        public Stage(String name, FullRunner runner, Check check) {
            this(name, runner, check, false);
        }

        public static Stage of(String name, Runner runner) {
            return of(name, runner, (job, conf) -> { });
        }

        /** A stage that sees only the concepts not failed earlier. */
        public static Stage of(String name, Runner runner, Check check) {
            return new Stage(name, (job, failed, spark) -> runner.run(job.retain(job.concepts().stream()
                    .map(c -> c.name()).filter(n -> !failed.containsKey(n)).toList()), spark), check, true);
        }
    }

    /** prepare, latents, train, generate. */
    public static final List<Stage> STAGES = List.of(
            Stage.of(PrepareJob.STAGE, PrepareJob::run),
            Stage.of(LatentsJob.STAGE, LatentsJob::run),
            Stage.of(TrainJob.STAGE, TrainJob::run, TrainJob::check),
            new Stage(GenerateJob.STAGE, GenerateJob::run, GenerateJob::check));

    private PipelineJob() {}

    public static PipelineReport run(JobConfig job, SparkSession spark) throws IOException {
        return run(job, spark, STAGES);
    }

    /** Runs {@code stages} in order (tests pass a prefix of {@link #STAGES}, or a stage that fails). */
    public static PipelineReport run(JobConfig job, SparkSession spark, List<Stage> stages) throws IOException {
        job.requireConcepts(STAGE);
        HadoopConf hadoop = HadoopConf.of(spark.sparkContext().hadoopConfiguration(), job.hadoop());
        OutputLayout layout = OutputLayout.open(job.output(), hadoop.get());
        // every stage's checks before the first one starts: a wrong key or value exits 2 before any work
        for (Stage stage : stages) {
            stage.check().check(job, hadoop.get());
        }
        ModelFolder model = Preflight.model(job, hadoop.get());
        PipelineReport report = new PipelineReport(job, layout.root().toString(), model.location(),
                RandomModelFolder.madeBy(model).orElse(null), Instant.now());
        // concept name -> why it is out of the later stages
        Map<String, String> failed = new LinkedHashMap<>();
        for (Stage stage : stages) {
            int live = job.concepts().size() - failed.size();
            // generate still runs: it reports the failed concepts' requests and renders those using no concept
            if (live == 0 && stage.needsLiveConcepts()) {
                LOG.warn("pipeline: {} skipped, every concept has failed", stage.name());
                report.skipped(stage.name());
                continue;
            }
            LOG.info("pipeline: {} of {} concept(s)", stage.name(), live);
            spark.sparkContext().setJobGroup("sdti-" + stage.name(), "sdti pipeline: " + stage.name(), false);
            StageReport r;
            try {
                r = stage.runner().run(job, Map.copyOf(failed), spark);
            } catch (IOException | RuntimeException | Error e) {
                // what the orchestrator needs to know even when a stage crashed: how far the pipeline got
                report.crashed(stage.name(), e).finish(Instant.now());
                try {
                    report.write(layout);
                } catch (IOException | RuntimeException w) {
                    e.addSuppressed(w);
                }
                throw e;
            } finally {
                spark.sparkContext().clearJobGroup();
            }
            report.add(r);
            for (ConceptResult c : r.concepts()) {
                if (c.status() == Status.FAILED && !r.isOther(c) && !failed.containsKey(c.concept())) {
                    failed.put(c.concept(), "concept " + c.concept() + " failed in " + stage.name() + ": "
                            + c.reason());
                }
            }
            int left = job.concepts().size() - failed.size();
            LOG.info("pipeline: {} done: {} of {} concept(s) done, {} failed", stage.name(), left, live, live - left);
        }
        report.finish(Instant.now());
        report.collectOutputs(layout);
        report.write(layout);
        return report;
    }

    /** The stage names, in order. */
    public static List<String> stageNames() {
        List<String> names = new ArrayList<>();
        STAGES.forEach(s -> names.add(s.name()));
        return names;
    }
}
