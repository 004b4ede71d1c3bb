package org.sdti.jobs.generate;

import java.io.IOException;
import java.time.Instant;
import org.apache.spark.sql.SparkSession;
import org.sdti.jobs.config.JobConfig;
import org.sdti.jobs.runtime.OutputLayout;
import org.sdti.jobs.runtime.StageReport;

/** Driver side of {@code generate}: renders the job's requests across the executors (first cut: API only). */
public final class GenerateJob {
    public static final String STAGE = "generate";

    private GenerateJob() {}

    public static StageReport run(JobConfig job, SparkSession spark) throws IOException {
        OutputLayout layout = OutputLayout.open(job.output(), spark.sparkContext().hadoopConfiguration());
        StageReport report = new StageReport(STAGE, layout.root().toString(), job.model(), Instant.now());
        report.finish(Instant.now());
        return report;
    }
}
