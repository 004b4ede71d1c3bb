package org.sdti.jobs.cli;

import com.typesafe.config.Config;
import java.io.IOException;
import java.io.PrintWriter;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import org.apache.hadoop.conf.Configuration;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.indexing.NDArrayIndex;
import org.sdti.jobs.config.GenerateSettings;
import org.sdti.jobs.config.SdtiConfig;
import org.sdti.jobs.generate.EmbeddingLoader;
import org.sdti.jobs.generate.GenerateJob;
import org.sdti.jobs.generate.GenerationInfo;
import org.sdti.jobs.generate.LatentsFile;
import org.sdti.jobs.generate.PngText;
import org.sdti.jobs.generate.Progress;
import org.sdti.jobs.generate.PromptLength;
import org.sdti.jobs.generate.Requests;
import org.sdti.jobs.runtime.ExitCodes;
import org.sdti.model.BadInputException;
import org.sdti.model.io.ModelSource;
import org.sdti.model.io.OutputFolder;
import org.sdti.model.io.SafeTensorsWriter;
import org.sdti.model.pipelines.GenerationRequest;
import org.sdti.model.pipelines.GenerationResult;
import org.sdti.model.pipelines.ImageGeometry;
import org.sdti.model.pipelines.PromptEncoder;
import org.sdti.model.pipelines.StableDiffusion;
import org.sdti.model.pipelines.TextToImage;
import org.sdti.model.pipelines.TokenEmbeddings;
import org.sdti.model.schedulers.SamplerChoice;
import org.sdti.model.text.ClipTokenizer;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code sdti generate}: prompts to PNGs with diffusers' StableDiffusionPipeline semantics. Everything the user can
 * get wrong (flags, sizes, files, embedding widths) is checked from configs and small files before the weights
 * load. Images go to {@code DIR/00000.png, ...} prompt-major; the file paths are printed on stdout, progress on
 * stderr.
 */
@Command(name = "generate",
        header = "Render prompts to PNG images, on this machine or as a job's Spark stage.",
        mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Render prompts to PNG images, in one of two forms:",
                "  generate --prompt TEXT [...] --output DIR: on this machine (prompt-then-image order: "
                        + "DIR/00000.png, DIR/00001.png, ...). Defaults are in conf/reference.conf under "
                        + "sdti.generate; a --config file overrides them and flags override both.",
                "  generate --config JOB [--model DIR] [--output DIR] (no --prompt): the generate stage of the job "
                        + "file on Spark: every entry of sdti.generate.prompts x seeds x images-per-prompt, prompts "
                        + "may use the job's trained tokens (OUTPUT/NAME/learned_embeds.safetensors) and "
                        + "sdti.generate.embeddings; images go to OUTPUT/NAME/images/ (prompts using concept NAME's "
                        + "token) or OUTPUT/_generate/images/, with a contact sheet per folder and "
                        + "OUTPUT/_generate/manifest.jsonl; images already there are not redone. Exit 0: all done; "
                        + "3: some requests failed (e.g. a concept without a learned embedding), the rest done; "
                        + "2: bad job file; 1: anything else.",
                "Each PNG carries its prompt, negative prompt, seed, steps, sampler, guidance, size, model and "
                        + "embedding hashes in text chunks ('parameters' in the AUTOMATIC1111 style, 'sdti' as JSON)."})
final class GenerateCommand implements Callable<Integer> {
    @Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Mixin
    JobOptions.Optional options = new JobOptions.Optional();

    @Option(names = "--prompt", paramLabel = "TEXT", description = "A prompt; repeat for several.")
    List<String> prompts;

    @Option(names = "--negative-prompt", paramLabel = "TEXT",
            description = "What the images should not show (every prompt); default: \"\" (none).")
    String negativePrompt;

    @Option(names = "--embedding", paramLabel = "FILE",
            description = "Learned-embedding file (diffusers learned_embeds.safetensors) whose token the prompts may "
                    + "use; repeatable.")
    List<String> embeddings;

    @Mixin
    SamplingFlags sampling = new SamplingFlags();

    @Option(names = "--seed", paramLabel = "S",
            description = "Seed of the initial noise; image i uses S+i; default: random (printed, and stored in "
                    + "the PNGs).")
    Long seed;

    @Option(names = "--latents", paramLabel = "FILE",
            description = "Safetensors file with the initial noise [N, C, h, w] (its only tensor, or 'latents'), "
                    + "N = prompts x images per prompt; default: drawn from the seed.")
    String latents;

    @Option(names = "--width", paramLabel = "W",
            description = "Image width, a multiple of 8; default: the U-Net's sample_size x the VAE factor.")
    Integer width;

    @Option(names = "--height", paramLabel = "H",
            description = "Image height, a multiple of 8; default: the U-Net's sample_size x the VAE factor.")
    Integer height;

    @Option(names = "--images-per-prompt", paramLabel = "K", description = "Images per prompt; default: "
            + "${bundle:sdti.generate.images-per-prompt}.")
    Integer imagesPerPrompt;

    @Option(names = "--save-latents",
            description = "Also write DIR/NNNNN.latents.safetensors (tensor 'latents' [1, C, h, w]: the final "
                    + "latents before the VAE scaling).")
    Boolean saveLatents;

    @Override
    public Integer call() throws IOException {
        if (options.config != null && prompts == null) {
            return runJob();
        }
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        Config cfg = options.load(flags());
        // everything that can be checked without the weights, first
        ModelSource folder = ModelOption.open(cfg);
        String output = SdtiConfig.requireString(cfg, "sdti.output", "--output");
        GenerateSettings s = GenerateSettings.from(cfg);
        List<String> texts = s.singleMachinePrompts();
        // one request on this machine: every prompt with the section's own settings
        GenerateSettings.Request d = s.defaults();
        Configuration conf = SdtiConfig.hadoop(cfg);
        int textWidth = folder.textEncoderConfig().hiddenSize();
        List<EmbeddingLoader.Loaded> loaded = new ArrayList<>();
        for (String file : s.embeddings()) {
            loaded.add(EmbeddingLoader.load(file, conf, textWidth));
        }
        EmbeddingLoader.checkNewTokens(loaded, ClipTokenizer.load(folder.tokenizerFiles()));
        INDArray initial = s.latents() == null ? null : LatentsFile.read(s.latents(), conf);
        long seed = s.seed() != null ? s.seed() : new SecureRandom().nextInt() & 0x7fffffffL;
        GenerationRequest request;
        ImageGeometry geometry;
        try {
            request = request(texts, d, loaded, initial, seed);
            geometry = ImageGeometry.resolve(request, folder.unetConfig(), folder.vaeConfig());
        } catch (IllegalArgumentException e) {
            // the request's own checks: sizes, counts and latents that do not fit what the flags asked for
            throw new BadInputException(e.getMessage(), e);
        }
        OutputFolder dir = OutputFolder.open(output, conf);

        long t0 = System.nanoTime();
        err.println("generate: loading " + folder.location());
        err.flush();
        try (StableDiffusion sd = StableDiffusion.load(folder)) {
            TextToImage pipeline = new TextToImage(sd);
            List<String> encoded = new ArrayList<>(request.prompts());
            encoded.addAll(request.negativePrompts());
            PromptLength.warnings(PromptEncoder.of(sd, request.embeddings()).tokenizer(), encoded)
                    .forEach(w -> err.println("generate: warning: " + w));
            SamplerChoice choice = d.scheduler() == null ? pipeline.defaultSampler() : null;
            if (choice != null && choice.fallback()) {
                err.println("generate: " + choice.note());
            }
            err.printf(Locale.ROOT, "generate: loaded in %.1f s; %d image(s) of %dx%d, %s, %d steps, guidance %s, "
                            + "seed %d%n", (System.nanoTime() - t0) / 1e9, request.images(), geometry.width(),
                    geometry.height(), choice != null ? choice.name() : d.scheduler(), d.steps(), d.guidance(), seed);
            err.flush();
            Progress progress = new Progress(err, "generate", System.console() != null);
            long t1 = System.nanoTime();
            progress.start();
            GenerationResult r = pipeline.generate(request, progress);
            double seconds = (System.nanoTime() - t1) / 1e9;
            // digested from the weights the load and the text encoder read: no second pass over the files
            write(s, request, r, loaded, sd.weightsSha256(), folder, dir, out);
            err.printf(Locale.ROOT, "generate: %d image(s) in %.1f s (%.2f s per image) -> %s%n", r.images().size(),
                    seconds, seconds / r.images().size(), dir);
            err.flush();
        }
        return ExitCodes.OK;
    }

    /**
     * {@code --config JOB} without {@code --prompt}: the job's generate stage, settings from the job file only
     * ({@code --model} and {@code --output} may override it).
     */
    private int runJob() throws IOException {
        List<String> given = flags().entrySet().stream().filter(e -> e.getValue() != null)
                .map(e -> "--" + e.getKey().substring("sdti.generate.".length()).replace("embeddings", "embedding"))
                .sorted().toList();
        if (!given.isEmpty()) {
            throw new BadInputException(String.join(", ", given) + ": a flag of the single-machine form (give "
                    + "--prompt); without --prompt, --config runs the job file's generate stage, whose settings "
                    + "come from sdti.generate in the job file");
        }
        return StageCommand.runStage(spec, options.job(), GenerateJob.STAGE, GenerateJob::run);
    }

    private Map<String, Object> flags() {
        Map<String, Object> f = new HashMap<>(sampling.flags());
        String p = "sdti.generate.";
        f.put(p + "prompts", prompts);
        f.put(p + "negative-prompt", negativePrompt);
        f.put(p + "embeddings", embeddings);
        f.put(p + "seed", seed);
        f.put(p + "latents", latents);
        f.put(p + "width", width);
        f.put(p + "height", height);
        f.put(p + "images-per-prompt", imagesPerPrompt);
        f.put(p + "save-latents", saveLatents);
        return f;
    }

    private static GenerationRequest request(List<String> prompts, GenerateSettings.Request d,
                                             List<EmbeddingLoader.Loaded> loaded, INDArray initial, long seed) {
        List<TokenEmbeddings> vectors = loaded.stream().map(EmbeddingLoader.Loaded::embeddings).toList();
        return Requests.of(prompts, d.negativePrompt(), d.imagesPerPrompt(), vectors, d.scheduler(), d.steps(),
                d.guidance(), d.eta(), seed, initial, d.width(), d.height());
    }

    private static void write(GenerateSettings s, GenerationRequest request, GenerationResult r,
                              List<EmbeddingLoader.Loaded> loaded, Map<String, String> hashes, ModelSource folder,
                              OutputFolder dir, PrintWriter out) throws IOException {
        List<GenerationInfo.Embedding> used = loaded.stream().map(EmbeddingLoader.Loaded::info).toList();
        String modelName = GenerationInfo.modelName(folder);
        INDArray latents = r.finalLatents();
        for (int i = 0; i < r.images().size(); i++) {
            GenerationInfo info = GenerationInfo.of(request, r, i, modelName, hashes, used, s.latents());
            String name = String.format(Locale.ROOT, "%05d", i);
            byte[] png = PngText.encode(r.images().get(i), info);
            dir.write(name + ".png", o -> o.write(png));
            out.println(dir.uri(name + ".png"));
            if (s.saveLatents()) {
                long[] shape = latents.shape();
                float[] one = latents.get(NDArrayIndex.point(i)).dup('c').data().asFloat();
                Map<String, String> meta = new LinkedHashMap<>();
                meta.put("format", "pt");
                meta.put(GenerationInfo.SDTI, info.toJson());
                SafeTensorsWriter file = LatentsFile.of(one, (int) shape[1], (int) shape[2], (int) shape[3], meta);
                dir.write(name + ".latents.safetensors", file::writeTo);
                out.println(dir.uri(name + ".latents.safetensors"));
            }
            out.flush();
        }
    }
}
