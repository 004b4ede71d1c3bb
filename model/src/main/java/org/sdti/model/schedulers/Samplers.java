package org.sdti.model.schedulers;

import java.util.List;
import java.util.Locale;
import org.sdti.model.config.SchedulerConfig;

/**
 * Builds samplers by name or from a model's {@code scheduler_config.json}. A named sampler takes the noise
 * schedule, prediction type and spacing from the config whatever its {@code _class_name} (keys the file does not
 * set take the sampler's own defaults, as diffusers' from_config does).
 *
 * <p>Config classes sdti does not implement (PNDMScheduler in SD 2.1-base, LMS, UniPC, ...) map to
 * {@link #FALLBACK}, DPM-Solver++ 2M: deterministic, works for epsilon and v-prediction, and reaches DDIM's
 * quality at 20-25 steps, where PNDM-class configs are normally run.
 */
public final class Samplers {
    public static final String DDIM = "ddim";
    public static final String EULER = "euler";
    public static final String DPMPP_2M = "dpmpp-2m";
    public static final String DPMPP_2M_KARRAS = "dpmpp-2m-karras";
    public static final String DDPM = "ddpm";
    public static final List<String> NAMES = List.of(DDIM, EULER, DPMPP_2M, DPMPP_2M_KARRAS, DDPM);

    /** The sampler for configs whose class sdti does not implement. */
    public static final String FALLBACK = DPMPP_2M;

    private Samplers() {}

    /** A fresh sampler (one loop's state) for {@code steps} U-Net evaluations; null options mean defaults. */
    public static Sampler create(String name, SchedulerConfig cfg, int steps, SamplerOptions options) {
        if (options == null) {
            options = SamplerOptions.DEFAULTS;
        }
        String key = name == null ? "" : name.trim().toLowerCase(Locale.ROOT);
        return switch (key) {
            case DDIM -> DdimSampler.create(cfg, steps, options.eta());
            case EULER -> EulerSampler.create(cfg, steps);
            case DPMPP_2M -> DpmSolverSampler.create(cfg, steps, false);
            case DPMPP_2M_KARRAS -> DpmSolverSampler.create(cfg, steps, true);
            case DDPM -> DdpmSampler.create(cfg, steps);
            default -> throw new IllegalArgumentException("unknown sampler \"" + name + "\"; expected one of "
                    + String.join(", ", NAMES));
        };
    }

    public static Sampler create(String name, SchedulerConfig cfg, int steps) {
        return create(name, cfg, steps, SamplerOptions.DEFAULTS);
    }

    /** The sampler the config's {@code _class_name} asks for, or {@link #FALLBACK} with a note saying why. */
    public static SamplerChoice choose(SchedulerConfig cfg) {
        String cls = cfg.className();
        return switch (cls) {
            case "DDIMScheduler" -> followed(DDIM);
            case "EulerDiscreteScheduler" -> followed(EULER);
            case "DDPMScheduler" -> followed(DDPM);
            case "DPMSolverMultistepScheduler" -> dpm(cfg);
            default -> new SamplerChoice(FALLBACK, true, cfg.source() + ": scheduler class " + cls
                    + " is not implemented by sdti; using " + FALLBACK + " (DPM-Solver++ 2M). Name a sampler ("
                    + String.join(", ", NAMES) + ") to choose another.");
        };
    }

    /** {@code create(choose(cfg).name(), cfg, steps, options)}. */
    public static Sampler fromConfig(SchedulerConfig cfg, int steps, SamplerOptions options) {
        return create(choose(cfg).name(), cfg, steps, options);
    }

    private static SamplerChoice followed(String name) {
        return new SamplerChoice(name, false, "");
    }

    private static SamplerChoice dpm(SchedulerConfig cfg) {
        String name = Settings.optBool(cfg, "use_karras_sigmas", false) ? DPMPP_2M_KARRAS : DPMPP_2M;
        String algorithm = Settings.optString(cfg, "algorithm_type", "dpmsolver++");
        String order = cfg.isSet("solver_order") ? String.valueOf(cfg.json().optInt("solver_order", 2)) : "2";
        // diffusers itself runs "deis" configs as dpmsolver++
        boolean plusPlus = algorithm.equals("dpmsolver++") || algorithm.equals("deis");
        if (plusPlus && order.equals("2")) {
            return followed(name);
        }
        return new SamplerChoice(name, true, cfg.source() + ": DPMSolverMultistepScheduler with algorithm_type="
                + algorithm + ", solver_order=" + order + " is not implemented by sdti; using " + name
                + " (DPM-Solver++ 2M).");
    }
}
