package org.sdti.jobs.runtime;

import java.util.Map;
import org.apache.spark.SparkConf;
import org.apache.spark.sql.SparkSession;
import org.sdti.jobs.config.JobConfig;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The Spark session a stage runs in. Under {@code spark-submit} the submitted settings (master, --conf,
 * spark-defaults.conf, all visible as spark.* system properties) win; sdti's own ({@code sdti.spark}) only fill
 * the gaps, so bin/sdti runs locally with {@code sdti.spark.master} and a cluster submission is never overridden.
 * A session that is already running (a test, a notebook, {@code pipeline}) is reused and left running.
 */
public final class SparkSessions {
    private static final Logger LOG = LoggerFactory.getLogger(SparkSessions.class);

    private SparkSessions() {}

    /** A session and whether this stage started it (and so stops it). */
    public record Handle(SparkSession session, boolean owned) implements AutoCloseable {
        @Override
        public void close() {
            if (owned) {
                session.stop();
            }
        }
    }

    public static Handle open(JobConfig job, String stage) {
        scala.Option<SparkSession> running = SparkSession.getActiveSession();
        if (running.isEmpty()) {
            running = SparkSession.getDefaultSession();
        }
        if (running.isDefined()) {
            SparkSession s = running.get();
            // a session started elsewhere gets this job's file-system settings (its own spark.* stay as they are)
            job.hadoop().forEach((k, v) -> s.sparkContext().hadoopConfiguration().set(k, v));
            return new Handle(s, false);
        }
        SparkConf conf = conf(job, stage, new SparkConf());
        LOG.info("starting Spark: master {}, app {}", conf.get("spark.master"), conf.get("spark.app.name"));
        return new Handle(SparkSession.builder().config(conf).getOrCreate(), true);
    }

    /** {@code submitted} (already holding spark-submit's settings) completed from the job file. */
    static SparkConf conf(JobConfig job, String stage, SparkConf submitted) {
        SparkConf conf = submitted;
        conf.setIfMissing("spark.master", job.spark().master());
        conf.setIfMissing("spark.app.name", job.spark().appName() + " " + stage);
        for (Map.Entry<String, String> e : job.spark().conf().entrySet()) {
            conf.setIfMissing(e.getKey(), e.getValue());
        }
        for (Map.Entry<String, String> e : job.hadoop().entrySet()) {
            conf.setIfMissing("spark.hadoop." + e.getKey(), e.getValue());
        }
        if (conf.get("spark.master").startsWith("local")) {
            // on one machine, loopback only: Spark otherwise binds the first network interface it finds
            conf.setIfMissing("spark.driver.host", "127.0.0.1");
            conf.setIfMissing("spark.driver.bindAddress", "127.0.0.1");
        }
        return conf;
    }
}
