package org.sdti.jobs.config;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigList;
import com.typesafe.config.ConfigObject;
import com.typesafe.config.ConfigValue;
import com.typesafe.config.ConfigValueType;
import java.io.File;
import java.io.Serializable;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * A job file, parsed once at the edge into immutable records: everything a stage needs, checked before any work
 * starts. Every problem is a {@link JobConfigException} naming the key ({@code sdti.concepts[1].vectors: must be >= 1,
 * got 0 (job.conf:12)}), which the CLI reports with exit code 2.
 *
 * @param model    the model folder or single-file checkpoint as written (qualified by the stages when opened)
 * @param modelConfig a single file's architecture ({@code sdti.model-config}: preset or config folder), or null
 * @param output   the job's output root
 * @param concepts in file order; tokens and names unique
 * @param hadoop   {@code sdti.hadoop}, applied to every file-system access and passed to Spark as spark.hadoop.*
 */
public record JobConfig(String model, String modelConfig, String output, List<ConceptSpec> concepts, TrainSettings train,
                        PrepareSettings prepare, GenerateSettings generate, SparkSettings spark,
                        Map<String, String> hadoop) implements Serializable {

    public JobConfig {
        concepts = List.copyOf(concepts);
        hadoop = java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(hadoop));
    }

    /** Loads {@link SdtiConfig#load} (flags over system properties over the job file over reference.conf), then parses. */
    public static JobConfig load(File jobFile, Map<String, ?> flags) {
        return from(SdtiConfig.load(jobFile, flags));
    }

    /** Parses a merged configuration (reference defaults included). */
    public static JobConfig from(Config merged) {
        ConfigObject reference = SdtiConfig.reference().getObject("sdti");
        ConfigValue root = merged.root().get("sdti");
        if (root == null || root.valueType() != ConfigValueType.OBJECT) {
            throw new JobConfigException("sdti", "expected an object");
        }
        ConfigObject sdti = (ConfigObject) root;
        Keys k = Keys.of(sdti, "sdti");
        // type errors of whole sections first, so the key walk below only meets objects where objects belong
        for (String section : List.of("concept-defaults", "train", "prepare", "spark", "hadoop", "generate")) {
            k.object(section);
        }
        UnknownKeys.check(sdti, reference);

        String model = k.optString("model");
        if (model == null) {
            throw k.error("model", "missing: the model folder (diffusers layout) or single-file checkpoint (plain "
                    + "path, file:, hdfs: or s3a:), in the job file or with --model");
        }
        String modelConfig = k.optString("model-config");
        String output = k.optString("output");
        if (output == null) {
            throw k.error("output", "missing: the job's output folder, in the job file or with --output");
        }
        TrainSettings train = TrainSettings.read(k.child("train"));
        List<ConceptSources.Entry> entries = new ArrayList<>();
        ConfigList inline = k.list("concepts");
        for (int i = 0; i < inline.size(); i++) {
            ConfigValue v = inline.get(i);
            String at = "sdti.concepts[" + i + "]";
            if (v.valueType() != ConfigValueType.OBJECT) {
                throw new JobConfigException(at, "expected an object { token = ..., init = ..., images = ... }, got "
                        + Keys.describe(v) + Keys.where(v.origin()));
            }
            entries.add(new ConceptSources.Entry(at, (ConfigObject) v));
        }
        if (k.optString("concept-manifest") != null || k.optString("concept-folders") != null) {
            for (ConceptSources.Entry e : ConceptSources.all(k, SdtiConfig.hadoop(merged))) {
                UnknownKeys.checkConcept(e.concept(), reference, e.label());
                entries.add(e);
            }
        }
        List<ConceptSpec> concepts = concepts(k, entries);
        return new JobConfig(model, modelConfig, output, concepts, train, PrepareSettings.read(k.child("prepare")),
                GenerateSettings.forJob(k.child("generate"), k.object("generate")),
                SparkSettings.read(k.child("spark")), k.stringMap("hadoop"));
    }

    private static List<ConceptSpec> concepts(Keys k, List<ConceptSources.Entry> entries) {
        ConfigObject defaults = k.object("concept-defaults");
        ConfigObject trainBase = k.object("train");
        List<ConceptSpec> out = new ArrayList<>();
        Map<String, ConceptSpec> byToken = new HashMap<>();
        Map<String, ConceptSpec> byName = new HashMap<>();
        Map<String, ConceptSpec> byVectorToken = new HashMap<>();
        Map<String, ConceptSpec> byNextName = new HashMap<>();
        for (ConceptSources.Entry entry : entries) {
            String at = entry.label();
            ConfigObject own = entry.concept();
            ConfigObject merged = own.withFallback(defaults);
            Keys ck = Keys.of(merged, at);
            ck.object("train");
            // the concept's train {} over concept-defaults.train over sdti.train
            ConfigObject trainObj = ck.object("train").withFallback(defaults.get("train")).withFallback(trainBase);
            TrainSettings train = TrainSettings.read(Keys.of(trainObj, Keys.join(at, "train")));
            ConceptSpec c = ConceptSpec.read(ck, train);
            ConceptSpec clash = byToken.putIfAbsent(c.token(), c);
            if (clash != null) {
                throw new JobConfigException(Keys.join(at, "token"), "\"" + c.token() + "\" is already the token of "
                        + clash.key() + "; tokens must be unique" + Keys.where(own.get("token").origin()));
            }
            clash = byName.putIfAbsent(c.name(), c);
            if (clash != null) {
                String which = own.containsKey("name") ? "name" : "token";
                throw new JobConfigException(Keys.join(at, which), "\"" + c.token() + "\" maps to the output folder name \""
                        + c.name() + "\", as does " + clash.key() + " (\"" + clash.token() + "\"); give one of them "
                        + "another token or an explicit name");
            }
            for (String t : c.placeholder().tokens()) {
                clash = byVectorToken.putIfAbsent(t, c);
                if (clash != null && clash != c) {
                    throw new JobConfigException(Keys.join(at, "token"), "\"" + t + "\" is also a token of " + clash.key()
                            + " (\"" + clash.token() + "\" with " + clash.vectors() + " vectors: " + clash.token()
                            + ", " + clash.token() + "_1, ...)");
                }
                // a token stands for itself and its numbered names while they exist: the name after one group
                // must not start another's, or the first token would take in the second's vectors
                clash = byNextName.get(t);
                if (clash != null && clash != c) {
                    throw new JobConfigException(at + ".token", "\"" + t + "\" would become a vector of "
                            + clash.key() + " (\"" + clash.token() + "\", whose vectors are " + clash.token() + ", "
                            + clash.token() + "_1, ...); choose another token");
                }
            }
            String next = c.token() + "_" + c.vectors();
            clash = byVectorToken.get(next);
            if (clash != null) {
                throw new JobConfigException(at + ".token", "\"" + c.token() + "\" would take in \"" + next + "\", "
                        + "a token of " + clash.key() + ", as one of its vectors; choose another token");
            }
            byNextName.put(next, c);
            out.add(c);
        }
        return out;
    }

    /** The concept with this name, if the job has one. */
    public java.util.Optional<ConceptSpec> concept(String name) {
        return concepts.stream().filter(c -> c.name().equals(name)).findFirst();
    }

    /**
     * This job with only the named concepts (a later stage of {@code pipeline} after others failed), and without
     * the generation requests that use a token of a concept left out: its embedding will not exist. (The pipeline's
     * generate gets the whole job and the failed concepts instead, so that it reports those requests failed.)
     */
    public JobConfig retain(java.util.Collection<String> names) {
        List<ConceptSpec> kept = new ArrayList<>();
        List<String> droppedTokens = new ArrayList<>();
        for (ConceptSpec c : concepts) {
            if (names.contains(c.name())) {
                kept.add(c);
            } else {
                droppedTokens.addAll(c.placeholder().tokens());
            }
        }
        if (droppedTokens.isEmpty()) {
            return this;
        }
        List<GenerateSettings.Request> requests = generate.requests().stream()
                .filter(r -> droppedTokens.stream().noneMatch(r::uses)).toList();
        return new JobConfig(model, modelConfig, output, kept, train, prepare,
                generate.withRequests(requests), spark, hadoop);
    }

    /** Fails, naming {@code sdti.concepts}, when the job has no concept (a stage that works per concept needs one). */
    public JobConfig requireConcepts(String stage) {
        if (concepts.isEmpty()) {
            throw new JobConfigException("sdti.concepts", "empty: " + stage + " has nothing to do (list the "
                    + "concepts, each with token, init and images)");
        }
        return this;
    }
}
