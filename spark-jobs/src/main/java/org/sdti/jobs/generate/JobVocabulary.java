package org.sdti.jobs.generate;

import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.Path;
import org.sdti.jobs.config.ConceptSpec;
import org.sdti.jobs.config.GenerateSettings.Request;
import org.sdti.jobs.config.JobConfig;
import org.sdti.jobs.config.JobConfigException;
import org.sdti.jobs.runtime.OutputLayout;
import org.sdti.model.BadInputException;
import org.sdti.model.inversion.EmbeddingExport;
import org.sdti.model.text.ClipTokenizer;

/**
 * The learned tokens a generate job's prompts may use: every concept's {@code OUTPUT/<name>/learned_embeds.safetensors}
 * (what train wrote; a concept without one is "missing", with the reason, and only the requests using its token
 * fail) and the files of {@code sdti.generate.embeddings} (a file that cannot be read is bad input: the job stops
 * before any work, naming the key). A prompt uses a token when its text (prompt or negative prompt) contains it:
 * the tokenizer matches added tokens verbatim, so that is exactly when the vectors take part.
 */
final class JobVocabulary {
    /** A concept's learned vectors, or why there are none. */
    record Learned(ConceptSpec concept, EmbeddingLoader.Loaded embedding, String missing) {}

    private final List<Learned> concepts;
    private final List<EmbeddingLoader.Loaded> files;

    private JobVocabulary(List<Learned> concepts, List<EmbeddingLoader.Loaded> files) {
        this.concepts = List.copyOf(concepts);
        this.files = List.copyOf(files);
    }

    /**
     * @param base          the model's tokenizer: every learned token must be new to it (a word it knows would be
     *                      taken over by the vectors, or, being matched first, never reach them)
     * @param failedEarlier concepts that failed in an earlier stage of the pipeline (name to reason): "missing"
     *                      with that reason, whatever file an older run may have left
     */
    static JobVocabulary load(JobConfig job, OutputLayout layout, int textWidth, ClipTokenizer base,
                              Configuration conf, Map<String, String> failedEarlier) throws IOException {
        List<EmbeddingLoader.Loaded> files = new ArrayList<>();
        Map<String, String> owner = new LinkedHashMap<>();
        // cumulative: a token must be new to the vocabulary and must not run into another's numbered group
        ClipTokenizer known = base;
        for (ConceptSpec c : job.concepts()) {
            known = checkNew(known, c.token(), c.vectors(), c.key() + ".token");
            for (String t : c.placeholder().tokens()) {
                owner.put(t, c.key() + ".token (\"" + c.token() + "\")");
            }
        }
        List<String> listed = job.generate().embeddings();
        for (int i = 0; i < listed.size(); i++) {
            String key = "sdti.generate.embeddings[" + i + "]";
            EmbeddingLoader.Loaded e;
            try {
                e = EmbeddingLoader.load(listed.get(i), conf, textWidth);
            } catch (BadInputException x) {
                throw new JobConfigException(key, x.getMessage());
            }
            for (String t : tokens(e)) {
                String clash = owner.putIfAbsent(t, key + " (" + listed.get(i) + ")");
                if (clash != null) {
                    throw new JobConfigException(key, listed.get(i) + " holds the token \"" + t + "\", which is "
                            + "already " + clash + "; a token can have one embedding only (a concept's own comes "
                            + "from its train output and needs no file)");
                }
            }
            known = checkNew(known, e.embeddings().token(), e.embeddings().numVectors(), key);
            files.add(e);
        }
        List<Learned> learned = new ArrayList<>();
        for (ConceptSpec c : job.concepts()) {
            if (usedByAny(job, c.token())) {
                String failed = failedEarlier.get(c.name());
                learned.add(failed != null ? new Learned(c, null, failed) : learn(c, layout, textWidth, conf));
            }
        }
        return new JobVocabulary(learned, files);
    }

    private static ClipTokenizer checkNew(ClipTokenizer known, String token, int vectors, String key) {
        try {
            return known.withAddedToken(token, vectors);
        } catch (IllegalArgumentException e) {
            throw new JobConfigException(key, e.getMessage());
        }
    }

    /** Where train leaves a concept's embedding. */
    static Path learnedFile(OutputLayout layout, ConceptSpec c) {
        return new Path(layout.conceptFolder(c.name()), EmbeddingExport.FILE);
    }

    private static Learned learn(ConceptSpec c, OutputLayout layout, int textWidth, Configuration conf)
            throws IOException {
        Path file = learnedFile(layout, c);
        String what = "concept " + c.name() + " (" + c.token() + ") ";
        if (!layout.fileSystem().exists(file)) {
            return new Learned(c, null, what + "has no learned embedding: " + file + " does not exist (train "
                    + "failed for it or has not run)");
        }
        EmbeddingLoader.Loaded e;
        try {
            e = EmbeddingLoader.load(file.toString(), conf, textWidth);
        } catch (BadInputException x) {
            return new Learned(c, null, what + "has no usable learned embedding: " + x.getMessage());
        }
        if (!e.embeddings().token().equals(c.token()) || e.embeddings().numVectors() != c.vectors()) {
            return new Learned(c, null, what + "has no usable learned embedding: " + file + " holds \""
                    + e.embeddings().token() + "\" with " + e.embeddings().numVectors() + " vector(s), expected \""
                    + c.token() + "\" with " + c.vectors());
        }
        return new Learned(c, e, null);
    }

    private static boolean usedByAny(JobConfig job, String token) {
        return job.generate().requests().stream().anyMatch(r -> r.uses(token));
    }

    private static List<String> tokens(EmbeddingLoader.Loaded e) {
        List<String> out = new ArrayList<>();
        out.add(e.embeddings().token());
        for (int j = 1; j < e.embeddings().numVectors(); j++) {
            out.add(e.embeddings().token() + "_" + j);
        }
        return out;
    }

    /** The job's concepts whose token the request uses, in job order. */
    List<Learned> conceptsOf(Request r) {
        return concepts.stream().filter(l -> r.uses(l.concept().token())).toList();
    }

    /** Whether a listed file holds this token (or one of its {@code token_j} names). */
    boolean isFileToken(String token) {
        return files.stream().anyMatch(e -> tokens(e).contains(token));
    }

    /** Why the concept has no usable learned embedding, if a request uses its token and it has none. */
    java.util.Optional<String> missing(String concept) {
        return concepts.stream().filter(l -> l.concept().name().equals(concept) && l.missing() != null)
                .map(Learned::missing).findFirst();
    }

    /** The listed files whose token the request uses, in the listed order. */
    List<EmbeddingLoader.Loaded> filesOf(Request r) {
        return files.stream().filter(e -> r.uses(e.embeddings().token())).toList();
    }
}
