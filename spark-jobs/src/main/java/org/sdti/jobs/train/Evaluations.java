package org.sdti.jobs.train;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.function.Consumer;
import org.sdti.dataprep.PreparationResult;
import org.sdti.dataprep.PreparedImage;
import org.sdti.dataprep.RgbImage;
import org.sdti.jobs.config.ConceptSpec;
import org.sdti.jobs.config.TrainSettings;
import org.sdti.jobs.evaluate.ConceptEvaluation;
import org.sdti.jobs.evaluate.ConceptEvaluator;
import org.sdti.model.io.OutputFolder;
import org.sdti.model.pipelines.TextToImage;

/**
 * A finished concept's hit rates ({@code sdti.train.evaluation}), when its model declares a world sdti can judge
 * and the concept's pictures agree on something there: logged, and written to {@code OUTPUT/evaluation.json}.
 */
final class Evaluations {
    static final String FILE = "evaluation.json";
    private static final ObjectMapper JSON = new ObjectMapper();

    private Evaluations() {}

    /** The result, or null when there is nothing to judge (another kind of model, evaluation off, no agreement). */
    static ConceptEvaluation.Result evaluate(String world, ConceptSpec concept, PreparationResult prepared,
            TextToImage pipeline, float[][] before, float[][] after, OutputFolder out, Consumer<String> log)
            throws IOException {
        TrainSettings.Evaluation e = concept.train().evaluation();
        Optional<ConceptEvaluator> evaluator = world == null ? Optional.empty() : ConceptEvaluator.forWorld(world);
        if (e.seeds() == 0 || evaluator.isEmpty()) {
            return null;
        }
        List<RgbImage> pictures = prepared.examples().stream()
                .filter(p -> p.variant() == PreparedImage.Variant.ORIGINAL).map(PreparedImage::pixels).toList();
        Optional<ConceptEvaluator.Judgement> judgement = evaluator.get()
                .judge(concept.property().name().toLowerCase(Locale.ROOT), pictures);
        if (judgement.isEmpty()) {
            log.accept("evaluation: the concept's pictures agree on no colour or shape of the " + world
                    + " world; not evaluated");
            return null;
        }
        long t0 = System.nanoTime();
        ConceptEvaluation.Result r = ConceptEvaluation.run(pipeline, judgement.get(), concept.token(), before, after,
                new ConceptEvaluation.Settings(e.seeds(), e.steps(), e.guidance()));
        log.accept(String.format(Locale.ROOT, "evaluation (%s, %d seeds, %.1f s): %s", r.expected(), e.seeds(),
                (System.nanoTime() - t0) / 1e9, r.summary()));
        out.write(FILE, o -> o.write(toJson(world, r).toPrettyString().getBytes(StandardCharsets.UTF_8)));
        return r;
    }

    static ObjectNode toJson(String world, ConceptEvaluation.Result r) {
        ObjectNode n = JSON.createObjectNode();
        n.put("world", world);
        ObjectNode expected = n.putObject("expected");
        r.expected().forEach(expected::put);
        var probes = n.putArray("probes");
        for (ConceptEvaluation.ProbeResult p : r.probes()) {
            ObjectNode probe = probes.addObject().put("name", p.name()).put("prompt", p.prompt())
                    .put("seeds", p.seeds()).put("hits_before", p.before()).put("hits_after", p.after())
                    .put("rate_before", p.beforeRate()).put("rate_after", p.afterRate());
            if (p.words().isPresent()) {
                probe.put("prompt_in_words", p.inWords()).put("hits_in_words", p.words().getAsInt())
                        .put("rate_in_words", p.wordsRate().getAsDouble());
            }
        }
        return n;
    }
}
