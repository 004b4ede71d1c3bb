package org.sdti.jobs.runtime;

import java.io.IOException;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.sdti.model.io.HadoopLocation;

/**
 * Where a job's results live under {@code sdti.output}:
 * <pre>
 * OUTPUT/
 *   _data/examples/concept=NAME/part-*.parquet   prepare: one row per example (see Schemas)
 *   _data/prompts/concept=NAME/part-*.parquet    prepare: one row per prompt
 *   _data/latents/concept=NAME/part-*.parquet    latents: one row per example and VAE
 *   _data/_commits/STAGE/NAME.json               a concept's data of a stage is complete (readers check this)
 *   _data/_staging/STAGE-RUN/                    a run's output before it is committed; removed afterwards
 *   _reports/STAGE.json                          what the last run of a stage did, per concept
 *   NAME/                                        a concept's own results (train, generate):
 *   NAME/images/SLUG-SEED-ID.png                 generate: images of prompts using NAME's token (and no other
 *                                                concept's); SLUG from the prompt, SEED the image's seed, ID 16 hex
 *                                                of the hash of every parameter and the model's identity
 *   NAME/contact-sheet.png                       generate: a grid of NAME's images (see ContactSheet for the order)
 *   _generate/images/SLUG-SEED-ID.png            generate: images of prompts using no concept's token, or several
 *   _generate/contact-sheet.png                  generate: their grid
 *   _generate/manifest.jsonl                     generate: one JSON line per image of the job's current requests
 *                                                (see ManifestRow); rewritten only when a line changes
 * </pre>
 * Folders starting with '_' are hidden from Spark's and Hadoop's input listings, and concept names never start
 * with one ({@link org.sdti.jobs.config.ConceptNames}).
 */
public final class OutputLayout {
    public static final String EXAMPLES = "examples";
    public static final String PROMPTS = "prompts";
    public static final String LATENTS = "latents";
    /** The generate job's own folder: images of prompts that use no concept (or several), the manifest. */
    public static final String GENERATE = "_generate";

    private final FileSystem fs;
    private final Path root;

    private OutputLayout(HadoopLocation at) {
        this.fs = at.fs();
        this.root = at.root();
    }

    public static OutputLayout open(String output, Configuration conf) throws IOException {
        return new OutputLayout(HadoopLocation.of(output, conf));
    }

    public FileSystem fileSystem() {
        return fs;
    }

    public Path root() {
        return root;
    }

    public Path dataset(String name) {
        return new Path(root, "_data/" + name);
    }

    /** A concept's folder of a dataset: Spark's partition folder for {@code concept = NAME}. */
    public Path partition(String dataset, String concept) {
        return new Path(dataset(dataset), "concept=" + concept);
    }

    public Path commit(String stage, String concept) {
        return new Path(root, "_data/_commits/" + stage + "/" + concept + ".json");
    }

    public Path stagingRoot() {
        return new Path(root, "_data/_staging");
    }

    public Path staging(String stage, String run) {
        return new Path(stagingRoot(), stage + "-" + run);
    }

    /**
     * Deletes the staging folders a stage's killed runs left behind. Assumes one run per output folder at a time
     * (a second concurrent run would lose its staged data).
     */
    public void removeStaleStaging(String stage) throws IOException {
        if (!fs.exists(stagingRoot())) {
            return;
        }
        for (org.apache.hadoop.fs.FileStatus s : fs.listStatus(stagingRoot())) {
            if (s.getPath().getName().startsWith(stage + "-")) {
                fs.delete(s.getPath(), true);
            }
        }
    }

    /** A name for one run's staging folder: its start time, then random digits. */
    public static String newRunId() {
        return System.currentTimeMillis() + "-"
                + Long.toHexString(java.util.concurrent.ThreadLocalRandom.current().nextLong() >>> 1);
    }

    public Path report(String stage) {
        return new Path(root, "_reports/" + stage + ".json");
    }

    public Path conceptFolder(String concept) {
        return new Path(root, concept);
    }
}
