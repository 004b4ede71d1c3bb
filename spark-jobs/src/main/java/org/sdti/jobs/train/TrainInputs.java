package org.sdti.jobs.train;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.util.Optional;
import org.apache.hadoop.conf.Configuration;
import org.sdti.jobs.config.ConceptSpec;
import org.sdti.jobs.config.JobConfig;
import org.sdti.jobs.latents.LatentsJob;
import org.sdti.jobs.prepare.PrepareJob;
import org.sdti.jobs.runtime.Commits;
import org.sdti.jobs.runtime.OutputLayout;
import org.sdti.model.BadInputException;

/**
 * What the train stage reads of the earlier stages before any Spark job: their commit markers, which say per concept
 * whether its examples are prepared and encoded by this model's VAE.
 */
final class TrainInputs {
    private final OutputLayout layout;
    private final Commits prepared;
    private final Commits latents;

    TrainInputs(OutputLayout layout) {
        this.layout = layout;
        this.prepared = new Commits(layout, PrepareJob.STAGE);
        this.latents = new Commits(layout, LatentsJob.STAGE);
    }

    /**
     * Fails (bad input, exit 2) when no concept of the job can be trained because an earlier stage has not run,
     * naming the stage to run first. (Concepts that only some lack fail alone, see {@link #missing}.)
     */
    static void requireAny(JobConfig job, Configuration conf) throws IOException {
        TrainInputs inputs = new TrainInputs(OutputLayout.open(job.output(), conf));
        boolean anyPrepared = false;
        for (ConceptSpec c : job.concepts()) {
            if (inputs.prepared.read(c.name()).isPresent()) {
                anyPrepared = true;
                if (inputs.latents.read(c.name()).isPresent()) {
                    return;
                }
            }
        }
        String stage = anyPrepared ? LatentsJob.STAGE : PrepareJob.STAGE;
        throw new BadInputException("nothing to train: no concept of the job has " + (anyPrepared ? "latents"
                : "prepared examples") + " in " + inputs.layout.root() + "; run `sdti " + stage + " --config JOB` "
                + "first" + (anyPrepared ? "" : " (then `sdti latents --config JOB`)"));
    }

    /** The concept's prepare commit: its examples' fingerprint and count. */
    Optional<JsonNode> prepared(String concept) throws IOException {
        return prepared.read(concept);
    }

    /** Why a concept cannot be trained from the committed data, or null. */
    String missing(ConceptSpec c, String vaeId) throws IOException {
        JsonNode prep = prepared.read(c.name()).orElse(null);
        if (prep == null) {
            return "not prepared: prepare has not committed it (run `sdti prepare` with this job first; see "
                    + layout.report(PrepareJob.STAGE) + ")";
        }
        if (prep.path("examples").asLong() < 1) {
            return "prepare committed no example for it";
        }
        JsonNode lat = latents.read(c.name()).orElse(null);
        boolean current = lat != null && prep.path("fingerprint").asText().equals(
                lat.path("examples_fingerprint").asText());
        boolean forThisVae = false;
        if (current) {
            for (JsonNode n : lat.path("complete_for")) {
                forThisVae |= vaeId.equals(n.asText());
            }
        }
        if (!forThisVae) {
            return "no latents of its " + (lat == null ? "" : "current ") + "examples for this model's VAE: run "
                    + "`sdti latents` with this job first";
        }
        return null;
    }
}
