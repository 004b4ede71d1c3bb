package org.sdti.model.embeddings;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * What an embedding file says about the embedding besides its vectors.
 *
 * @param format        the layout it was read from (empty for embeddings made in memory)
 * @param step          training steps done
 * @param baseModel     the model it was trained on (A1111 {@code sd_checkpoint_name})
 * @param baseModelHash that model's hash (A1111 {@code sd_checkpoint}: the first 10 hex digits of its sha256)
 * @param properties    the file's free-form strings, as found (safetensors {@code __metadata__}; empty for pickles)
 */
public record EmbeddingMetadata(Optional<EmbeddingFormat> format, OptionalLong step, Optional<String> baseModel,
        Optional<String> baseModelHash, Map<String, String> properties) {
    public static final EmbeddingMetadata NONE =
            new EmbeddingMetadata(Optional.empty(), OptionalLong.empty(), Optional.empty(), Optional.empty(), Map.of());

    public EmbeddingMetadata {
        Objects.requireNonNull(format, "format");
        Objects.requireNonNull(step, "step");
        Objects.requireNonNull(baseModel, "baseModel");
        Objects.requireNonNull(baseModelHash, "baseModelHash");
        // keeps the file's order, which matters when the strings are written again
        properties = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(properties));
    }

    public EmbeddingMetadata withFormat(EmbeddingFormat f) {
        return new EmbeddingMetadata(Optional.of(f), step, baseModel, baseModelHash, properties);
    }

    public EmbeddingMetadata withStep(long s) {
        return new EmbeddingMetadata(format, OptionalLong.of(s), baseModel, baseModelHash, properties);
    }

    /** The base model's name, or none when {@code name} is null. */
    public EmbeddingMetadata withBaseModel(String name) {
        return new EmbeddingMetadata(format, step, Optional.ofNullable(name), baseModelHash, properties);
    }

    /** The base model's hash, or none when {@code hash} is null. */
    public EmbeddingMetadata withBaseModelHash(String hash) {
        return new EmbeddingMetadata(format, step, baseModel, Optional.ofNullable(hash), properties);
    }

    public EmbeddingMetadata withProperties(Map<String, String> p) {
        return new EmbeddingMetadata(format, step, baseModel, baseModelHash, p);
    }
}
