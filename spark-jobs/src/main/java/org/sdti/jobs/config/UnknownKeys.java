package org.sdti.jobs.config;

import com.typesafe.config.ConfigList;
import com.typesafe.config.ConfigObject;
import com.typesafe.config.ConfigValue;
import com.typesafe.config.ConfigValueType;
import java.util.Collection;
import java.util.Comparator;
import java.util.List;
import java.util.Set;

/**
 * Fails on the first key under {@code sdti} that the reference configuration does not define. Typesafe's
 * {@code checkValid} only checks that the reference's keys are present with the right types; a misspelt key
 * ({@code stpes = 5000}) would otherwise be silently ignored and the default used.
 */
final class UnknownKeys {
    /** Objects whose keys are free-form (Hadoop and Spark settings). */
    private static final Set<String> FREE_FORM = Set.of("sdti.hadoop", "sdti.spark.conf");
    /** Checked against sdti.train by {@link #checkTrainOverrides}. */
    private static final Set<String> TRAIN_OVERRIDES = Set.of("sdti.concept-defaults.train");
    /** sdti.train keys a concept cannot override: they shape the Spark job's rounds and passes. */
    private static final List<String> JOB_WIDE_TRAIN = List.of("average-every", "units-per-pass");

    private UnknownKeys() {}

    /**
     * @param actual    the merged {@code sdti} object
     * @param reference the reference's {@code sdti} object
     */
    static void check(ConfigObject actual, ConfigObject reference) {
        walk(actual, reference, "sdti");
        checkTrainOverrides(actual.get("concept-defaults"), perConceptTrain(reference), "sdti.concept-defaults");
        ConfigValue concepts = actual.get("concepts");
        if (concepts instanceof ConfigList list) {
            for (int i = 0; i < list.size(); i++) {
                if (list.get(i) instanceof ConfigObject concept) {
                    checkConcept(concept, reference, "sdti.concepts[" + i + "]");
                }
            }
        }
        if (actual.get("generate") instanceof ConfigObject generate
                && reference.get("generate") instanceof ConfigObject generateRef) {
            GenerateSettings.checkPromptKeys(generate, generateRef);
        }
    }

    /** One concept's own keys (inline, from a manifest line or a folder's settings file) against concept-defaults. */
    static void checkConcept(ConfigObject concept, ConfigObject reference, String at) {
        ConfigObject conceptRef = (ConfigObject) reference.get("concept-defaults");
        walk(concept.withoutKey("train"), conceptRef.withoutKey("train"), at);
        checkTrainOverrides(concept, perConceptTrain(reference), at);
    }

    private static ConfigObject perConceptTrain(ConfigObject reference) {
        ConfigObject train = (ConfigObject) reference.get("train");
        for (String key : JOB_WIDE_TRAIN) {
            train = train.withoutKey(key);
        }
        return train;
    }

    private static void checkTrainOverrides(ConfigValue owner, ConfigObject trainRef, String at) {
        if (owner instanceof ConfigObject o && o.get("train") instanceof ConfigObject train) {
            for (String key : JOB_WIDE_TRAIN) {
                if (train.containsKey(key)) {
                    throw new JobConfigException(Keys.join(at, "train." + key), "is job-wide (all concepts share the "
                            + "training rounds and passes); set sdti.train." + key + " instead"
                            + origin(train.get(key)));
                }
            }
            walk(train, trainRef, Keys.join(at, "train"));
        }
    }

    static void walk(ConfigObject actual, ConfigObject reference, String path) {
        for (String key : actual.keySet()) {
            String at = Keys.join(path, quoteIfNeeded(key));
            ConfigValue ref = reference.get(key);
            if (ref == null) {
                throw new JobConfigException(at, "unknown key" + suggestion(key, reference.keySet())
                        + origin(actual.get(key)));
            }
            ConfigValue value = actual.get(key);
            if (ref.valueType() == ConfigValueType.OBJECT && value.valueType() == ConfigValueType.OBJECT
                    && !FREE_FORM.contains(at) && !TRAIN_OVERRIDES.contains(at)) {
                walk((ConfigObject) value, (ConfigObject) ref, at);
            }
        }
    }

    private static String origin(ConfigValue v) {
        return v == null ? "" : Keys.where(v.origin());
    }

    private static String quoteIfNeeded(String key) {
        return key.matches("[A-Za-z0-9_-]+") ? key : "\"" + key + "\"";
    }

    /** "(did you mean steps?)" when a known key is within two edits. */
    static String suggestion(String key, Collection<String> known) {
        return known.stream()
                .filter(k -> distance(k, key) <= (key.length() <= 3 ? 1 : 2))
                .min(Comparator.comparingInt(k -> distance(k, key)))
                .map(k -> " (did you mean " + k + "?)")
                .orElse(" (known keys: " + String.join(", ", known.stream().sorted().toList()) + ")");
    }

    private static int distance(String a, String b) {
        int[] prev = new int[b.length() + 1];
        int[] cur = new int[b.length() + 1];
        for (int j = 0; j <= b.length(); j++) {
            prev[j] = j;
        }
        for (int i = 1; i <= a.length(); i++) {
            cur[0] = i;
            for (int j = 1; j <= b.length(); j++) {
                int sub = prev[j - 1] + (a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1);
                cur[j] = Math.min(sub, Math.min(prev[j] + 1, cur[j - 1] + 1));
            }
            int[] t = prev;
            prev = cur;
            cur = t;
        }
        return prev[b.length()];
    }
}
