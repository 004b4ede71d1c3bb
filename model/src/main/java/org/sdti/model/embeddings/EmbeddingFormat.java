package org.sdti.model.embeddings;

/** The embedding file layouts sdti reads; {@link #writable()} ones it also writes. */
public enum EmbeddingFormat {
    /** diffusers {@code learned_embeds.safetensors}: one tensor named by the token. */
    DIFFUSERS_SAFETENSORS("diffusers learned_embeds.safetensors", true),
    /** diffusers {@code learned_embeds.bin} (up to v0.19, or {@code --no_safe_serialization}): the same dict pickled. */
    DIFFUSERS_BIN("diffusers learned_embeds.bin", false),
    /** AUTOMATIC1111 {@code .pt} ({@code string_to_param}), also the original LDM {@code ParameterDict} files. */
    A1111_PT("AUTOMATIC1111 .pt", true),
    /** kohya sd-scripts {@code {"emb_params": [n, dim]}} as safetensors. */
    KOHYA_SAFETENSORS("kohya emb_params .safetensors", false),
    /** kohya sd-scripts {@code {"emb_params": [n, dim]}} pickled ({@code --save_model_as pt}). */
    KOHYA_PT("kohya emb_params .pt", false);

    private final String description;
    private final boolean writable;

    EmbeddingFormat(String description, boolean writable) {
        this.description = description;
        this.writable = writable;
    }

    public String description() {
        return description;
    }

    /** Whether {@link EmbeddingFiles#write} can produce this format. */
    public boolean writable() {
        return writable;
    }
}
