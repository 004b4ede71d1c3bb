package org.sdti.model.pretrain;

import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.Map;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.sdti.model.config.TextEncoderConfig;
import org.sdti.model.config.UNetConfig;
import org.sdti.model.models.Layouts;
import org.sdti.model.models.TextEncoder;
import org.sdti.model.models.TokenEmbedding;
import org.sdti.model.models.UNet;
import org.sdti.model.models.WeightLayout;
import org.sdti.model.models.nn.ParamStore;

/**
 * The text encoder and U-Net with every weight trainable: the ordinary networks on stores in their trainable form
 * ({@link ParamStore#trainable}), so graphs built from them are the inference
 * graphs with VARIABLEs in place of constants. The weights live in the stores' arrays, which the graphs hold by
 * reference; {@link #textEncoderFloats} and {@link #unetFloats} read them back in PyTorch layout for writing.
 */
public final class TrainableNetworks {
    /** Where the starting float32 PyTorch-layout weights of a network come from. */
    @FunctionalInterface
    public interface Source {
        float[] tensor(String name) throws IOException;
    }

    private final TextEncoderConfig textConfig;
    private final UNetConfig unetConfig;
    private final ParamStore textParams;
    private final ParamStore unetParams;
    private final TextEncoder textEncoder;
    private final UNet unet;

    private TrainableNetworks(TextEncoderConfig textConfig, UNetConfig unetConfig, ParamStore textParams,
                              ParamStore unetParams) {
        this.textConfig = textConfig;
        this.unetConfig = unetConfig;
        this.textParams = textParams;
        this.unetParams = unetParams;
        this.textEncoder = new TextEncoder(textConfig, textParams);
        this.unet = UNet.load(unetConfig, unetParams);
    }

    /** Networks of these configs starting from the given weights, computing in {@code dataType}. */
    public static TrainableNetworks of(TextEncoderConfig textConfig, Source text, UNetConfig unetConfig, Source unet,
                                       DataType dataType) throws IOException {
        WeightLayout textLayout = Layouts.textEncoder(textConfig);
        Map<String, INDArray> textArrays = new LinkedHashMap<>();
        for (Map.Entry<String, long[]> e : textLayout.shapes().entrySet()) {
            textArrays.put(e.getKey(), Nd4j.create(text.tensor(e.getKey()), e.getValue(), 'c').castTo(dataType));
        }
        ParamStore unetParams = ParamStore.converted(Layouts.unet(unetConfig), unet::tensor, "unet", dataType);
        return new TrainableNetworks(textConfig, unetConfig, ParamStore.of(textArrays, dataType).trainable(),
                unetParams.trainable());
    }

    public TextEncoderConfig textConfig() {
        return textConfig;
    }

    public UNetConfig unetConfig() {
        return unetConfig;
    }

    public TextEncoder textEncoder() {
        return textEncoder;
    }

    public UNet unet() {
        return unet;
    }

    public ParamStore unetParams() {
        return unetParams;
    }

    /** The token-embedding table {@code [vocab, hidden]}: looked up outside the graphs, trained all the same. */
    public INDArray tokenTable() {
        return textParams.array(TokenEmbedding.TABLE);
    }

    /** A text-encoder weight as trained so far, PyTorch layout. */
    public float[] textEncoderFloats(String name) {
        return textParams.pytorchFloats(name);
    }

    /** A U-Net weight as trained so far, PyTorch layout. */
    public float[] unetFloats(String name) {
        return unetParams.pytorchFloats(name);
    }
}
