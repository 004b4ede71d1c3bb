package org.sdti.model.inversion;

import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import org.sdti.model.embeddings.EmbeddingFiles;
import org.sdti.model.embeddings.EmbeddingFormat;
import org.sdti.model.embeddings.EmbeddingMetadata;
import org.sdti.model.embeddings.LearnedEmbedding;
import org.sdti.model.io.OutputFolder;

/**
 * Turns training states into embedding files other tools read: the token, the base model's name and free-form
 * properties (initializer, learning rate ...) go into every file's metadata with the step it was taken at.
 *
 * @param token      the placeholder, e.g. {@code <cat-toy>} (the file's tensor name in the diffusers layout)
 * @param baseModel  names the model trained on
 * @param properties further metadata strings; keys must not start with {@code sdti_} (the writer's own)
 */
public record EmbeddingExport(String token, String baseModel, Map<String, String> properties) {
    public static final String FILE = "learned_embeds.safetensors";

    public EmbeddingExport {
        Objects.requireNonNull(token, "token");
        Objects.requireNonNull(baseModel, "baseModel");
        properties = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(properties));
    }

    public LearnedEmbedding embedding(TrainerState s) {
        EmbeddingMetadata meta = EmbeddingMetadata.NONE.withFormat(EmbeddingFormat.DIFFUSERS_SAFETENSORS)
                .withStep(s.step()).withBaseModel(baseModel).withProperties(properties);
        return LearnedEmbedding.ofFlat(token, s.numVectors(), s.rows(), meta);
    }

    /** Writes the state's embedding atomically to {@code relative} of the folder. */
    public void write(OutputFolder folder, String relative, TrainerState s, EmbeddingFormat format)
            throws IOException {
        LearnedEmbedding e = embedding(s);
        folder.write(relative, out -> EmbeddingFiles.writeTo(e, format, out));
    }

    /** What a checkpoint records about the embedding besides the state. */
    Map<String, String> checkpointMetadata() {
        Map<String, String> m = new LinkedHashMap<>();
        m.put("token", token);
        m.put("base_model", baseModel);
        properties.forEach((k, v) -> m.put("embedding." + k, v));
        return m;
    }
}
