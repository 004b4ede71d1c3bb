package org.sdti.jobs.generate;

import com.typesafe.config.Config;
import java.util.List;
import org.sdti.jobs.config.SdtiConfig;

/**
 * {@code sdti generate --prompt ...}'s settings: the model, the output and {@code sdti.generate} as
 * {@link org.sdti.jobs.config.GenerateSettings} parses and checks it for the job too (the flags are the top layer
 * of the merged configuration), read once before anything is loaded. The accessors below are that section's values
 * for the single request a machine renders.
 *
 * @param prompts at least one, all with the section's own settings
 */
public record GenerateSettings(String model, String output, List<String> prompts,
                               org.sdti.jobs.config.GenerateSettings section) {

    public GenerateSettings {
        prompts = List.copyOf(prompts);
    }

    public static GenerateSettings from(Config c) {
        String model = SdtiConfig.requireString(c, "sdti.model", "--model");
        String output = SdtiConfig.requireString(c, "sdti.output", "--output");
        org.sdti.jobs.config.GenerateSettings section = org.sdti.jobs.config.GenerateSettings.from(c);
        return new GenerateSettings(model, output, section.singleMachinePrompts(), section);
    }

    public String negativePrompt() {
        return section.defaults().negativePrompt();
    }

    public List<String> embeddings() {
        return section.embeddings();
    }

    /** A sampler name, or null for the model's own. */
    public String scheduler() {
        return section.defaults().scheduler();
    }

    public int steps() {
        return section.defaults().steps();
    }

    public double guidance() {
        return section.defaults().guidance();
    }

    public double eta() {
        return section.defaults().eta();
    }

    /** Null for a random seed. */
    public Long seed() {
        return section.seed();
    }

    /** A safetensors file with the initial noise, or null. */
    public String latents() {
        return section.latents();
    }

    /** Null for the model's default (or the latents' size). */
    public Integer width() {
        return section.defaults().width();
    }

    /** Null for the model's default (or the latents' size). */
    public Integer height() {
        return section.defaults().height();
    }

    public int imagesPerPrompt() {
        return section.defaults().imagesPerPrompt();
    }

    public boolean saveLatents() {
        return section.saveLatents();
    }
}
