package org.sdti.jobs.evaluate;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.OptionalDouble;
import java.util.OptionalInt;
import org.sdti.dataprep.RgbImage;
import org.sdti.model.pipelines.GenerationRequest;
import org.sdti.model.pipelines.GenerationResult;
import org.sdti.model.pipelines.TextToImage;
import org.sdti.model.pipelines.TokenEmbeddings;

/**
 * Scores a learned concept with an evaluator's probes: each probe's prompt rendered for seeds 0..n-1 with the
 * initializer's rows (before: what the word alone draws) and with the learned rows (after), each picture passed
 * through the probe's test. The same seeds for both, so the two rates differ by the rows alone. A probe with a words
 * version is also rendered with the concept said in words and no learned rows: what the model draws when told,
 * the ceiling a learned token is measured against.
 */
public final class ConceptEvaluation {
    /** Pictures per probe and how to draw them (the model's own sampler and size). */
    public record Settings(int seeds, int steps, double guidance) {}

    /**
     * One probe's hits among {@code seeds} pictures, before and after, and with its words version ({@code inWords}
     * null and {@code words} empty when the probe has none).
     */
    public record ProbeResult(String name, String prompt, int seeds, int before, int after, String inWords,
            OptionalInt words) {
        public double beforeRate() {
            return (double) before / seeds;
        }

        public double afterRate() {
            return (double) after / seeds;
        }

        public OptionalDouble wordsRate() {
            return words.isPresent() ? OptionalDouble.of((double) words.getAsInt() / seeds) : OptionalDouble.empty();
        }
    }

    /** What the concept's pictures agree on, and every probe's result. */
    public record Result(Map<String, String> expected, List<ProbeResult> probes) {
        /** {@code photo 91% (before 3%, in words 100%), composition 78% (before 0%, in words 88%)}. */
        public String summary() {
            List<String> parts = new ArrayList<>();
            for (ProbeResult p : probes) {
                String words = p.wordsRate().isPresent()
                        ? String.format(Locale.ROOT, ", in words %.0f%%", 100 * p.wordsRate().getAsDouble()) : "";
                parts.add(String.format(Locale.ROOT, "%s %.0f%% (before %.0f%%%s)", p.name(), 100 * p.afterRate(),
                        100 * p.beforeRate(), words));
            }
            return String.join(", ", parts);
        }

        /** Hit rates for a report: {@code hits_photo}, {@code hits_photo_before}, {@code hits_photo_words}, ... */
        public Map<String, Double> metrics() {
            Map<String, Double> m = new LinkedHashMap<>();
            for (ProbeResult p : probes) {
                m.put("hits_" + p.name(), p.afterRate());
                m.put("hits_" + p.name() + "_before", p.beforeRate());
                p.wordsRate().ifPresent(w -> m.put("hits_" + p.name() + "_words", w));
            }
            return m;
        }
    }

    private ConceptEvaluation() {}

    /**
     * @param token  the concept's token, as its prompts write it
     * @param before the initializer's rows, {@code [vectors][hidden]}
     * @param after  the learned rows
     */
    public static Result run(TextToImage pipeline, ConceptEvaluator.Judgement judgement, String token,
            float[][] before, float[][] after, Settings settings) {
        List<ProbeResult> results = new ArrayList<>();
        for (ConceptEvaluator.Probe probe : judgement.probes()) {
            String prompt = probe.prompt().replace("{}", token);
            int hitsBefore = hits(pipeline, probe, prompt, List.of(new TokenEmbeddings(token, before)), settings);
            int hitsAfter = hits(pipeline, probe, prompt, List.of(new TokenEmbeddings(token, after)), settings);
            OptionalInt words = probe.inWords() == null ? OptionalInt.empty()
                    : OptionalInt.of(hits(pipeline, probe, probe.inWords(), List.of(), settings));
            results.add(new ProbeResult(probe.name(), prompt, settings.seeds(), hitsBefore, hitsAfter,
                    probe.inWords(), words));
        }
        return new Result(judgement.expected(), results);
    }

    private static int hits(TextToImage pipeline, ConceptEvaluator.Probe probe, String prompt,
            List<TokenEmbeddings> embeddings, Settings s) {
        GenerationResult r = pipeline.generate(GenerationRequest.of(prompt)
                .withEmbeddings(embeddings)
                .withSampler(null, s.steps())
                .withGuidance(s.guidance())
                .withSeed(0)
                .withImagesPerPrompt(s.seeds()));
        int hits = 0;
        for (org.sdti.model.pipelines.RgbImage image : r.images()) {
            if (probe.hit().test(RgbImage.of(image.width(), image.height(), image.rgb()))) {
                hits++;
            }
        }
        return hits;
    }
}
