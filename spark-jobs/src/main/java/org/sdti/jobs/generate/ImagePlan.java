package org.sdti.jobs.generate;

import java.io.FileNotFoundException;
import java.io.IOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.Path;
import org.sdti.jobs.config.GenerateSettings.Request;
import org.sdti.jobs.config.JobConfig;
import org.sdti.jobs.config.JobConfigException;
import org.sdti.jobs.runtime.Fingerprint;
import org.sdti.jobs.runtime.ModelIds;
import org.sdti.jobs.runtime.OutputLayout;
import org.sdti.model.io.ModelSource;
import org.sdti.model.pipelines.ImageGeometry;
import org.sdti.model.schedulers.SamplerChoice;
import org.sdti.model.schedulers.Samplers;
import org.sdti.model.text.ClipTokenizer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What a generate run has to do, worked out on the driver before any rendering: every request expanded to its
 * images (prompt × seed × images per prompt, in that order), each with its folder and deterministic name, the ones
 * already on disk found by name, and the rest grouped into {@link Batch}es.
 *
 * <p>An image's id hashes the model id (the U-Net, text encoder and VAE ids of {@link ModelIds}, the tokenizer
 * files and the scheduler config) and every parameter that shapes its pixels: prompt, negative prompt, batch seed,
 * images per prompt, index in the batch, steps, resolved sampler, guidance, eta, resolved size, and each learned
 * token used with its file's SHA-256. A file with that name exists only if it was written whole (temporary name,
 * then rename), so its presence means the image is done. Retraining a concept changes its file's hash, hence the
 * names: the new images are rendered and the old ones left in place (no longer in the manifest).
 */
final class ImagePlan {
    private static final Logger LOG = LoggerFactory.getLogger(ImagePlan.class);
    private static final Pattern TOKEN_LIKE = Pattern.compile("<[^<>\\s]+>");

    /** A manifest row and the batch that renders it (-1: nothing to render, the row's status is final). */
    record Entry(ManifestRow row, int batch) {}

    private final List<Entry> entries;
    private final List<Batch> batches;
    private final String modelId;

    private ImagePlan(List<Entry> entries, List<Batch> batches, String modelId) {
        this.entries = List.copyOf(entries);
        this.batches = List.copyOf(batches);
        this.modelId = modelId;
    }

    List<Entry> entries() {
        return entries;
    }

    List<Batch> batches() {
        return batches;
    }

    String modelId() {
        return modelId;
    }

    static ImagePlan of(JobConfig job, ModelSource model, ClipTokenizer tokenizer, JobVocabulary vocabulary,
                        OutputLayout layout) throws IOException {
        String modelId = modelId(model);
        String modelName = GenerationInfo.modelName(model);
        SamplerChoice fallback = Samplers.choose(model.schedulerConfig());
        Set<String> known = new HashSet<>();
        job.concepts().forEach(c -> known.addAll(c.placeholder().tokens()));
        Map<String, Set<String>> existing = new HashMap<>();
        Map<String, Integer> scheduled = new HashMap<>();
        List<Entry> entries = new ArrayList<>();
        List<Batch> batches = new ArrayList<>();
        List<Request> requests = job.generate().requests();
        boolean noted = false;
        for (int r = 0; r < requests.size(); r++) {
            Request q = requests.get(r);
            String key = "sdti.generate.prompts[" + r + "]";
            List<JobVocabulary.Learned> concepts = vocabulary.conceptsOf(q);
            List<EmbeddingLoader.Loaded> used = new ArrayList<>();
            concepts.stream().map(JobVocabulary.Learned::embedding).filter(Objects::nonNull).forEach(used::add);
            used.addAll(vocabulary.filesOf(q));
            String missing = concepts.stream().map(JobVocabulary.Learned::missing).filter(Objects::nonNull)
                    .collect(Collectors.joining("; "));
            String concept = concepts.size() == 1 ? concepts.get(0).concept().name() : null;
            String folder = concept != null ? concept : OutputLayout.GENERATE;
            String sampler = q.scheduler() != null ? q.scheduler() : fallback.name();
            if (q.scheduler() == null && fallback.fallback() && !noted) {
                LOG.info("generate: {}", fallback.note());
                noted = true;
            }
            ImageGeometry size;
            try {
                size = ImageGeometry.resolve(Requests.of(List.of(q.prompt()), q.negativePrompt(),
                        q.imagesPerPrompt(), List.of(), sampler, q.steps(), q.guidance(), q.eta(), 0L, null,
                        q.width(), q.height()), model.unetConfig(), model.vaeConfig());
            } catch (IllegalArgumentException e) {
                throw new JobConfigException(key, "width/height: " + e.getMessage());
            }
            warn(key, q, used, tokenizer, known, vocabulary);
            List<GenerationInfo.Embedding> info = used.stream().map(EmbeddingLoader.Loaded::info).toList();
            List<Batch.Vectors> vectors = used.stream().map(Batch.Vectors::of).toList();
            String slug = slug(q.prompt());
            for (long seed : q.seeds()) {
                List<String> paths = new ArrayList<>();
                List<Integer> write = new ArrayList<>();
                List<ManifestRow> rows = new ArrayList<>();
                for (int i = 0; i < q.imagesPerPrompt(); i++) {
                    String id = missing.isEmpty() ? imageId(modelId, q, seed, i, sampler, size, info) : null;
                    String path = id == null ? null : String.format(Locale.ROOT, "%s/images/%s-%d-%s.png", folder,
                            slug, seed + i, id);
                    boolean done = path != null && existing.computeIfAbsent(folder, f -> list(layout, f))
                            .contains(new Path(path).getName());
                    rows.add(new ManifestRow(path, id, missing.isEmpty() ? ManifestRow.DONE : ManifestRow.FAILED,
                            missing.isEmpty() ? null : missing, folder, concept, r, q.prompt(), q.negativePrompt(),
                            seed + i, seed, i, q.imagesPerPrompt(), q.steps(), sampler, q.guidance(), q.eta(),
                            size.width(), size.height(), modelName, modelId, info));
                    paths.add(path);
                    if (path != null && !done) {
                        write.add(i);
                    }
                }
                int batch = -1;
                if (!write.isEmpty()) {
                    // the same request twice renders once
                    batch = scheduled.computeIfAbsent(String.join("\n", paths), k -> batches.size());
                    if (batch == batches.size()) {
                        batches.add(new Batch(batch, q.prompt(), q.negativePrompt(), seed, q.imagesPerPrompt(),
                                q.steps(), sampler, q.guidance(), q.eta(), size.width(), size.height(), vectors,
                                paths, write));
                    }
                }
                for (int i = 0; i < rows.size(); i++) {
                    entries.add(new Entry(rows.get(i), write.contains(i) ? batch : -1));
                }
            }
        }
        return new ImagePlan(entries, batches, modelId);
    }

    /** Which weights and configs: changes whenever any file that shapes an image does. */
    static String modelId(ModelSource model) throws IOException {
        return "sd-" + new Fingerprint("sdti-generate-model-v1")
                .add(ModelIds.of(model, ModelSource.UNET))
                .add(ModelIds.of(model, ModelSource.TEXT_ENCODER))
                .add(ModelIds.of(model, ModelSource.VAE))
                .add(ModelIds.tokenizer(model))
                .add(model.readTextIfExists(ModelSource.SCHEDULER + "/scheduler_config.json"))
                .hex(16);
    }

    static String imageId(String modelId, Request q, long seed, int index, String sampler, ImageGeometry size,
                          List<GenerationInfo.Embedding> embeddings) {
        Fingerprint f = new Fingerprint("sdti-generate-image-v1").add(modelId).add(q.prompt())
                .add(q.negativePrompt()).add(seed).add(q.imagesPerPrompt()).add(index).add(q.steps()).add(sampler)
                .add(q.guidance()).add(q.eta()).add(size.width()).add(size.height()).add(embeddings.size());
        for (GenerationInfo.Embedding e : embeddings) {
            f.add(e.token()).add(e.sha256());
        }
        return f.hex(16);
    }

    /** The prompt as a short file-name part: lower-case a-z0-9 words joined by '-', at most 40 characters. */
    static String slug(String prompt) {
        String s = prompt.toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9]+", "-").replaceAll("^-+|-+$", "");
        if (s.length() > 40) {
            s = s.substring(0, 40).replaceAll("-+$", "");
        }
        return s.isEmpty() ? "image" : s;
    }

    private static Set<String> list(OutputLayout layout, String folder) {
        Set<String> names = new HashSet<>();
        try {
            for (FileStatus s : layout.fileSystem().listStatus(new Path(layout.root(), folder + "/images"))) {
                if (s.isFile()) {
                    names.add(s.getPath().getName());
                }
            }
        } catch (FileNotFoundException e) {
            return names;
        } catch (IOException e) {
            throw new java.io.UncheckedIOException("cannot list " + folder + "/images of " + layout.root(), e);
        }
        return names;
    }

    /** Warnings only: text the encoder cuts off, and {@code <...>} words that are no learned token of the job. */
    private static void warn(String key, Request q, List<EmbeddingLoader.Loaded> used, ClipTokenizer base,
                             Set<String> known, JobVocabulary vocabulary) {
        ClipTokenizer t = base;
        for (EmbeddingLoader.Loaded e : used) {
            t = t.withAddedToken(e.embeddings().token(), e.embeddings().numVectors());
        }
        for (String w : PromptLength.warnings(t, List.of(q.prompt(), q.negativePrompt()))) {
            LOG.warn("generate: {}: warning: {}", key, w);
        }
        Set<String> unknown = new LinkedHashSet<>();
        Matcher m = TOKEN_LIKE.matcher(q.prompt() + " " + q.negativePrompt());
        while (m.find()) {
            String w = m.group();
            if (!known.contains(w) && !vocabulary.isFileToken(w)) {
                unknown.add(w);
            }
        }
        if (!unknown.isEmpty()) {
            LOG.warn("generate: {}: warning: {} is no concept token of the job nor in sdti.generate.embeddings; "
                    + "it is read as plain text", key, String.join(", ", unknown));
        }
    }
}
