package org.sdti.jobs.generate;

import com.typesafe.config.Config;
import java.util.List;
import org.sdti.jobs.cli.BadInputException;
import org.sdti.jobs.config.SdtiConfig;
import org.sdti.model.schedulers.Samplers;

/**
 * {@code sdti generate}'s settings, read once from the merged configuration ({@code sdti.model}, {@code sdti.output}
 * and {@code sdti.generate.*}; see conf/reference.conf) and checked before anything is loaded.
 *
 * @param scheduler a sampler name, or null for the model's own
 * @param seed null for a random seed
 * @param latents a safetensors file with the initial noise, or null
 * @param width null for the model's default (or the latents' size)
 * @param height null for the model's default (or the latents' size)
 */
public record GenerateSettings(
        String model,
        String output,
        List<String> prompts,
        String negativePrompt,
        List<String> embeddings,
        String scheduler,
        int steps,
        double guidance,
        double eta,
        Long seed,
        String latents,
        Integer width,
        Integer height,
        int imagesPerPrompt,
        boolean saveLatents) {

    static final String P = "sdti.generate.";

    public GenerateSettings {
        prompts = List.copyOf(prompts);
        embeddings = List.copyOf(embeddings);
    }

    public static GenerateSettings from(Config c) {
        String model = SdtiConfig.requireString(c, "sdti.model", "--model");
        String output = SdtiConfig.requireString(c, "sdti.output", "--output");
        List<String> prompts = c.getStringList(P + "prompts");
        if (prompts.isEmpty()) {
            throw new BadInputException("no prompt: give --prompt TEXT (repeatable) or " + P + "prompts");
        }
        String scheduler = optString(c, P + "scheduler");
        if (scheduler != null && !Samplers.NAMES.contains(scheduler)) {
            throw new BadInputException("unknown scheduler '" + scheduler + "' (--scheduler / " + P
                    + "scheduler): expected one of " + String.join(", ", Samplers.NAMES));
        }
        int steps = c.getInt(P + "steps");
        if (steps < 1) {
            throw new BadInputException("--steps (" + P + "steps) must be at least 1, not " + steps);
        }
        double guidance = c.getDouble(P + "guidance");
        if (!Double.isFinite(guidance)) {
            throw new BadInputException("--guidance (" + P + "guidance) must be a number, not " + guidance);
        }
        double eta = c.getDouble(P + "eta");
        if (!(eta >= 0) || Double.isInfinite(eta)) {
            throw new BadInputException(P + "eta must be a number >= 0, not " + eta);
        }
        int k = c.getInt(P + "images-per-prompt");
        if (k < 1) {
            throw new BadInputException("--images-per-prompt (" + P + "images-per-prompt) must be at least 1, not " + k);
        }
        Integer width = size(c, "width");
        Integer height = size(c, "height");
        Long seed = c.getIsNull(P + "seed") ? null : c.getLong(P + "seed");
        return new GenerateSettings(model, output, prompts, c.getString(P + "negative-prompt"),
                c.getStringList(P + "embeddings"), scheduler, steps, guidance, eta, seed, optString(c, P + "latents"),
                width, height, k, c.getBoolean(P + "save-latents"));
    }

    private static Integer size(Config c, String key) {
        if (c.getIsNull(P + key)) {
            return null;
        }
        int v = c.getInt(P + key);
        if (v < 8 || v % 8 != 0) {
            throw new BadInputException("--" + key + " (" + P + key + ") must be a positive multiple of 8, not " + v);
        }
        return v;
    }

    private static String optString(Config c, String path) {
        return !c.hasPathOrNull(path) || c.getIsNull(path) || c.getString(path).isBlank() ? null : c.getString(path);
    }
}
