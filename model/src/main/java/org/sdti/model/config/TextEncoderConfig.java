package org.sdti.model.config;

/**
 * transformers' {@code CLIPTextConfig} fields that shape the text encoder ({@code text_encoder/config.json}).
 *
 * @param hiddenAct {@code gelu} (exact erf GELU, SD 2) or {@code quick_gelu} (SD 1)
 */
public record TextEncoderConfig(
        int vocabSize,
        int hiddenSize,
        int intermediateSize,
        int numHiddenLayers,
        int numAttentionHeads,
        int maxPositionEmbeddings,
        double layerNormEps,
        String hiddenAct,
        String source) {

    public TextEncoderConfig {
        if (hiddenSize % numAttentionHeads != 0) {
            throw new ConfigException(source + ": hidden_size " + hiddenSize + " is not divisible by num_attention_heads "
                    + numAttentionHeads);
        }
    }

    public static TextEncoderConfig from(JsonConfig c) {
        String act = c.optString("hidden_act", "quick_gelu");
        c.requireOneOf("hidden_act", act, "gelu", "quick_gelu");
        return new TextEncoderConfig(
                c.requireInt("vocab_size"),
                c.requireInt("hidden_size"),
                c.requireInt("intermediate_size"),
                c.requireInt("num_hidden_layers"),
                c.requireInt("num_attention_heads"),
                c.optInt("max_position_embeddings", 77),
                c.optDouble("layer_norm_eps", 1e-5),
                act,
                c.source());
    }

    public int headDim() {
        return hiddenSize / numAttentionHeads;
    }
}
