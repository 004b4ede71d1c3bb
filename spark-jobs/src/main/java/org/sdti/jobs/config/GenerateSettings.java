package org.sdti.jobs.config;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigList;
import com.typesafe.config.ConfigObject;
import com.typesafe.config.ConfigValue;
import com.typesafe.config.ConfigValueFactory;
import com.typesafe.config.ConfigValueType;
import java.io.Serializable;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.sdti.model.BadInputException;
import org.sdti.model.pipelines.ImageGeometry;
import org.sdti.model.schedulers.Samplers;
import org.sdti.model.text.ClipTokenizer;

/**
 * {@code sdti.generate}, parsed and checked once for both forms of generate: the job (every entry of
 * {@code prompts}, each a string or an object with {@code prompt} and overrides of the {@link #REQUEST_KEYS}) and
 * {@code sdti generate --prompt ...} on one machine, whose flags are only the top layer of the same configuration.
 * So a bad value is refused the same way in both, naming the key: {@code sdti.generate.steps: must be >= 1, got -3}.
 *
 * @param defaults       the section's own values as a request (prompt ""), i.e. what a plain prompt string gets
 * @param requests       one per entry of {@code prompts}, in order
 * @param seed           {@code seed} as given: null is a random seed on one machine, 0 in a job (see {@code defaults})
 * @param embeddings     learned-embedding files whose tokens prompts may use besides the job's own concepts
 * @param latents        initial-noise file (one machine only), or null to draw the noise from the seed
 * @param sheetThumbnail the longest side of an image on a contact sheet in pixels (smaller images are enlarged by a
 *                       whole factor); 0: no contact sheets
 */
public record GenerateSettings(Request defaults, List<Request> requests, Long seed, List<String> embeddings,
                               String latents, boolean saveLatents, int sheetThumbnail) implements Serializable {

    /** Keys of sdti.generate that a prompt object may override. */
    static final Set<String> REQUEST_KEYS = Set.of("negative-prompt", "scheduler", "steps", "guidance", "eta",
            "seed", "seeds", "width", "height", "images-per-prompt");

    /**
     * One prompt to render {@code imagesPerPrompt} times per seed (image i of a seed s uses s + i).
     *
     * @param seeds     {@code seeds}, or else {@code [seed]}, or {@code [0]} (a job needs a seed per image so that a
     *                  rerun finds what it already rendered)
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

        Request withPrompt(String p) {
            return new Request(p, negativePrompt, seeds, imagesPerPrompt, steps, guidance, eta, scheduler, width,
                    height);
        }
    }

    public GenerateSettings {
        requests = List.copyOf(requests);
        embeddings = List.copyOf(embeddings);
    }

    /** These settings with only {@code requests} (a job narrowed to some of its concepts). */
    public GenerateSettings withRequests(List<Request> requests) {
        return new GenerateSettings(defaults, requests, seed, embeddings, latents, saveLatents, sheetThumbnail);
    }

    /**
     * {@code sdti.generate} of a merged configuration ({@link SdtiConfig#load}) for {@code sdti generate --prompt};
     * the section's keys are checked as in a job file (unknown keys included), the rest of the file is not read.
     */
    public static GenerateSettings from(Config merged) {
        Keys sdti = new Keys(merged, "").child("sdti");
        ConfigObject generate = sdti.object("generate");
        ConfigObject reference = SdtiConfig.reference().getObject("sdti.generate");
        UnknownKeys.walk(generate, reference, "sdti.generate");
        checkPromptKeys(generate, reference);
        return read(sdti.child("generate"), generate);
    }

    /** The job form: {@link #read}, refusing the keys that only the single-machine form can honour. */
    static GenerateSettings forJob(Keys k, ConfigObject generate) {
        GenerateSettings s = read(k, generate);
        // the single-machine form's file options have no meaning for a job's many requests
        if (s.latents() != null) {
            throw k.error("latents", "is for sdti generate --prompt ... (one machine) only; a job draws every "
                    + "image's noise from its seed (set seeds instead)");
        }
        if (s.saveLatents()) {
            throw k.error("save-latents", "is for sdti generate --prompt ... (one machine) only");
        }
        return s;
    }

    static GenerateSettings read(Keys k, ConfigObject generate) {
        ConfigObject shared = generate.withoutKey("prompts");
        // the shared values on their own first, so that their errors name sdti.generate.<key>
        Request defaults = request(Keys.of(shared, k.prefix()), ConfigValueFactory.fromMap(Map.of()));
        Long seed = k.isNull("seed") ? null : k.longValue("seed");
        ConfigList prompts = k.list("prompts");
        List<Request> requests = new ArrayList<>();
        for (int i = 0; i < prompts.size(); i++) {
            ConfigValue v = prompts.get(i);
            String at = k.path("prompts") + "[" + i + "]";
            ConfigObject own;
            if (v.valueType() == ConfigValueType.OBJECT) {
                own = (ConfigObject) v;
            } else if (v.valueType() == ConfigValueType.STRING) {
                own = ConfigValueFactory.fromMap(Map.of("prompt", v.unwrapped()), v.origin().description());
            } else {
                throw new JobConfigException(at, "expected a prompt string or an object { prompt = ..., ... }, got "
                        + Keys.describe(v) + Keys.where(v.origin()));
            }
            Keys pk = Keys.of(own.withFallback(shared), at);
            pk.string("prompt");
            requests.add(request(pk, own));
        }
        return new GenerateSettings(defaults, requests, seed, k.strings("embeddings"), k.optString("latents"),
                k.bool("save-latents"), k.intAtLeast("contact-sheet-thumbnail", 0));
    }

    /**
     * The prompts of {@code sdti generate --prompt ...}: at least one, all with the section's own settings (one
     * machine renders them as one request).
     */
    public List<String> singleMachinePrompts() {
        if (requests.isEmpty()) {
            throw new BadInputException("no prompt: give --prompt TEXT (repeatable) or sdti.generate.prompts");
        }
        List<String> out = new ArrayList<>(requests.size());
        for (int i = 0; i < requests.size(); i++) {
            Request r = requests.get(i);
            if (!r.equals(defaults.withPrompt(r.prompt()))) {
                throw new JobConfigException("sdti.generate.prompts[" + i + "]", "settings of one prompt are for "
                        + "the job form (generate --config JOB without --prompt); here they apply to every prompt");
            }
            out.add(r.prompt());
        }
        return out;
    }

    /** Checked here, so that a megabyte prompt exits 2 before any weights load, naming its key. */
    private static void checkLength(Keys k, String key, String text) {
        if (text != null && text.length() > ClipTokenizer.MAX_TEXT_CHARS) {
            throw k.error(key, "is " + text.length() + " characters, more than " + ClipTokenizer.MAX_TEXT_CHARS
                    + " (the cap on text length; a prompt keeps 75 tokens)");
        }
    }

    private static Request request(Keys k, ConfigObject own) {
        String prompt = k.optString("prompt");
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
            seeds = List.of(k.isNull("seed") ? 0L : k.longValue("seed"));
        }
        String negative = k.optString("negative-prompt");
        checkLength(k, "prompt", prompt);
        checkLength(k, "negative-prompt", negative);
        return new Request(prompt == null ? "" : prompt, negative == null ? "" : negative, seeds,
                k.intAtLeast("images-per-prompt", 1), k.intAtLeast("steps", 1),
                k.numberIn("guidance", 0, true, 100, true), k.numberIn("eta", 0, true, 1, true), scheduler,
                size(k, "width"), size(k, "height"));
    }

    private static Integer size(Keys k, String key) {
        if (k.isNull(key)) {
            return null;
        }
        int v = k.intAtLeast(key, 8);
        if (v > ImageGeometry.MAX_SIDE) {
            throw k.error(key, "must be at most " + ImageGeometry.MAX_SIDE + " (the cap on image sides), got " + v);
        }
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
