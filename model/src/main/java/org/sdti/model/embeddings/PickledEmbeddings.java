package org.sdti.model.embeddings;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.stream.Collectors;

/**
 * Embeddings in unpickled torch files, told apart by their keys as AUTOMATIC1111's loader does:
 * {@code string_to_param} (A1111 and the original LDM code; a dict or a {@code ParameterDict}) or a dict holding
 * one tensor (diffusers {@code learned_embeds.bin}, kohya {@code emb_params}).
 */
final class PickledEmbeddings {
    private PickledEmbeddings() {}

    static LearnedEmbedding read(Object root, String source, String stem, ReadOptions options)
            throws EmbeddingFileException {
        if (!(root instanceof Map<?, ?> dict)) {
            throw new EmbeddingFileException(source, "data.pkl holds a " + Py.typeName(root) + ", not a dict");
        }
        if (dict.containsKey("string_to_param")) {
            return a1111(dict, source, stem, options);
        }
        if (dict.containsKey("clip_l") && dict.containsKey("clip_g")) {
            throw new EmbeddingFileException(source, "an SDXL embedding (clip_l and clip_g), not one for SD 2.x");
        }
        if (dict.size() == 1 && dict.values().iterator().next() instanceof TorchTensor tensor
                && dict.keySet().iterator().next() instanceof String key) {
            boolean kohya = key.equals(SafeTensorsEmbeddings.KOHYA_KEY);
            EmbeddingMetadata metadata = EmbeddingMetadata.NONE
                    .withFormat(kohya ? EmbeddingFormat.KOHYA_PT : EmbeddingFormat.DIFFUSERS_BIN);
            return embedding(options.token().orElse(kohya ? stem : key), tensor, metadata, key, source);
        }
        throw new EmbeddingFileException(source, "has no 'string_to_param' and is not a dict of one tensor"
                + " (keys: " + keys(dict) + ")");
    }

    private static LearnedEmbedding a1111(Map<?, ?> dict, String source, String stem, ReadOptions options)
            throws EmbeddingFileException {
        Object params = dict.get("string_to_param");
        // the LDM code saved a torch.nn.ParameterDict; its entries are in _parameters (A1111 does the same)
        if (params instanceof Py.Instance module) {
            params = module.state.get("_parameters");
        }
        if (!(params instanceof Map<?, ?> entries)) {
            throw new EmbeddingFileException(source, "'string_to_param' is a " + Py.typeName(params)
                    + ", not a dict of tensors");
        }
        if (entries.size() != 1 || !(entries.values().iterator().next() instanceof TorchTensor tensor)) {
            throw new EmbeddingFileException(source, "'string_to_param' must hold exactly one tensor, but holds "
                    + (entries.isEmpty() ? "nothing" : keys(entries) + " -> "
                    + entries.values().stream().map(Py::typeName).collect(Collectors.joining(", "))));
        }
        String key = String.valueOf(entries.keySet().iterator().next());
        // diffusers' loader names it by 'name'; A1111 itself by the file stem, which is the fallback here
        String name = dict.get("name") instanceof String s && !s.isEmpty() ? s : stem;
        EmbeddingMetadata metadata = new EmbeddingMetadata(Optional.of(EmbeddingFormat.A1111_PT),
                dict.get("step") instanceof Long step ? OptionalLong.of(step) : OptionalLong.empty(),
                string(dict.get("sd_checkpoint_name")), string(dict.get("sd_checkpoint")), Map.of());
        return embedding(options.token().orElse(name), tensor, metadata, "string_to_param['" + key + "']", source);
    }

    private static Optional<String> string(Object v) {
        return v instanceof String s ? Optional.of(s) : Optional.empty();
    }

    private static LearnedEmbedding embedding(String token, TorchTensor tensor, EmbeddingMetadata metadata,
            String what, String source) throws EmbeddingFileException {
        if (!tensor.dtype().isFloating()) {
            throw new EmbeddingFileException(source, "tensor " + what + " is " + tensor.dtype()
                    + ", not a floating-point tensor");
        }
        return EmbeddingShape.embedding(token, tensor.shape(), tensor.floats(), metadata, what, source);
    }

    private static String keys(Map<?, ?> dict) {
        List<String> shown = dict.keySet().stream().limit(8).map(TorchGlobals::describe).toList();
        return shown.isEmpty() ? "none" : String.join(", ", shown) + (dict.size() > 8 ? ", ..." : "");
    }
}
