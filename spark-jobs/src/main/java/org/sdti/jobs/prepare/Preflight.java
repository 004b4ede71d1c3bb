package org.sdti.jobs.prepare;

import java.io.FileNotFoundException;
import java.io.IOException;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.Path;
import org.sdti.dataprep.FileRefusedException;
import org.sdti.dataprep.HadoopFolder;
import org.sdti.dataprep.PromptTemplates;
import org.sdti.jobs.config.ConceptSpec;
import org.sdti.jobs.config.JobConfig;
import org.sdti.jobs.config.JobConfigException;
import org.sdti.model.io.ModelSource;
import org.sdti.model.source.ModelSources;

/**
 * Driver-side checks that need the model or a file, done before any Spark work; each failure names the job-file
 * key to fix (exit 2).
 */
public final class Preflight {
    private Preflight() {}

    public static ModelSource model(JobConfig job, Configuration conf) throws IOException {
        try {
            return ModelSources.open(job.model(), job.modelConfig(), conf);
        } catch (FileNotFoundException e) {
            throw new JobConfigException("sdti.model", e.getMessage());
        }
    }

    /** The training resolution: the job's, or the model's (U-Net sample size × VAE factor). */
    public static int resolution(JobConfig job, ModelSource model) throws IOException {
        int factor = model.vaeConfig().downscale();
        Integer asked = job.prepare().resolution();
        if (asked == null) {
            return model.unetConfig().sampleSize() * factor;
        }
        if (asked % factor != 0) {
            throw new JobConfigException("sdti.prepare.resolution", "must be a multiple of the VAE's downscale "
                    + "factor " + factor + ", got " + asked);
        }
        return asked;
    }

    /** The concept's templates: its template file's, or the reference list of its property. */
    public static List<String> templates(ConceptSpec c, Configuration conf) throws IOException {
        if (c.templates() == null) {
            return PromptTemplates.of(c.property());
        }
        Path p = new Path(c.templates());
        byte[] data;
        try {
            data = HadoopFolder.readAll(p.getFileSystem(conf), p);
        } catch (FileNotFoundException e) {
            throw new JobConfigException(c.key() + ".templates", "file " + c.templates() + " does not exist");
        } catch (FileRefusedException e) {
            throw new JobConfigException(c.key() + ".templates", c.templates() + ": " + e.getMessage());
        }
        try {
            String text = StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT).decode(java.nio.ByteBuffer.wrap(data))
                    .toString();
            return PromptTemplates.parse(c.templates(), text);
        } catch (CharacterCodingException e) {
            throw new JobConfigException(c.key() + ".templates", c.templates() + " is not UTF-8 text");
        } catch (IllegalArgumentException e) {
            throw new JobConfigException(c.key() + ".templates", e.getMessage());
        }
    }
}
