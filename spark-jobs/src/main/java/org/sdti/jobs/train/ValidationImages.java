package org.sdti.jobs.train;

import java.io.IOException;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Consumer;
import org.sdti.dataprep.PromptTemplates;
import org.sdti.jobs.config.ConceptSpec;
import org.sdti.jobs.config.TrainSettings;
import org.sdti.jobs.generate.GenerationInfo;
import org.sdti.jobs.generate.PngText;
import org.sdti.model.inversion.Trainer;
import org.sdti.model.inversion.TrainerState;
import org.sdti.model.io.OutputFolder;
import org.sdti.model.pipelines.GenerationRequest;
import org.sdti.model.pipelines.GenerationResult;
import org.sdti.model.pipelines.TextToImage;
import org.sdti.model.pipelines.TokenEmbeddings;

/**
 * Validation images of a training state: each prompt ({@code {}} becomes the token) rendered
 * {@code images} times into {@code OUTPUT/validation/NNNNNN/00000.png ...} (prompt-major, as sdti generate). The
 * seeds are the same at every step, so the images of successive steps show what training changed.
 */
final class ValidationImages implements Trainer.Validation {
    static final String FOLDER = "validation";

    private final TextToImage pipeline;
    private final ConceptSpec concept;
    private final TrainSettings.Validation v;
    private final List<String> prompts;
    private final int resolution;
    private final OutputFolder out;
    private final Consumer<String> log;

    /** @param resolution the side in pixels the concept trained at: its images are drawn at that size too */
    ValidationImages(TextToImage pipeline, ConceptSpec concept, int resolution, OutputFolder out,
            Consumer<String> log) {
        this.pipeline = pipeline;
        this.resolution = resolution;
        this.concept = concept;
        this.v = concept.train().validation();
        List<String> asked = v.prompts().isEmpty() ? List.of(PromptTemplates.of(concept.property()).get(0))
                : v.prompts();
        this.prompts = asked.stream().map(p -> p.replace(PromptTemplates.SLOT, concept.token())).toList();
        this.out = out;
        this.log = log;
    }

    /** Whether any image is asked for. */
    boolean enabled() {
        return v.images() > 0;
    }

    @Override
    public void render(TrainerState state) throws IOException {
        if (!enabled()) {
            return;
        }
        long t0 = System.nanoTime();
        GenerationRequest request = GenerationRequest.of(prompts.toArray(String[]::new))
                .withImagesPerPrompt(v.images())
                .withEmbeddings(List.of(new TokenEmbeddings(concept.token(), state.rowMatrix())))
                .withSampler(null, v.steps())
                .withGuidance(v.guidance())
                .withSeed(v.seed())
                .withSize(resolution, resolution);
        GenerationResult r = pipeline.generate(request);
        String dir = String.format(Locale.ROOT, "%s/%06d/", FOLDER, state.step());
        for (int i = 0; i < r.images().size(); i++) {
            String prompt = prompts.get(i / v.images());
            String text = String.format(Locale.ROOT, "%s%nSteps: %d, Sampler: %s, CFG scale: %s, Seed: %d, "
                            + "Size: %dx%d, Training step: %d", prompt, v.steps(), GenerationInfo.a1111Sampler(r.sampler()), v.guidance(),
                    request.imageSeed(i), r.width(), r.height(), state.step());
            byte[] png = PngText.encode(r.images().get(i).toBufferedImage(), Map.of("parameters", text));
            out.write(dir + String.format(Locale.ROOT, "%05d.png", i), o -> o.write(png));
        }
        log.accept(String.format(Locale.ROOT, "validation: %d image(s) in %s (%.1f s)", r.images().size(),
                out.uri(dir), (System.nanoTime() - t0) / 1e9));
    }
}
