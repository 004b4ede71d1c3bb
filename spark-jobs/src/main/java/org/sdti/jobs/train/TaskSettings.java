package org.sdti.jobs.train;

import java.io.Serializable;
import org.sdti.jobs.config.JobConfig;
import org.sdti.jobs.runtime.HadoopConf;
import org.sdti.jobs.runtime.Isolation;
import org.sdti.jobs.runtime.ModelRef;

/**
 * What the train stage's executor tasks ({@link TrainTask}, {@link ValidationTask}, {@link EvaluationTask}) are given, in their closures:
 * the job (each concept's settings), the model they load once per JVM and the file system settings.
 *
 * @param model  the model (its text is the {@link org.sdti.jobs.runtime.ModelCache} key)
 * @param output the job's output root, qualified: concepts' folders are {@code output/NAME}
 * @param logger the logger the tasks' lines go to: the stage's, so that every line of train has one name
 * @param world  the world the model declares ({@code _sdti_world}), whose judge evaluates concepts; or null
 * @param resolution the side in pixels concepts train at, as the driver checked it: validation images and the
 *                   evaluation's re-read pictures use it
 * @param isolation  how a task keeps a unit's failure (a training group, a concept's images) to that unit
 */
record TaskSettings(JobConfig job, ModelRef model, HadoopConf hadoop, String output, String logger, String world,
                    int resolution, Isolation isolation)
        implements Serializable {}
