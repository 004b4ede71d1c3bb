package org.sdti.jobs.cli;

import java.util.HashMap;
import java.util.Map;
import picocli.CommandLine.Option;

/**
 * {@code --scheduler}, {@code --steps} and {@code --guidance}, a picocli mixin for the commands that render with
 * generate's settings (generate, evaluate-model): one declaration, so they read the same and default to the same
 * {@code sdti.generate} values.
 */
final class SamplingFlags {
    @Option(names = "--scheduler", paramLabel = "NAME",
            description = "Sampler: ddim, euler, dpmpp-2m, dpmpp-2m-karras or ddpm; default: the model folder's "
                    + "scheduler class (dpmpp-2m when sdti does not implement it).")
    String scheduler;

    @Option(names = "--steps", paramLabel = "N", description = "Sampler steps; default: ${bundle:sdti.generate.steps}.")
    Integer steps;

    @Option(names = "--guidance", paramLabel = "G",
            description = "Classifier-free guidance scale (at most 1: off); default: "
                    + "${bundle:sdti.generate.guidance}.")
    Double guidance;

    /** The flags keyed by their config path (a null value: not given). */
    Map<String, Object> flags() {
        Map<String, Object> f = new HashMap<>();
        f.put("sdti.generate.scheduler", scheduler);
        f.put("sdti.generate.steps", steps);
        f.put("sdti.generate.guidance", guidance);
        return f;
    }
}
