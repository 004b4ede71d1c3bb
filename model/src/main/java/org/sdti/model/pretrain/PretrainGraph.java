package org.sdti.model.pretrain;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.autodiff.samediff.VariableType;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.sdti.model.models.TextEncoderGraph;
import org.sdti.model.models.TokenEmbedding;
import org.sdti.model.models.nn.FrozenBackprop;
import org.sdti.model.models.nn.GraphRunner;
import org.sdti.model.models.nn.SharedConstants;

/**
 * One full-weight training graph at a fixed batch and latent size: {@code ids → text encoder → U-Net(noisy, t) →
 * mean(w · (ε̂ − target)²)} (w one weight per sample, 1 for plain MSE), with every weight of both networks a
 * VARIABLE and the backward ops ({@link FrozenBackprop}) in the same graph, so one pass gives the loss and the
 * gradient of every weight. The token table is looked up outside the graph (SameDiff's gather has a broken
 * backward): the gradient of the looked-up rows is summed into the table's rows here.
 *
 * <p>Parameters are named by key: the graph's variable names, and {@link #TOKEN_TABLE} for the table. Not
 * thread-safe: one graph per training thread.
 */
public final class PretrainGraph {
    /** Key of the token-embedding table among {@link #parameters()}. */
    public static final String TOKEN_TABLE = "text_encoder/" + TokenEmbedding.TABLE;

    static final String NOISY = "pretrain.noisy_latents";
    static final String TIMESTEPS = "pretrain.timesteps";
    static final String TARGET = "pretrain.target";
    static final String WEIGHTS = "pretrain.loss_weights";
    static final String LOSS = "pretrain.loss";

    private final SameDiff sd;
    private final TrainableNetworks nets;
    private final TextEncoderGraph text;
    private final long[] latentShape;
    private final List<String> variables;
    private final Map<String, String> gradientNames;
    private final String baseGradient;

    /** The loss of a batch and the gradient of every parameter (same shapes as {@link #parameter}). */
    public record Result(double loss, Map<String, INDArray> gradients) {}

    private PretrainGraph(SameDiff sd, TrainableNetworks nets, TextEncoderGraph text, long[] latentShape,
                          List<String> variables, Map<String, String> gradientNames, String baseGradient) {
        this.sd = sd;
        this.nets = nets;
        this.text = text;
        this.latentShape = latentShape;
        this.variables = variables;
        this.gradientNames = gradientNames;
        this.baseGradient = baseGradient;
    }

    public static PretrainGraph build(TrainableNetworks nets, int batch, int latentChannels, int height, int width) {
        SameDiff sd = SameDiff.create();
        SharedConstants.install(sd); // weights by reference: updates to the stores reach the graph
        DataType dt = nets.tokenTable().dataType();
        TextEncoderGraph text = nets.textEncoder().addInference(sd, batch,
                nets.textConfig().maxPositionEmbeddings(), 0);
        SDVariable noisy = sd.placeHolder(NOISY, dt, batch, latentChannels, height, width);
        SDVariable t = sd.placeHolder(TIMESTEPS, dt, batch);
        SDVariable target = sd.placeHolder(TARGET, dt, batch, latentChannels, height, width);
        SDVariable weights = sd.placeHolder(WEIGHTS, dt, batch, 1, 1, 1);
        SDVariable pred = nets.unet().build(sd, noisy, t, text.outputVariable(), height, width, text.length())
                .output();
        SDVariable diff = pred.sub(target);
        // F.mse_loss (the mean over all values) with each sample's squared error scaled by its weight
        sd.setLossVariables(sd.identity(LOSS, diff.mul(diff).mul(weights).mean()));
        List<String> variables = new ArrayList<>();
        for (SDVariable v : sd.variables()) {
            if (v.getVariableType() == VariableType.VARIABLE) {
                variables.add(v.name());
            }
        }
        variables.sort(null); // a fixed order for the optimizer's flat vector
        List<String> targets = new ArrayList<>(variables);
        targets.add(text.base());
        List<String> grads = FrozenBackprop.build(sd, LOSS, targets.toArray(new String[0]));
        Map<String, String> gradientNames = new LinkedHashMap<>();
        for (int i = 0; i < variables.size(); i++) {
            gradientNames.put(variables.get(i), grads.get(i));
        }
        return new PretrainGraph(sd, nets, text, new long[] {batch, latentChannels, height, width}, variables,
                gradientNames, grads.get(grads.size() - 1));
    }

    /** Parameter keys in the optimizer's order: the graph's variables (sorted), then the token table. */
    public List<String> parameters() {
        List<String> all = new ArrayList<>(variables);
        all.add(TOKEN_TABLE);
        return all;
    }

    /** The live array of a parameter: writing into it changes what the next pass computes with. */
    public INDArray parameter(String key) {
        return key.equals(TOKEN_TABLE) ? nets.tokenTable() : sd.getArrForVarName(key);
    }

    public int batch() {
        return text.batch();
    }

    /** The underlying graph (e.g. for a profiling listener). */
    public SameDiff sameDiff() {
        return sd;
    }

    /**
     * Forward and backward for one batch.
     *
     * @param ids token ids {@code [batch][max_position_embeddings]}
     * @param noisy noisy latents {@code [B, C, h, w]}
     * @param timesteps {@code [B]}
     * @param target the noise ε that was added, {@code [B, C, h, w]}
     * @param weights each sample's loss weight {@code [B]} (all 1: plain MSE)
     */
    public Result step(long[][] ids, INDArray noisy, INDArray timesteps, INDArray target, float[] weights) {
        Map<String, INDArray> feed = feed(ids, noisy, timesteps, target, weights);
        List<String> outputs = new ArrayList<>(gradientNames.values());
        outputs.add(baseGradient);
        outputs.add(LOSS);
        Map<String, INDArray> out = GraphRunner.output(sd, feed, outputs.toArray(new String[0]));
        Map<String, INDArray> grads = new LinkedHashMap<>();
        gradientNames.forEach((v, g) -> grads.put(v, out.get(g)));
        grads.put(TOKEN_TABLE, tableGradient(ids, out.get(baseGradient)));
        return new Result(out.get(LOSS).getDouble(0), grads);
    }

    /** Forward and backward for one batch with plain MSE (every weight 1). */
    public Result step(long[][] ids, INDArray noisy, INDArray timesteps, INDArray target) {
        return step(ids, noisy, timesteps, target, ones());
    }

    /** The forward pass alone: the plain MSE of one batch (arguments as for {@link #step}). */
    public double loss(long[][] ids, INDArray noisy, INDArray timesteps, INDArray target) {
        return GraphRunner.output(sd, feed(ids, noisy, timesteps, target, ones()), LOSS).get(LOSS).getDouble(0);
    }

    private float[] ones() {
        float[] w = new float[(int) latentShape[0]];
        java.util.Arrays.fill(w, 1f);
        return w;
    }

    private Map<String, INDArray> feed(long[][] ids, INDArray noisy, INDArray timesteps, INDArray target,
                                       float[] weights) {
        DataType dt = nets.tokenTable().dataType();
        TokenEmbedding.Inputs inputs = nets.textEncoder().embedding().lookup(ids, 0);
        Map<String, INDArray> feed = new HashMap<>(text.placeholders(inputs));
        feed.put(NOISY, noisy.castTo(dt).reshape(latentShape));
        feed.put(TIMESTEPS, timesteps.castTo(dt).reshape(latentShape[0]));
        feed.put(TARGET, target.castTo(dt).reshape(latentShape));
        feed.put(WEIGHTS, Nd4j.create(weights, new long[] {latentShape[0], 1, 1, 1}, 'c').castTo(dt));
        return feed;
    }

    /** Each looked-up row's gradient added into its table row (rows never looked up get zero). */
    private INDArray tableGradient(long[][] ids, INDArray rowGradients) {
        INDArray table = nets.tokenTable();
        long hidden = table.columns();
        double[] g = rowGradients.castTo(DataType.DOUBLE).dup('c').data().asDouble();
        double[] sum = new double[(int) (table.rows() * hidden)];
        int i = 0;
        for (long[] row : ids) {
            for (long id : row) {
                int base = (int) (id * hidden);
                for (int c = 0; c < hidden; c++) {
                    sum[base + c] += g[i++];
                }
            }
        }
        return Nd4j.createFromArray(sum).reshape(table.shape()).castTo(table.dataType());
    }
}
