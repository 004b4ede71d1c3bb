package org.sdti.jobs.config;

import java.io.Serializable;
import java.util.Map;
import java.util.TreeMap;
import org.sdti.dataprep.LearnableProperty;
import org.sdti.dataprep.Placeholder;
import org.sdti.dataprep.PromptTemplates;
import org.sdti.model.inversion.NewToken;
import org.sdti.model.text.ClipTokenizer;

/**
 * One entry of {@code sdti.concepts}, merged with {@code sdti.concept-defaults}.
 *
 * @param key       where the concept was written, for messages: {@code sdti.concepts[2]}, or a manifest's
 *                  {@code FILE:LINE:}, or a concept folder's settings file
 * @param name      output folder name and the {@code concept} column of every dataset ({@link ConceptNames})
 * @param token     the placeholder, e.g. {@code <cat-toy>}
 * @param init      initializer word(s)
 * @param images    folder or glob on any Hadoop file system
 * @param templates a template file, or null for the reference list of {@code property}
 * @param train     the concept's effective training settings
 */
public record ConceptSpec(String key, String name, String token, String init, String images,
                          LearnableProperty property, int vectors, String templates, boolean captions,
                          TrainSettings train) implements Serializable {

    static final int MAX_VECTORS = org.sdti.model.embeddings.LearnedEmbedding.MAX_VECTORS;

    private static final Map<String, LearnableProperty> PROPERTIES = new TreeMap<>(Map.of(
            "object", LearnableProperty.OBJECT, "style", LearnableProperty.STYLE));

    public Placeholder placeholder() {
        return new Placeholder(token, vectors);
    }

    /** The token the concept learns: the trainer's rule ({@link NewToken}) decides what is a valid one. */
    public NewToken newToken() {
        return new NewToken(token, vectors, init);
    }

    /**
     * The tokenizer with the concept's token added, failing as the trainer would (token not new, initializer not
     * one token nor one per vector), with the job-file key to fix.
     */
    public ClipTokenizer addTokenTo(ClipTokenizer base) {
        try {
            return newToken().addChecked(base, "vectors =");
        } catch (NewToken.Rejected e) {
            throw new JobConfigException(Keys.join(key, key(e.part())), e.getMessage());
        }
    }

    private static String key(NewToken.Part part) {
        return switch (part) {
            case TOKEN -> "token";
            case VECTORS -> "vectors";
            case INITIALIZER -> "init";
        };
    }

    static ConceptSpec read(Keys k, TrainSettings train) {
        String token = k.string("token");
        int vectors = k.intAtLeast("vectors", 1);
        String init = k.string("init");
        try {
            new NewToken(token, vectors, init);
        } catch (NewToken.Rejected e) {
            throw k.error(key(e.part()), e.getMessage());
        }
        if (token.contains(PromptTemplates.SLOT)) {
            throw k.error("token", "must not contain " + PromptTemplates.SLOT + ", got \"" + token + "\"");
        }
        String name = k.optString("name");
        if (name == null) {
            name = ConceptNames.fromToken(token);
            if (name.isEmpty()) {
                throw k.error("token", "\"" + token + "\" leaves no usable folder name (letters, digits, '.', '_', "
                        + "'-'); set " + k.path("name"));
            }
        } else if (!ConceptNames.isSafe(name)) {
            throw k.error("name", "must be 1-100 characters of [a-z0-9._-], starting and ending with a letter or "
                    + "digit, got \"" + name + "\"");
        }
        if (vectors > MAX_VECTORS) {
            throw k.error("vectors", "must be <= " + MAX_VECTORS + " (a prompt holds 77 ids, 2 of them start and "
                    + "end), got " + vectors);
        }
        return new ConceptSpec(k.prefix(), name, token, init, k.string("images"),
                k.choice("property", PROPERTIES), vectors, k.optString("templates"),
                k.bool("captions"), train);
    }
}
