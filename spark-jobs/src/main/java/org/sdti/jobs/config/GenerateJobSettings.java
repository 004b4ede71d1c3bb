package org.sdti.jobs.config;

import com.typesafe.config.ConfigList;
import com.typesafe.config.ConfigObject;
import com.typesafe.config.ConfigValue;
import com.typesafe.config.ConfigValueFactory;
import com.typesafe.config.ConfigValueType;
import java.io.Serializable;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.sdti.model.schedulers.Samplers;

/**
 * {@code sdti.generate} as a job reads it: the generation requests (parsed and checked here; the generate job
 * renders them). An entry of {@code prompts} is a string, or an object with {@code prompt} and overrides of the
 * per-request keys of {@code sdti.generate} ({@link #REQUEST_KEYS}).
 *
 * @param embeddings learned-embedding files whose tokens prompts may use besides the job's own concepts
 * @param sheetThumbnail the longest side of an image on a contact sheet in pixels (smaller images stay as they are);
 *                       0: no contact sheets
 */
public record GenerateJobSettings(List<Request> requests, List<String> embeddings, int sheetThumbnail)
        implements Serializable {

    /** These settings with only {@code requests} (a job narrowed to some of its concepts). */
    public GenerateJobSettings withRequests(List<Request> requests) {
        return new GenerateJobSettings(requests, embeddings, sheetThumbnail);
    }

    /** Keys of sdti.generate that a prompt object may override. */
    static final Set<String> REQUEST_KEYS = Set.of("negative-prompt", "scheduler", "steps", "guidance", "eta",
            "seed", "seeds", "width", "height", "images-per-prompt");

    /**
     * One prompt to render {@code imagesPerPrompt} times per seed (image i of a seed s uses s + i).
     *
     * @param scheduler null: the model's own
     * @param width     null: the model's own
     */
    public record Request(String prompt, String negativePrompt, List<Long> seeds, int imagesPerPrompt, int steps,
                          double guidance, double eta, String scheduler, Integer width, Integer height)
            implements Serializable {
        public Request {
            seeds = List.copyOf(seeds);
        }

        /**
         * Whether the request uses {@code token}: when its prompt or negative prompt contains it, since the tokenizer
         * matches added tokens verbatim in the text.
         */
        public boolean uses(String token) {
            return prompt.contains(token) || negativePrompt.contains(token);
        }
    }

    public GenerateJobSettings {
        requests = List.copyOf(requests);
        embeddings = List.copyOf(embeddings);
    }

    static GenerateJobSettings read(Keys k, ConfigObject generate) {
        ConfigList prompts = k.list("prompts");
        List<Request> requests = new ArrayList<>();
        ConfigObject shared = generate.withoutKey("prompts");
        // the shared values on their own first, so that their errors name sdti.generate.<key>
        request(Keys.of(shared.withValue("prompt", ConfigValueFactory.fromAnyRef("-")), k.prefix()),
                ConfigValueFactory.fromMap(java.util.Map.of()));
        for (int i = 0; i < prompts.size(); i++) {
            ConfigValue v = prompts.get(i);
            String at = k.path("prompts") + "[" + i + "]";
            ConfigObject own;
            if (v.valueType() == ConfigValueType.OBJECT) {
                own = (ConfigObject) v;
            } else if (v.valueType() == ConfigValueType.STRING) {
                own = ConfigValueFactory.fromMap(java.util.Map.of("prompt", v.unwrapped()), v.origin().description());
            } else {
                throw new JobConfigException(at, "expected a prompt string or an object { prompt = ..., ... }, got "
                        + Keys.describe(v) + Keys.where(v.origin()));
            }
            requests.add(request(Keys.of(own.withFallback(shared), at), own));
        }
        // the single-machine form's file options have no meaning for a job's many requests
        if (k.optString("latents") != null) {
            throw k.error("latents", "is for sdti generate --prompt ... (one machine) only; a job draws every "
                    + "image's noise from its seed (set seeds instead)");
        }
        if (k.bool("save-latents")) {
            throw k.error("save-latents", "is for sdti generate --prompt ... (one machine) only");
        }
        return new GenerateJobSettings(requests, k.strings("embeddings"), k.intAtLeast("contact-sheet-thumbnail", 0));
    }

    private static Request request(Keys k, ConfigObject own) {
        String prompt = k.string("prompt");
        String scheduler = k.optString("scheduler");
        if (scheduler != null && !Samplers.NAMES.contains(scheduler)) {
            throw k.error("scheduler", "expected null (the model's own) or one of " + String.join(", ",
                    Samplers.NAMES) + ", got \"" + scheduler + "\"");
        }
        boolean ownSeeds = own.containsKey("seed") || own.containsKey("seeds");
        List<Long> seeds = k.longs("seeds");
        if (ownSeeds && !own.containsKey("seeds")) {
            seeds = List.of();
        }
        if (seeds.isEmpty()) {
            // a job needs a seed per image so that a rerun finds what it already rendered
            seeds = List.of(k.isNull("seed") ? 0L : k.longValue("seed"));
        }
        String negative = k.optString("negative-prompt");
        return new Request(prompt, negative == null ? "" : negative, seeds, k.intAtLeast("images-per-prompt", 1),
                k.intAtLeast("steps", 1), k.numberIn("guidance", 0, true, 100, true),
                k.numberIn("eta", 0, true, 1, true), scheduler, size(k, "width"), size(k, "height"));
    }

    private static Integer size(Keys k, String key) {
        if (k.isNull(key)) {
            return null;
        }
        int v = k.intAtLeast(key, 8);
        if (v % 8 != 0) {
            throw k.error(key, "must be a multiple of 8, got " + v);
        }
        return v;
    }

    /** Prompt objects may hold {@code prompt} and the request keys only. */
    static void checkPromptKeys(ConfigObject generate, ConfigObject reference) {
        if (!(generate.get("prompts") instanceof ConfigList prompts)) {
            return;
        }
        Set<String> allowed = new java.util.TreeSet<>(REQUEST_KEYS);
        allowed.retainAll(reference.keySet());
        allowed.add("prompt");
        for (int i = 0; i < prompts.size(); i++) {
            if (prompts.get(i) instanceof ConfigObject o) {
                for (String key : o.keySet()) {
                    if (!allowed.contains(key)) {
                        throw new JobConfigException("sdti.generate.prompts[" + i + "]." + key, "unknown key"
                                + UnknownKeys.suggestion(key, allowed) + Keys.where(o.get(key).origin()));
                    }
                }
            }
        }
    }
}
