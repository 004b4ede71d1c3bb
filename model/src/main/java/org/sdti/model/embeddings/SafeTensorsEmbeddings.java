package org.sdti.model.embeddings;

import java.io.IOException;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import org.sdti.model.io.SafeTensorsFile;
import org.sdti.model.io.TensorInfo;

/**
 * Embeddings in safetensors files: diffusers' {@code {token: [n, dim]}} and kohya's {@code {"emb_params": [n, dim]}}.
 * The token is the tensor's name for diffusers, the file stem for kohya (whose tensor name says nothing).
 */
final class SafeTensorsEmbeddings {
    static final String KOHYA_KEY = "emb_params";

    /** The {@code __metadata__} keys sdti writes (and reads back) next to diffusers' {@code format}. */
    static final String VERSION = "sdti_version";
    static final String STEP = "sdti_step";
    static final String BASE_MODEL = "sdti_base_model";
    static final String BASE_MODEL_HASH = "sdti_base_model_hash";

    private SafeTensorsEmbeddings() {}

    static LearnedEmbedding read(SafeTensorsFile file, String source, String stem, ReadOptions options)
            throws IOException {
        List<String> names = file.names();
        if (names.contains("clip_l") && names.contains("clip_g")) {
            throw new EmbeddingFileException(source, "an SDXL embedding (clip_l and clip_g), not one for SD 2.x");
        }
        if (names.size() != 1) {
            throw new EmbeddingFileException(source, "holds " + names.size() + " tensors"
                    + (names.isEmpty() ? "" : " (" + String.join(", ", names.subList(0, Math.min(5, names.size())))
                    + (names.size() > 5 ? ", ..." : "") + ")") + "; an embedding file holds exactly one");
        }
        String name = names.get(0);
        TensorInfo info = file.info(name);
        if (!info.dtype().isFloating()) {
            throw new EmbeddingFileException(source, "tensor '" + name + "' is " + info.dtype()
                    + ", not a floating-point tensor");
        }
        boolean kohya = name.equals(KOHYA_KEY);
        String token = options.token().orElse(kohya ? stem : name);
        EmbeddingMetadata metadata = metadata(file.metadata(),
                kohya ? EmbeddingFormat.KOHYA_SAFETENSORS : EmbeddingFormat.DIFFUSERS_SAFETENSORS);
        return EmbeddingShape.embedding(token, info.shape(), file.floats(name), metadata, name, source);
    }

    private static EmbeddingMetadata metadata(Map<String, String> strings, EmbeddingFormat format) {
        return new EmbeddingMetadata(Optional.of(format), step(strings.get(STEP)),
                Optional.ofNullable(strings.get(BASE_MODEL)), Optional.ofNullable(strings.get(BASE_MODEL_HASH)),
                strings);
    }

    /** Other tools' strings are kept as they are; a step that is not a number is just not a step. */
    private static OptionalLong step(String s) {
        if (s == null) return OptionalLong.empty();
        try {
            return OptionalLong.of(Long.parseLong(s.strip()));
        } catch (NumberFormatException e) {
            return OptionalLong.empty();
        }
    }
}
