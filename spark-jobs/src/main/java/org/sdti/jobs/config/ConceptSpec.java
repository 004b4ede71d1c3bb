package org.sdti.jobs.config;

import java.io.Serializable;
import java.util.Map;
import java.util.TreeMap;
import org.sdti.dataprep.LearnableProperty;
import org.sdti.dataprep.Placeholder;
import org.sdti.dataprep.PromptTemplates;

/**
 * One entry of {@code sdti.concepts}, merged with {@code sdti.concept-defaults}.
 *
 * @param index     position in the list (error messages name {@code sdti.concepts[index]})
 * @param name      output folder name and the {@code concept} column of every dataset ({@link ConceptNames})
 * @param token     the placeholder, e.g. {@code <cat-toy>}
 * @param init      initializer word(s)
 * @param images    folder or glob on any Hadoop file system
 * @param templates a template file, or null for the reference list of {@code property}
 * @param train     the concept's effective training settings
 */
public record ConceptSpec(int index, String name, String token, String init, String images,
                          LearnableProperty property, int vectors, String templates, boolean captions,
                          TrainSettings train) implements Serializable {

    static final int MAX_VECTORS = 75;

    private static final Map<String, LearnableProperty> PROPERTIES = new TreeMap<>(Map.of(
            "object", LearnableProperty.OBJECT, "style", LearnableProperty.STYLE));

    /** The key path of this concept, for messages: {@code sdti.concepts[2]}. */
    public String key() {
        return "sdti.concepts[" + index + "]";
    }

    public Placeholder placeholder() {
        return new Placeholder(token, vectors);
    }

    static ConceptSpec read(Keys k, int index, TrainSettings train) {
        String token = k.string("token");
        if (token.chars().anyMatch(Character::isWhitespace)) {
            throw k.error("token", "must be one word without spaces, got \"" + token + "\"");
        }
        if (token.contains(PromptTemplates.SLOT)) {
            throw k.error("token", "must not contain " + PromptTemplates.SLOT + ", got \"" + token + "\"");
        }
        String name = k.optString("name");
        if (name == null) {
            name = ConceptNames.fromToken(token);
            if (name.isEmpty()) {
                throw k.error("token", "\"" + token + "\" leaves no usable folder name (letters, digits, '.', '_', "
                        + "'-'); set sdti.concepts[" + index + "].name");
            }
        } else if (!ConceptNames.isSafe(name)) {
            throw k.error("name", "must be 1-100 characters of [a-z0-9._-], starting and ending with a letter or "
                    + "digit, got \"" + name + "\"");
        }
        int vectors = k.intAtLeast("vectors", 1);
        if (vectors > MAX_VECTORS) {
            throw k.error("vectors", "must be <= " + MAX_VECTORS + " (a prompt holds 77 ids, 2 of them start and "
                    + "end), got " + vectors);
        }
        return new ConceptSpec(index, name, token, k.string("init"), k.string("images"),
                k.choice("property", PROPERTIES), vectors, k.optString("templates"),
                k.bool("captions"), train);
    }
}
