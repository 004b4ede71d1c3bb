package org.sdti.jobs.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.sdti.model.BadInputException;

/** sdti.generate is parsed once: the job form and the flag form accept and refuse the same values the same way. */
class GenerateSettingsTest {
    private static final String BASE = "sdti.model = /m\nsdti.output = /o\n";

    /** The job form: a job file's sdti.generate, with a HOCON value as written. */
    static JobConfig job(String key, String hocon) {
        return JobConfig.from(ConfigFactory.parseString(BASE + "sdti.generate.prompts = [a]\nsdti.generate." + key
                + " = " + hocon).withFallback(ConfigFactory.defaultReference()).resolve());
    }

    /** The flag form: sdti generate --prompt a --KEY value, as GenerateCommand layers and reads its flags. */
    static GenerateSettings flags(String key, Object value) {
        Map<String, Object> f = new HashMap<>(Map.of("sdti.model", "/m", "sdti.output", "/o",
                "sdti.generate.prompts", List.of("a")));
        f.put("sdti.generate." + key, value);
        return singleMachine(SdtiConfig.load(null, f));
    }

    /** What GenerateCommand reads: the section, and its prompts as one request. */
    static GenerateSettings singleMachine(Config merged) {
        GenerateSettings s = GenerateSettings.from(merged);
        s.singleMachinePrompts();
        return s;
    }

    static void refusedAlike(String key, String hocon, Object flag, String message) {
        assertEquals(message, assertThrows(JobConfigException.class, () -> job(key, hocon)).getMessage(),
                "job form");
        assertEquals(message, assertThrows(JobConfigException.class, () -> flags(key, flag)).getMessage(),
                "flag form");
    }

    @Test
    void aBadValueNamesItsKeyInBothForms() {
        refusedAlike("steps", "-3", -3, "sdti.generate.steps: must be >= 1, got -3");
        refusedAlike("images-per-prompt", "0", 0, "sdti.generate.images-per-prompt: must be >= 1, got 0");
        refusedAlike("guidance", "150", 150.0, "sdti.generate.guidance: must be in [0, 100], got 150");
        refusedAlike("guidance", "-1.5", -1.5, "sdti.generate.guidance: must be in [0, 100], got -1.5");
        refusedAlike("eta", "1.5", 1.5, "sdti.generate.eta: must be in [0, 1], got 1.5");
        refusedAlike("width", "20", 20, "sdti.generate.width: must be a multiple of 8, got 20");
        refusedAlike("height", "0", 0, "sdti.generate.height: must be >= 8, got 0");
        refusedAlike("scheduler", "plms", "plms", "sdti.generate.scheduler: expected null (the model's own) or one "
                + "of ddim, euler, dpmpp-2m, dpmpp-2m-karras, ddpm, got \"plms\"");
        refusedAlike("seed", "soon", "soon", "sdti.generate.seed: expected an integer, got \"soon\"");
        refusedAlike("contact-sheet-thumbnail", "-1", -1, "sdti.generate.contact-sheet-thumbnail: must be >= 0, "
                + "got -1");
        refusedAlike("stpes", "3", 3, "sdti.generate.stpes: unknown key (did you mean steps?)");
    }

    @Test
    void bothFormsReadTheSameValues() {
        GenerateSettings j = job("steps", "4\nsdti.generate { guidance = 3, eta = 0.5, seed = 9, width = 64, "
                + "negative-prompt = blurry, scheduler = euler, images-per-prompt = 2 }").generate();
        Map<String, Object> f = new HashMap<>(Map.of("sdti.model", "/m", "sdti.output", "/o",
                "sdti.generate.prompts", List.of("a"), "sdti.generate.steps", 4, "sdti.generate.guidance", 3.0,
                "sdti.generate.eta", 0.5, "sdti.generate.seed", 9L, "sdti.generate.width", 64,
                "sdti.generate.negative-prompt", "blurry", "sdti.generate.scheduler", "euler"));
        f.put("sdti.generate.images-per-prompt", 2);
        GenerateSettings local = singleMachine(SdtiConfig.load(null, f));
        assertEquals(j, local);
        GenerateSettings.Request r = j.requests().get(0);
        assertEquals(new GenerateSettings.Request("a", "blurry", List.of(9L), 2, 4, 3.0, 0.5, "euler", 64, null), r);
        assertEquals(List.of("a"), local.singleMachinePrompts());
        assertEquals(9L, local.seed());
        assertEquals(4, local.defaults().steps());
        assertEquals("blurry", local.defaults().negativePrompt());
        assertNull(local.defaults().height());
    }

    @Test
    void eachFormRefusesWhatOnlyTheOtherCanDo() {
        assertEquals("sdti.generate.latents: is for sdti generate --prompt ... (one machine) only; a job draws "
                + "every image's noise from its seed (set seeds instead)",
                assertThrows(JobConfigException.class, () -> job("latents", "/noise.safetensors")).getMessage());
        assertEquals("/noise.safetensors", flags("latents", "/noise.safetensors").latents());
        // one machine renders its prompts as one request: a prompt's own settings need the job form
        assertEquals("sdti.generate.prompts[0]: settings of one prompt are for the job form (generate --config "
                + "JOB without --prompt); here they apply to every prompt", assertThrows(JobConfigException.class,
                () -> singleMachine(ConfigFactory.parseString(BASE
                        + "sdti.generate.prompts = [{ prompt = a, steps = 3 }]")
                        .withFallback(ConfigFactory.defaultReference()).resolve())).getMessage());
        Map<String, Object> f = Map.of("sdti.model", "/m", "sdti.output", "/o");
        assertEquals("no prompt: give --prompt TEXT (repeatable) or sdti.generate.prompts", assertThrows(
                BadInputException.class, () -> singleMachine(SdtiConfig.load(null, f))).getMessage());
    }
}
