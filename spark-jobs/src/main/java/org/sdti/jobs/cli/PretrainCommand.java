package org.sdti.jobs.cli;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import org.apache.hadoop.conf.Configuration;
import org.nd4j.linalg.api.buffer.DataType;
import org.sdti.dataprep.CaptionedFolder;
import org.sdti.jobs.config.SdtiConfig;
import org.sdti.jobs.runtime.ExitCodes;
import org.sdti.model.BadInputException;
import org.sdti.model.io.HadoopLocation;
import org.sdti.model.io.ModelFolder;
import org.sdti.model.models.Architecture;
import org.sdti.model.models.IdentityVae;
import org.sdti.model.models.RandomModelFolder;
import org.sdti.model.models.RandomWeights;
import org.sdti.model.models.TokenEmbedding;
import org.sdti.model.models.Vae;
import org.sdti.model.pretrain.Example;
import org.sdti.model.pretrain.ExampleSource;
import org.sdti.model.pretrain.PretrainFolder;
import org.sdti.model.pretrain.PretrainSettings;
import org.sdti.model.pretrain.Pretrainer;
import org.sdti.model.pretrain.TrainableNetworks;
import org.sdti.model.schedulers.NoiseSchedule;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code sdti pretrain}: trains every weight of a text encoder and U-Net from scratch on a folder of captioned
 * pictures and writes an ordinary model folder. Only wiring: the loop is {@link Pretrainer}.
 */
@Command(name = "pretrain", mixinStandardHelpOptions = true,
        header = "Train every weight of a small SD 2-architecture model from scratch on captioned pictures.",
        description = {"Train a model from scratch (every weight of the text encoder and U-Net; the VAE is set "
                + "analytically as an identity, so latents are pixels) on a folder of captioned pictures, and write "
                + "a diffusers-layout model folder that generate, train and latents read.",
                "OUTPUT also gets loss.csv and checkpoints/; --resume continues the latest checkpoint bit for bit."})
final class PretrainCommand implements Callable<Integer> {
    @Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Option(names = "--config", required = true, paramLabel = "PRESET|DIR",
            description = "Architecture: a bundled preset (toy) or a model folder whose configs to use "
                    + "(weights there are ignored).")
    String config;

    @Option(names = "--images", required = true, paramLabel = "DIR",
            description = "Folder with manifest.jsonl: one JSON object per line with \"file\" and \"caption\"; "
                    + "pictures of one size.")
    Path images;

    @Option(names = "--output", required = true, paramLabel = "DIR", description = "The model folder to write.")
    String output;

    @Option(names = "--batch-size", defaultValue = "16", description = "Default ${DEFAULT-VALUE}.")
    int batchSize;

    @Option(names = "--steps", defaultValue = "1000", description = "Default ${DEFAULT-VALUE}.")
    long steps;

    @Option(names = "--lr", defaultValue = "5e-4", description = "Peak learning rate (default ${DEFAULT-VALUE}).")
    double lr;

    @Option(names = "--lr-schedule", defaultValue = "constant_with_warmup",
            description = "constant_with_warmup or cosine (default ${DEFAULT-VALUE}).")
    String schedule;

    @Option(names = "--warmup", defaultValue = "100", description = "Warm-up steps (default ${DEFAULT-VALUE}).")
    int warmup;

    @Option(names = "--weight-decay", defaultValue = "0.01", description = "AdamW's (default ${DEFAULT-VALUE}).")
    double weightDecay;

    @Option(names = "--max-grad-norm", defaultValue = "1.0", description = "Clip (default ${DEFAULT-VALUE}).")
    double maxGradNorm;

    @Option(names = "--caption-dropout", defaultValue = "0.1",
            description = "Share of empty captions, for classifier-free guidance (default ${DEFAULT-VALUE}).")
    double captionDropout;

    @Option(names = "--snr-gamma", defaultValue = "0", paramLabel = "G",
            description = "Min-SNR loss weighting: each sample's loss times min(SNR, G)/SNR of its timestep, so "
                    + "high-noise steps (where captions decide colour and shape) are not drowned by low-noise detail; "
                    + "0: plain MSE (default ${DEFAULT-VALUE}).")
    double snrGamma;

    @Option(names = "--loss-weighting", defaultValue = "epsilon", paramLabel = "W",
            description = "epsilon: plain ε-MSE; v: each sample's ε-MSE times 1 + 1/SNR of its timestep, the "
                    + "v-prediction loss of the same model, so the high-noise steps where only the caption tells "
                    + "colour and shape carry weight (default ${DEFAULT-VALUE}).")
    String lossWeighting;

    @Option(names = "--max-loss-weight", defaultValue = "0", paramLabel = "C",
            description = "Cap on each sample's loss weight (min-SNR, v); 0: none (default ${DEFAULT-VALUE}).")
    double maxLossWeight;

    @Option(names = "--token-init-std", defaultValue = "0", paramLabel = "S",
            description = "Initial standard deviation of the text encoder's token embeddings; 0: PyTorch's 0.02, "
                    + "which leaves a fresh text encoder's states for different captions nearly alike "
                    + "(default ${DEFAULT-VALUE}).")
    double tokenInitStd;

    @Option(names = "--ema-decay", defaultValue = "0", paramLabel = "D",
            description = "Write a moving average of the weights (decay D, warmed up as min(D, (1+s)/(10+s))) as "
                    + "the model; 0: the weights themselves (default ${DEFAULT-VALUE}).")
    double emaDecay;

    @Option(names = "--seed", defaultValue = "0", description = "Initial weights and every draw (default ${DEFAULT-VALUE}).")
    long seed;

    @Option(names = "--checkpoint-every", defaultValue = "500", description = "Default ${DEFAULT-VALUE}.")
    long checkpointEvery;

    @Option(names = "--resume", description = "Continue from OUTPUT's latest checkpoint.")
    boolean resume;

    @Override
    public Integer call() throws IOException {
        PretrainSettings settings;
        try {
            settings = new PretrainSettings(batchSize, steps, lr, schedule, warmup, weightDecay, maxGradNorm,
                    captionDropout, snrGamma, lossWeighting, maxLossWeight, tokenInitStd, emaDecay, seed,
                    checkpointEvery);
        } catch (IllegalArgumentException e) {
            throw new BadInputException(e.getMessage());
        }
        Configuration conf = SdtiConfig.hadoop(SdtiConfig.load(null, Map.of()));
        Architecture arch = Architecture.PRESETS.contains(config) ? Architecture.preset(config)
                : Architecture.of(ModelFolder.open(config, conf));
        IdentityVae identity = IdentityVae.of(arch.vae());
        HadoopLocation.of(output, conf).refuseFile("--output");
        if (!Files.isDirectory(images)) {
            throw new BadInputException("--images " + images + ": not a folder");
        }
        List<CaptionedFolder.Entry> entries;
        try {
            entries = CaptionedFolder.read(images);
        } catch (IOException e) {
            throw new BadInputException("--images " + e.getMessage(), e);
        }
        PrintWriter err = spec.commandLine().getErr();
        PrintWriter out = spec.commandLine().getOut();
        Vae vae = identity.load();
        TrainableNetworks nets = TrainableNetworks.of(arch.textEncoder(),
                initialTextEncoder(arch, settings.tokenInitStd()), arch.unet(),
                RandomModelFolder.unet(arch, seed)::tensor, DataType.FLOAT);
        Pretrainer trainer = new Pretrainer(nets, Architecture.sd2Tokenizer(), NoiseSchedule.from(arch.scheduler()),
                px -> vae.encode(px).mean().mul(vae.scalingFactor()), arch.vae().latentChannels(),
                arch.vae().downscale());
        Pretrainer.Result r;
        try {
            r = trainer.run(new Examples(entries), settings, new PretrainFolder(output, conf, arch), resume, line -> {
                err.println("pretrain: " + line);
                err.flush();
            });
        } catch (IllegalArgumentException e) {
            throw new BadInputException(e.getMessage(), e);
        }
        out.printf(Locale.ROOT, "pretrain: %d steps (%d in this run) on %d pictures, smoothed loss %.4f; model in %s%n",
                r.steps(), r.stepsRun(), entries.size(), r.smoothedLoss(), output);
        out.flush();
        return ExitCodes.OK;
    }

    /** The seed's random text encoder, its token embeddings scaled to {@code tokenStd} when that is not 0. */
    private TrainableNetworks.Source initialTextEncoder(Architecture arch, double tokenStd) {
        RandomWeights random = RandomModelFolder.textEncoder(arch, seed);
        return name -> {
            float[] w = random.tensor(name);
            if (tokenStd > 0 && name.equals(TokenEmbedding.TABLE)) {
                float scale = (float) (tokenStd / RandomWeights.EMBEDDING_STD);
                for (int i = 0; i < w.length; i++) {
                    w[i] *= scale;
                }
            }
            return w;
        };
    }

    /** The folder's pictures as the trainer's examples (converted to floats one at a time). */
    private record Examples(List<CaptionedFolder.Entry> entries) implements ExampleSource {
        @Override
        public int size() {
            return entries.size();
        }

        @Override
        public int height() {
            return entries.get(0).image().height();
        }

        @Override
        public int width() {
            return entries.get(0).image().width();
        }

        @Override
        public Example get(int index) {
            CaptionedFolder.Entry e = entries.get(index);
            return new Example(e.image().toChwFloats(), e.caption());
        }
    }
}
