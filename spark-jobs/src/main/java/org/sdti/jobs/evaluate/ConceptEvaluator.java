package org.sdti.jobs.evaluate;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Predicate;
import org.sdti.dataprep.RgbImage;

/**
 * Judges what a model draws for a learned concept, for models whose world it knows: from the concept's own
 * pictures it decides what a picture of the concept must show, then offers probes, prompts whose pictures it can
 * score. The toy world's classifier is one ({@link WorldEvaluator}); a CLIP model could be another.
 */
public interface ConceptEvaluator {

    /**
     * A prompt to render and the test each of its pictures must pass.
     *
     * @param name    short key in reports ({@code photo}, {@code composition})
     * @param prompt  the prompt with {@code {}} where the concept's token goes
     * @param inWords the same prompt with the concept described in the model's words ("a photo of a blue cross"),
     *                or null: what the base model draws when told in words, the ceiling for a learned token
     */
    record Probe(String name, String prompt, String inWords, Predicate<RgbImage> hit) {}

    /** What the concept's pictures agree on, and the probes to score; empty when this evaluator cannot judge them. */
    record Judgement(Map<String, String> expected, List<Probe> probes) {}

    /**
     * @param property       {@code object} or {@code style}: which template the photo probe uses
     * @param conceptImages  the pictures the concept was learned from
     */
    Optional<Judgement> judge(String property, List<RgbImage> conceptImages);

    /** The evaluator for a model that declares its world ({@code _sdti_world} in model_index.json), if sdti has one. */
    static Optional<ConceptEvaluator> forWorld(String world) {
        return WorldEvaluator.WORLD.equals(world) ? Optional.of(new WorldEvaluator()) : Optional.empty();
    }
}
