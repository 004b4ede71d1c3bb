package org.sdti.model.models;

import java.io.IOException;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.sdti.model.config.UNetConfig;
import org.sdti.model.models.nn.Conv2d;
import org.sdti.model.models.nn.Downsample2D;
import org.sdti.model.models.nn.GraphRunner;
import org.sdti.model.models.nn.GroupNorm;
import org.sdti.model.models.nn.ParamStore;
import org.sdti.model.models.nn.ResnetBlock2D;
import org.sdti.model.models.nn.TimestepEmbedding;
import org.sdti.model.models.nn.Transformer2D;
import org.sdti.model.models.nn.Upsample2D;

/**
 * diffusers' {@code UNet2DConditionModel} as Stable Diffusion 1/2 configure it, as a SameDiff sub-graph.
 *
 * <p>{@link #build} adds the network to any {@link SameDiff} instance, on the caller's variables, so that a training
 * graph can run text encoder → U-Net → loss and differentiate down to its trainable embedding rows. All U-Net weights
 * are constants there (shared by every graph, never copied), and the backward pass computes no weight gradient at
 * all ({@link org.sdti.model.models.nn.FrozenBackprop}). A training step:
 * <pre>{@code
 * SameDiff sd = SameDiff.create();
 * SDVariable rows = sd.var("rows", initialRows);                 // the only VARIABLE
 * SDVariable ehs = ...text encoder on (table rows + mask ⊙ rows)...;   // [B, 77, D]
 * SDVariable x = sd.placeHolder("noisy", DataType.FLOAT, -1, 4, 64, 64);
 * SDVariable t = sd.placeHolder("t", DataType.FLOAT, -1);
 * SDVariable target = sd.placeHolder("target", DataType.FLOAT, -1, 4, 64, 64);
 * SDVariable pred = unet.build(sd, x, t, ehs, 64, 64, 77).output();
 * sd.setLossVariables(sd.math().square(pred.sub(target)).mean("loss"));
 * Map<String, INDArray> g = GraphRunner.gradients(sd, feed, "rows");   // not sd.calculateGradients: see there
 * }</pre>
 * The gradient goes through {@link GraphRunner#gradients}, not SameDiff's {@code calculateGradients} (memory, and
 * SameDiff differentiates every frozen weight too).
 * {@link #predict} is the inference convenience: one graph per latent size and token count, batch-agnostic.
 *
 * <p>Precision: everything runs in the weights' dtype (float32 by default). {@code upcast_attention} only matters for
 * half precision in diffusers and is therefore a no-op here. Latent sizes must be multiples of
 * {@link UNetConfig#downscale()} (diffusers' odd-size {@code upsample_size} path is not implemented).
 *
 * <p>Full size (SD 2.1, 865.9 M parameters, 64×64 latents), measured on the shared 2-core box: weights 3.5 GB
 * off-heap (held once); inference at batch 2 peaks at ~6.5 GB RSS; a training step (batch 1, gradient to the
 * encoder hidden states, {@link GraphRunner#gradients}) peaks at ~15 GB RSS, the same every step, and keeps nothing
 * but the weights between steps. Throughput there was 30–40 s per batch-2 call and ~2 min per training step under
 * heavy load from other jobs (diffusers on a quieter box: 17 s and 21 s). Weights live off-heap, so a small
 * heap is enough ({@code -Xmx1g}); JavaCPP counts the whole process RSS against
 * {@code -Dorg.bytedeco.javacpp.maxphysicalbytes} (default derived from -Xmx) and throws OutOfMemoryError above it,
 * so set it to 0 (no check) or above the peak.
 */
public final class UNet {
    /** Names of the activations {@link Graph#activations()} exposes, as in the reference's module names. */
    public static final String TIME_PROJ = "time_proj";
    public static final String TIME_EMBEDDING = "time_embedding";
    public static final String CONV_IN = "conv_in";
    public static final String MID_BLOCK = "mid_block";
    public static final String CONV_NORM_OUT = "conv_norm_out";

    /** The network inside a graph: its output and the intermediate activations named like diffusers' modules. */
    public record Graph(SDVariable output, Map<String, SDVariable> activations) {
        public Graph {
            activations = Map.copyOf(activations);
        }
    }

    private final UNetConfig cfg;
    private final ParamStore params;
    private final Map<List<Long>, Compiled> compiled = new ConcurrentHashMap<>();

    private record Compiled(SameDiff sd, String sample, String timesteps, String context, String output) {}

    private UNet(UNetConfig cfg, ParamStore params) {
        this.cfg = cfg;
        this.params = params;
    }

    /** Converts the weights (checked against {@link Layouts#unet}); {@code weights} may be closed afterwards. */
    public static UNet load(UNetConfig cfg, CheckedWeights weights) throws IOException {
        return load(cfg, weights, DataType.FLOAT);
    }

    public static UNet load(UNetConfig cfg, CheckedWeights weights, DataType dtype) throws IOException {
        return new UNet(cfg, ParamStore.converted(weights, "unet", dtype));
    }

    /** A U-Net on already converted parameters (e.g. seeded random weights for benchmarks). */
    public static UNet load(UNetConfig cfg, ParamStore params) {
        return new UNet(cfg, params);
    }

    public UNetConfig config() {
        return cfg;
    }

    public DataType dataType() {
        return params.dataType();
    }

    /**
     * Predicts noise (or velocity) for {@code sample [B, C, h, w]}, {@code timesteps [B]} (or {@code [1]}, broadcast)
     * and {@code encoderHiddenStates [B, T, D]}. Thread-safe; calls on the same shape are serialised.
     */
    public INDArray predict(INDArray sample, INDArray timesteps, INDArray encoderHiddenStates) {
        long b = sample.size(0);
        long h = sample.size(2);
        long w = sample.size(3);
        long t = encoderHiddenStates.size(1);
        if (encoderHiddenStates.size(0) != b) {
            throw new IllegalArgumentException("batch of sample (" + b + ") and encoder_hidden_states ("
                    + encoderHiddenStates.size(0) + ") differ");
        }
        INDArray ts = timesteps.reshape(timesteps.length());
        if (ts.length() == 1 && b > 1) {
            ts = ts.broadcast(b);
        } else if (ts.length() != b) {
            throw new IllegalArgumentException("timesteps has " + ts.length() + " entries for a batch of " + b);
        }
        Compiled c = compiled.computeIfAbsent(List.of(h, w, t), k -> compile(h, w, t));
        DataType dt = params.dataType();
        Map<String, INDArray> feed = Map.of(
                c.sample, sample.castTo(dt),
                c.timesteps, ts.castTo(dt),
                c.context, encoderHiddenStates.castTo(dt));
        synchronized (c) {
            return GraphRunner.output(c.sd, feed, c.output).get(c.output);
        }
    }

    private Compiled compile(long h, long w, long tokens) {
        SameDiff sd = SameDiff.create();
        DataType dt = params.dataType();
        SDVariable sample = sd.placeHolder("sample", dt, -1, cfg.inChannels(), h, w);
        SDVariable timesteps = sd.placeHolder("timesteps", dt, -1);
        SDVariable context = sd.placeHolder("encoder_hidden_states", dt, -1, tokens, cfg.crossAttentionDim());
        SDVariable out = sd.identity("unet_out", build(sd, sample, timesteps, context, h, w, tokens).output());
        return new Compiled(sd, sample.name(), timesteps.name(), context.name(), out.name());
    }

    /**
     * Adds the U-Net to {@code sd}. Batch sizes are free (every reshape keeps the batch as −1); spatial size and
     * token count are fixed by the arguments.
     *
     * @param sample noisy latents {@code [B, in_channels, height, width]}
     * @param timesteps {@code [B]}, in the graph's float dtype (fractional values allowed)
     * @param encoderHiddenStates {@code [B, tokens, cross_attention_dim]}
     * @return the prediction {@code [B, out_channels, height, width]} and named intermediate activations
     */
    public Graph build(SameDiff sd, SDVariable sample, SDVariable timesteps, SDVariable encoderHiddenStates,
                       long height, long width, long tokens) {
        int f = cfg.downscale();
        if (height % f != 0 || width % f != 0) {
            throw new IllegalArgumentException("latent size " + height + "x" + width + " is not a multiple of " + f);
        }
        int n = cfg.levels();
        int[] heads = cfg.heads();
        int[] layers = cfg.transformerLayersPerBlock();
        Map<String, SDVariable> acts = new LinkedHashMap<>();
        SDVariable context = sd.reshape(encoderHiddenStates, -1, cfg.crossAttentionDim());

        TimestepEmbedding time = new TimestepEmbedding("time_embedding", cfg.channels(0), cfg.flipSinToCos(),
                cfg.freqShift());
        SDVariable proj = time.projection(sd, timesteps);
        SDVariable emb = time.apply(sd, params, proj);
        acts.put(TIME_PROJ, proj);
        acts.put(TIME_EMBEDDING, emb);
        SDVariable embAct = sd.nn().swish(emb); // every resnet applies SiLU before its own projection

        SDVariable x = cfg.centerInputSample() ? sample.mul(2.0).sub(1.0) : sample;
        x = Conv2d.same("conv_in", cfg.convInKernel()).apply(sd, params, x);
        acts.put(CONV_IN, x);
        long h = height;
        long w = width;
        Deque<SDVariable> skips = new ArrayDeque<>();
        Deque<Integer> skipChannels = new ArrayDeque<>();
        skips.push(x);
        skipChannels.push(cfg.channels(0));

        int out = cfg.channels(0);
        for (int i = 0; i < n; i++) {
            int in = out;
            out = cfg.channels(i);
            boolean cross = UNetConfig.CROSS_DOWN.equals(cfg.downBlockTypes().get(i));
            String p = "down_blocks." + i;
            for (int j = 0; j < cfg.layersPerBlock(); j++) {
                x = resnet(p + ".resnets." + j, j == 0 ? in : out, out, 1.0).apply(sd, params, x, embAct, h, w);
                if (cross) {
                    x = transformer(p + ".attentions." + j, out, heads[i], layers[i])
                            .apply(sd, params, x, h, w, context, tokens);
                }
                skips.push(x);
                skipChannels.push(out);
            }
            if (i < n - 1) {
                x = new Downsample2D(p + ".downsamplers.0", cfg.downsamplePadding()).apply(sd, params, x);
                h /= 2;
                w /= 2;
                skips.push(x);
                skipChannels.push(out);
            }
            acts.put(p, x);
        }

        int mid = cfg.channels(n - 1);
        double midScale = cfg.midBlockScaleFactor();
        x = resnet("mid_block.resnets.0", mid, mid, midScale).apply(sd, params, x, embAct, h, w);
        x = transformer("mid_block.attentions.0", mid, heads[n - 1], layers[n - 1])
                .apply(sd, params, x, h, w, context, tokens);
        x = resnet("mid_block.resnets.1", mid, mid, midScale).apply(sd, params, x, embAct, h, w);
        acts.put(MID_BLOCK, x);

        int prev = mid;
        for (int i = 0; i < n; i++) {
            int level = n - 1 - i;
            int outCh = cfg.channels(level);
            boolean cross = UNetConfig.CROSS_UP.equals(cfg.upBlockTypes().get(i));
            String p = "up_blocks." + i;
            for (int j = 0; j < cfg.layersPerBlock() + 1; j++) {
                int inCh = j == 0 ? prev : outCh;
                int skipCh = skipChannels.pop();
                x = sd.concat(1, x, skips.pop());
                x = resnet(p + ".resnets." + j, inCh + skipCh, outCh, 1.0).apply(sd, params, x, embAct, h, w);
                if (cross) {
                    x = transformer(p + ".attentions." + j, outCh, heads[level], layers[level])
                            .apply(sd, params, x, h, w, context, tokens);
                }
            }
            if (i < n - 1) {
                x = new Upsample2D(p + ".upsamplers.0").apply(sd, params, x);
                h *= 2;
                w *= 2;
            }
            acts.put(p, x);
            prev = outCh;
        }

        x = new GroupNorm("conv_norm_out", cfg.channels(0), cfg.normNumGroups(), cfg.normEps())
                .apply(sd, params, x, h, w);
        acts.put(CONV_NORM_OUT, x);
        x = Conv2d.same("conv_out", cfg.convOutKernel()).apply(sd, params, sd.nn().swish(x));
        return new Graph(x, acts);
    }

    private ResnetBlock2D resnet(String name, int in, int out, double outputScale) {
        return new ResnetBlock2D(name, in, out, cfg.normNumGroups(), cfg.normEps(), true, outputScale);
    }

    private Transformer2D transformer(String name, int channels, int heads, int layers) {
        return new Transformer2D(name, channels, heads, layers, cfg.normNumGroups(), cfg.useLinearProjection(),
                cfg.onlyCrossAttention());
    }
}
