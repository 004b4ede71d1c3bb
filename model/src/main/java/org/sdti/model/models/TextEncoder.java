package org.sdti.model.models;

import java.io.Closeable;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.indexing.NDArrayIndex;
import org.sdti.model.config.JsonConfig;
import org.sdti.model.config.TextEncoderConfig;
import org.sdti.model.io.SafeTensorsFile;
import org.sdti.model.models.nn.Activation;
import org.sdti.model.models.nn.LayerNorm;
import org.sdti.model.models.nn.Linear;
import org.sdti.model.models.nn.MultiHeadAttention;
import org.sdti.model.models.nn.ParamStore;
import org.sdti.model.models.nn.SharedConstants;

/**
 * transformers' {@code CLIPTextModel} as Stable Diffusion uses it: token + position embeddings, pre-LN causal
 * transformer layers, final LayerNorm; the output is {@code last_hidden_state [batch, length, hidden]}.
 *
 * <p>The token lookup happens outside the graph ({@link TokenEmbedding}); the graph's input is
 * {@code base + mask·rows}, where {@code rows} are added tokens' embeddings. For generation {@code rows} is a
 * placeholder; for textual inversion it is the graph's only VARIABLE, so gradients reach nothing else. All weights
 * are constants shared (by reference) with every graph built from this encoder.
 *
 * <p>Inference graphs are built once per (batch, length, added rows) and cached.
 */
public final class TextEncoder implements Closeable {
    public static final String BASE = "text_encoder.inputs_base";
    public static final String MASK = "text_encoder.inputs_mask";
    public static final String ROWS = "text_encoder.rows";
    public static final String OUTPUT = "text_encoder.last_hidden_state";
    public static final String HIDDEN_STATES = "text_encoder.hidden_states.";

    private static final String PREFIX = "text_model.";

    private record Shape(int batch, int length, int numVectors) {}

    private final TextEncoderConfig config;
    private final ParamStore params;
    private final TokenEmbedding embedding;
    private final Activation activation;
    private final Map<Shape, TextEncoderGraph> graphs = new ConcurrentHashMap<>();

    public TextEncoder(TextEncoderConfig config, ParamStore params) {
        this.config = config;
        this.params = params;
        this.embedding = new TokenEmbedding(params);
        this.activation = Activation.fromConfig(config.hiddenAct());
    }

    /** Loads a transformers folder ({@code config.json} + {@code model.safetensors}), checking every tensor. */
    public static TextEncoder load(Path folder, DataType dataType) throws IOException {
        Path configFile = folder.resolve("config.json");
        TextEncoderConfig config = TextEncoderConfig.from(JsonConfig.parse(configFile.toString(),
                Files.readString(configFile)));
        CheckedWeights weights = CheckedWeights.check(SafeTensorsFile.open(folder.resolve("model.safetensors")),
                Layouts.textEncoder(config));
        return new TextEncoder(config, ParamStore.of(weights, dataType));
    }

    public TextEncoderConfig config() {
        return config;
    }

    public TokenEmbedding embedding() {
        return embedding;
    }

    public Activation activation() {
        return activation;
    }

    public ParamStore params() {
        return params;
    }

    /** {@code last_hidden_state [batch, length, hidden]} of token ids all below the vocabulary size. */
    public INDArray encode(long[][] ids) {
        return encode(ids, null);
    }

    /**
     * {@code last_hidden_state} where ids {@code vocabSize + j} take row {@code j} of {@code addedRows}
     * ({@code [n, hidden]}, or null for none).
     */
    public INDArray encode(long[][] ids, INDArray addedRows) {
        int n = addedRows == null ? 0 : (int) addedRows.rows();
        if (addedRows != null && (addedRows.rank() != 2 || addedRows.columns() != config.hiddenSize())) {
            throw new IllegalArgumentException("added rows must be [n, " + config.hiddenSize() + "], not "
                    + Arrays.toString(addedRows.shape()));
        }
        TokenEmbedding.Inputs in = embedding.lookup(ids, n);
        TextEncoderGraph g = inferenceGraph(ids.length, ids[0].length, n);
        INDArray rows = addedRows == null ? null : addedRows.castTo(params.dataType());
        return g.sd().output(g.placeholders(in, rows), g.output()).get(g.output());
    }

    /** The cached inference graph for a shape (rows a placeholder). */
    public TextEncoderGraph inferenceGraph(int batch, int length, int numVectors) {
        return graphs.computeIfAbsent(new Shape(batch, length, numVectors),
                s -> build(newGraph(), s.batch(), s.length(), s.numVectors(), null));
    }

    /** A graph whose constants are the shared weight arrays themselves (SameDiff's default holder copies them). */
    private static SameDiff newGraph() {
        SameDiff sd = SameDiff.create();
        SharedConstants.install(sd);
        return sd;
    }

    /**
     * Adds the encoder to {@code sd} (the caller's training graph, which the U-Net and loss then join) with
     * {@code rows} as the only trainable VARIABLE. The graph holds {@code initialRows [n, hidden]} by reference
     * (same data type as the store); the caller caches the graph per batch size.
     */
    public TextEncoderGraph addTrainable(SameDiff sd, int batch, INDArray initialRows) {
        if (initialRows.rank() != 2 || initialRows.rows() < 1 || initialRows.columns() != config.hiddenSize()
                || initialRows.dataType() != params.dataType()) {
            throw new IllegalArgumentException("trainable rows must be " + params.dataType() + " [n >= 1, "
                    + config.hiddenSize() + "], not " + initialRows.dataType() + " "
                    + Arrays.toString(initialRows.shape()));
        }
        return build(sd, batch, config.maxPositionEmbeddings(), (int) initialRows.rows(), initialRows);
    }

    /** Adds the encoder to {@code sd} with {@code rows} as a placeholder (none when numVectors is 0). */
    public TextEncoderGraph addInference(SameDiff sd, int batch, int length, int numVectors) {
        return build(sd, batch, length, numVectors, null);
    }

    private TextEncoderGraph build(SameDiff sd, int batch, int length, int numVectors, INDArray trainableRows) {
        if (batch < 1 || length < 1 || length > config.maxPositionEmbeddings() || numVectors < 0) {
            throw new IllegalArgumentException("bad text encoder shape: batch " + batch + ", length " + length
                    + " (max " + config.maxPositionEmbeddings() + "), added rows " + numVectors);
        }
        DataType type = params.dataType();
        long h = config.hiddenSize();
        SDVariable x = sd.placeHolder(BASE, type, batch, length, h);
        String mask = null;
        String rows = null;
        if (numVectors > 0) {
            SDVariable m = sd.placeHolder(MASK, type, batch, length, numVectors);
            SDVariable r = trainableRows != null ? sd.var(ROWS, trainableRows)
                    : sd.placeHolder(ROWS, type, numVectors, h);
            // one matmul places row j wherever mask column j is 1; matmul needs rank 2, so the ids are flattened
            // into [batch·length, n] and the result restored to [batch, length, hidden] to add to base
            x = x.add(m.reshape(batch * length, numVectors).mmul(r).reshape(batch, length, h));
            mask = MASK;
            rows = ROWS;
        }
        x = x.add(positions(sd, length)); // [length, hidden] broadcasts over the batch
        // from here on every sequence is token rows [batch·length, hidden]: Linear/LayerNorm/activations need no
        // reshape, only attention splits rows back into sequences
        x = x.reshape((long) batch * length, h);
        List<String> hidden = new ArrayList<>();
        hidden.add(x.rename(HIDDEN_STATES + 0).name());
        for (int i = 0; i < config.numHiddenLayers(); i++) {
            x = layer(sd, i, x, length);
            hidden.add(x.rename(HIDDEN_STATES + (i + 1)).name());
        }
        SDVariable last = LayerNorm.of(sd, params, PREFIX + "final_layer_norm", config.layerNormEps()).apply(x);
        last.reshape(batch, length, h).rename(OUTPUT); // CLIPTextModel's [batch, length, hidden]
        return new TextEncoderGraph(sd, batch, length, numVectors, BASE, mask, rows, OUTPUT, List.copyOf(hidden),
                trainableRows != null);
    }

    /** Position embeddings 0..length-1 as a constant; the first rows are sliced once per length, not per call. */
    private SDVariable positions(SameDiff sd, int length) {
        String name = PREFIX + "embeddings.position_embedding.weight";
        if (length == config.maxPositionEmbeddings()) {
            return params.constant(sd, name);
        }
        if (params.isTrainable()) { // sliced in the graph, so the rows used get their gradient
            return sd.slice(params.constant(sd, name), new int[] {0, 0}, length, config.hiddenSize());
        }
        return params.derivedConstant(sd, name + "[0:" + length + "]",
                () -> params.array(name).get(NDArrayIndex.interval(0, length), NDArrayIndex.all()).dup());
    }

    /** CLIPEncoderLayer: {@code x + attn(ln1(x))}, then {@code x + fc2(act(fc1(ln2(x))))}. */
    private SDVariable layer(SameDiff sd, int i, SDVariable x, int length) {
        String p = PREFIX + "encoder.layers." + i + ".";
        double eps = config.layerNormEps();
        MultiHeadAttention attention = MultiHeadAttention.of(sd, params,
                MultiHeadAttention.Names.clip(p + "self_attn"), config.numAttentionHeads(), true, false);
        x = x.add(attention.apply(LayerNorm.of(sd, params, p + "layer_norm1", eps).apply(x), length));
        SDVariable h = LayerNorm.of(sd, params, p + "layer_norm2", eps).apply(x);
        h = activation.apply(sd, Linear.of(sd, params, p + "mlp.fc1").apply(h));
        return x.add(Linear.of(sd, params, p + "mlp.fc2").apply(h));
    }

    @Override
    public void close() throws IOException {
        params.close();
    }
}
