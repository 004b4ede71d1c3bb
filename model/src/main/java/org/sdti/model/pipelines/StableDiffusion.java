package org.sdti.model.pipelines;

import java.io.Closeable;
import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.Map;
import org.apache.hadoop.conf.Configuration;
import org.nd4j.linalg.api.buffer.DataType;
import org.sdti.model.config.ConfigException;
import org.sdti.model.config.SchedulerConfig;
import org.sdti.model.config.TextEncoderConfig;
import org.sdti.model.config.UNetConfig;
import org.sdti.model.config.VaeConfig;
import org.sdti.model.io.ModelFolder;
import org.sdti.model.io.ModelSource;
import org.sdti.model.models.CheckedWeights;
import org.sdti.model.models.ComponentWeights;
import org.sdti.model.models.TextEncoder;
import org.sdti.model.models.UNet;
import org.sdti.model.models.Vae;
import org.sdti.model.models.nn.ParamStore;
import org.sdti.model.text.ClipTokenizer;

/**
 * The parts of a Stable Diffusion model folder, loaded once (float32) and shared by every generation: tokenizer,
 * text encoder, U-Net, VAE and the scheduler config. All three weight files are checked against their configs
 * before any is converted, so a broken folder fails in seconds with every problem named.
 */
public final class StableDiffusion implements Closeable {
    private final String location;
    private final ClipTokenizer tokenizer;
    private final TextEncoder textEncoder;
    private final UNet unet;
    private final Vae vae;
    private final SchedulerConfig schedulerConfig;
    private final WeightsDigest digest;

    /** The SHA-256 by content of each component's weights ({@link CheckedWeights#contentSha256()}). */
    @FunctionalInterface
    private interface WeightsDigest {
        Map<String, String> sha256() throws IOException;
    }

    /** Parts built elsewhere (random weights for benchmarks): they have no weights digest. */
    public StableDiffusion(String location, ClipTokenizer tokenizer, TextEncoder textEncoder, UNet unet, Vae vae,
                           SchedulerConfig schedulerConfig) {
        this(location, tokenizer, textEncoder, unet, vae, schedulerConfig, () -> {
            throw new IllegalStateException(location + ": a model not loaded from weight files has no weights digest");
        });
    }

    private StableDiffusion(String location, ClipTokenizer tokenizer, TextEncoder textEncoder, UNet unet, Vae vae,
                            SchedulerConfig schedulerConfig, WeightsDigest digest) {
        TextEncoderConfig tc = textEncoder.config();
        UNetConfig uc = unet.config();
        VaeConfig vc = vae.config();
        if (uc.crossAttentionDim() != tc.hiddenSize()) {
            throw new ConfigException(location + ": the U-Net's cross_attention_dim (" + uc.crossAttentionDim()
                    + ") differs from the text encoder's hidden_size (" + tc.hiddenSize() + ")");
        }
        if (uc.inChannels() != vc.latentChannels() || uc.outChannels() != vc.latentChannels()) {
            throw new ConfigException(location + ": the U-Net's in/out channels (" + uc.inChannels() + "/"
                    + uc.outChannels() + ") differ from the VAE's latent_channels (" + vc.latentChannels() + ")");
        }
        if (tokenizer.vocabSize() != textEncoder.embedding().vocabSize()) {
            // added ids must land on the rows given to TextEncoder.encode, right after the table
            throw new ConfigException(location + ": the tokenizer knows " + tokenizer.vocabSize()
                    + " tokens but the text encoder's table has " + textEncoder.embedding().vocabSize() + " rows");
        }
        this.location = location;
        this.tokenizer = tokenizer;
        this.textEncoder = textEncoder;
        this.unet = unet;
        this.vae = vae;
        this.schedulerConfig = schedulerConfig;
        this.digest = digest;
    }

    /** Loads a diffusers folder or a single-file checkpoint (any Hadoop file system). */
    public static StableDiffusion load(ModelSource folder) throws IOException {
        TextEncoderConfig tc = folder.textEncoderConfig();
        UNetConfig uc = folder.unetConfig();
        VaeConfig vc = folder.vaeConfig();
        SchedulerConfig sc = folder.schedulerConfig();
        ClipTokenizer tokenizer = ClipTokenizer.load(folder.tokenizerFiles());
        CheckedWeights te = ComponentWeights.textEncoder(folder);
        CheckedWeights uw = null;
        CheckedWeights vw = null;
        try {
            uw = ComponentWeights.unet(folder);
            vw = ComponentWeights.vae(folder);
            UNet unet = UNet.load(uc, uw, DataType.FLOAT);
            Vae vae = Vae.load(vc, vw, DataType.FLOAT);
            // digested from the bytes just loaded; the text encoder's when asked, by then mostly read already
            String unetSha = uw.contentSha256();
            String vaeSha = vw.contentSha256();
            // the text encoder reads its (small) tensors lazily and keeps its file until close()
            TextEncoder encoder = new TextEncoder(tc, ParamStore.of(te, DataType.FLOAT));
            return new StableDiffusion(folder.location(), tokenizer, encoder, unet, vae, sc,
                    () -> digests(unetSha, te.contentSha256(), vaeSha));
        } catch (IOException | RuntimeException e) {
            te.close();
            throw e;
        } finally {
            if (uw != null) {
                uw.close();
            }
            if (vw != null) {
                vw.close();
            }
        }
    }

    public static StableDiffusion load(String location, Configuration conf) throws IOException {
        return load(ModelFolder.open(location, conf));
    }

    private static Map<String, String> digests(String unet, String textEncoder, String vae) {
        Map<String, String> out = new LinkedHashMap<>();
        out.put(ModelSource.UNET, unet);
        out.put(ModelSource.TEXT_ENCODER, textEncoder);
        out.put(ModelSource.VAE, vae);
        return out;
    }

    /**
     * The SHA-256 of each component's weights by content (unet, text_encoder, vae): the same weights give the same
     * digests whether a diffusers folder or a single file holds them. Weights already loaded are not read again.
     */
    public Map<String, String> weightsSha256() throws IOException {
        return digest.sha256();
    }

    /** The folder's qualified URI. */
    public String location() {
        return location;
    }

    public ClipTokenizer tokenizer() {
        return tokenizer;
    }

    public TextEncoder textEncoder() {
        return textEncoder;
    }

    public UNet unet() {
        return unet;
    }

    public Vae vae() {
        return vae;
    }

    public SchedulerConfig schedulerConfig() {
        return schedulerConfig;
    }

    /** Pixels per latent along each side: 2 per VAE block but the last (8 for SD). */
    public int vaeScaleFactor() {
        return vae.config().downscale();
    }

    public int latentChannels() {
        return unet.config().inChannels();
    }

    /** diffusers' default image side: the U-Net's sample_size × the VAE factor (512 for SD 2.1-base). */
    public int defaultImageSize() {
        return unet.config().sampleSize() * vaeScaleFactor();
    }

    @Override
    public void close() throws IOException {
        textEncoder.close();
    }
}
