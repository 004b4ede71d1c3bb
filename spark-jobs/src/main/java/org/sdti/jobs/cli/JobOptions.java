package org.sdti.jobs.cli;

import com.typesafe.config.Config;
import java.io.File;
import java.util.HashMap;
import java.util.Map;
import org.sdti.jobs.config.JobConfig;
import org.sdti.jobs.config.SdtiConfig;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * The options every job command (prepare, latents, train, generate, pipeline) shares, as a picocli mixin: the job
 * file, {@code --model} and {@code --output}, declared once so that they read and behave the same in each. Also the
 * one way these commands load their configuration: the flags over system properties over the job file over
 * {@code reference.conf} ({@link SdtiConfig#load}).
 *
 * <p>The Spark stages need a job file; train and generate do not (their single-machine form). Picocli fixes
 * {@code required} in the annotation, so {@link Required} and {@link Optional} differ in that alone.
 */
abstract class JobOptions {
    static final String CONFIG_DESCRIPTION = "HOCON job file (see conf/reference.conf for every key); flags "
            + "override it.";

    @Mixin
    ModelOption model = new ModelOption();

    @Option(names = "--output", paramLabel = "DIR",
            description = "Output folder (path, file:, hdfs: or s3a:); default: sdti.output.")
    String output;

    /** {@code --config}, or null when not given. */
    File config;

    /**
     * The merged configuration, with a command's own flags (keyed by config path, null: not given) beside these.
     */
    Config load(Map<String, ?> commandFlags) {
        Map<String, Object> flags = new HashMap<>(commandFlags);
        flags.putAll(model.flags());
        flags.put("sdti.output", output);
        return SdtiConfig.load(config, flags);
    }

    /** The job: the job file with {@code --model} and {@code --output} over it, parsed and checked. */
    JobConfig job() {
        return JobConfig.from(load(Map.of()));
    }

    /** For the Spark stages: no job, nothing to run. */
    static final class Required extends JobOptions {
        @Option(names = "--config", required = true, paramLabel = "FILE", description = CONFIG_DESCRIPTION)
        void config(File file) {
            config = file;
        }
    }

    /** For train and generate, whose single-machine form can do without a job file. */
    static final class Optional extends JobOptions {
        @Option(names = "--config", paramLabel = "FILE", description = CONFIG_DESCRIPTION)
        void config(File file) {
            config = file;
        }
    }
}
