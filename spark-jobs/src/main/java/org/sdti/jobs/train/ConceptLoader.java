package org.sdti.jobs.train;

import java.io.IOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Consumer;
import org.apache.hadoop.conf.Configuration;
import org.sdti.dataprep.CaptionPrompts;
import org.sdti.dataprep.ConceptPreparer;
import org.sdti.dataprep.HadoopFolder;
import org.sdti.dataprep.NoUsableImageException;
import org.sdti.dataprep.Placeholder;
import org.sdti.dataprep.PreparationResult;
import org.sdti.dataprep.PrepareOptions;
import org.sdti.dataprep.PreparedImage;
import org.sdti.dataprep.PromptTemplates;
import org.sdti.dataprep.Rejection;
import org.sdti.jobs.config.ConceptSpec;
import org.sdti.model.BadInputException;
import org.sdti.model.inversion.ConceptData;
import org.sdti.model.inversion.LatentEncoder;
import org.sdti.model.inversion.LatentExample;
import org.sdti.model.text.ClipTokenizer;

/**
 * A concept folder to what the trainer needs on one machine: prepared examples (flips included), their prompts as
 * token ids, and their latent Gaussians, VAE-encoded once.
 */
final class ConceptLoader {
    private final ConceptSpec concept;
    private final Configuration conf;
    private final Consumer<String> log;

    ConceptLoader(ConceptSpec concept, Configuration conf, Consumer<String> log) {
        this.concept = concept;
        this.conf = conf;
        this.log = log;
    }

    /** The folder's examples; a folder that is missing or gives no usable image is bad input. */
    PreparationResult prepare(PrepareOptions options) throws IOException {
        PreparationResult r;
        try {
            r = new ConceptPreparer(options).prepare(concept.name(), concept.images(),
                    HadoopFolder.list(concept.images(), conf));
        } catch (NoUsableImageException e) {
            throw new BadInputException(e.getMessage(), e);
        }
        for (Rejection x : r.rejected()) {
            log.accept("skipped " + x.message());
        }
        log.accept(r.acceptedImages() + " image(s) of " + concept.images() + " give " + r.examples().size()
                + " examples at " + options.resolution() + "x" + options.resolution());
        return r;
    }

    /**
     * Each example's prompts as ids: the templates, or its caption when captions are on. Texts are encoded with the
     * bare token, which the tokenizer expands to all the vectors (each once, as the reference's
     * {@code "<tok> <tok>_1 ..."}); examples with the same prompts share one list. A caption that pushes the token
     * beyond the encoder's 77 ids is reported and its picture trains on the templates.
     */
    List<List<int[]>> prompts(PreparationResult r, List<String> templates, ClipTokenizer tokenizer) {
        Placeholder placeholder = concept.placeholder();
        int first = tokenizer.tokenId(placeholder.token()).orElseThrow();
        List<int[]> fromTemplates = templates.stream()
                .map(t -> tokenizer.encode(PromptTemplates.fill(t, placeholder.token()))).toList();
        Map<String, List<int[]>> captions = new HashMap<>();
        List<List<int[]>> out = new ArrayList<>();
        for (PreparedImage e : r.examples()) {
            if (!concept.captions() || e.caption().isEmpty()) {
                out.add(fromTemplates);
                continue;
            }
            List<int[]> ids = captions.computeIfAbsent(e.caption().get(), c -> {
                String prompt = CaptionPrompts.prompt(c, placeholder);
                int[] row = tokenizer.encode(prompt.replace(placeholder.text(), placeholder.token()));
                if (java.util.Arrays.stream(row).noneMatch(id -> id == first)) {
                    log.accept("caption of " + e.source() + " not used: the token falls beyond the text encoder's "
                            + row.length + " ids; the picture trains on the templates");
                    return fromTemplates;
                }
                return List.of(row);
            });
            out.add(ids);
        }
        return out;
    }

    /** VAE-encodes every example once. */
    ConceptData encode(PreparationResult r, List<List<int[]>> prompts, LatentEncoder encoder, int resolution) {
        List<LatentExample> examples = new ArrayList<>();
        long t0 = System.nanoTime();
        for (int i = 0; i < r.examples().size(); i++) {
            examples.add(encoder.encode(r.examples().get(i).toChwFloats(), resolution, prompts.get(i)));
        }
        log.accept(String.format(Locale.ROOT, "encoded %d examples to latents in %.1f s", examples.size(),
                (System.nanoTime() - t0) / 1e9));
        return encoder.concept(concept.name(), resolution, examples);
    }
}
