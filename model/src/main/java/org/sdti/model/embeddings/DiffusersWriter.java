package org.sdti.model.embeddings;

import java.util.Map;
import org.sdti.model.Version;
import org.sdti.model.io.SafeTensorsWriter;

/**
 * A diffusers {@code learned_embeds.safetensors}: one F32 tensor {@code [n, dim]} named by the token, with
 * {@code "format": "pt"} (diffusers' loader wants it, as {@code save_file(..., metadata={"format": "pt"})} writes)
 * and sdti's own strings: version, step, base model name and hash. Other strings the embedding carries are kept.
 */
final class DiffusersWriter {
    private DiffusersWriter() {}

    static SafeTensorsWriter of(LearnedEmbedding e) {
        EmbeddingMetadata m = e.metadata();
        SafeTensorsWriter w = new SafeTensorsWriter().metadata("format", "pt")
                .metadata(SafeTensorsEmbeddings.VERSION, Version.SDTI);
        m.step().ifPresent(s -> w.metadata(SafeTensorsEmbeddings.STEP, Long.toString(s)));
        m.baseModel().ifPresent(s -> w.metadata(SafeTensorsEmbeddings.BASE_MODEL, s));
        m.baseModelHash().ifPresent(s -> w.metadata(SafeTensorsEmbeddings.BASE_MODEL_HASH, s));
        for (Map.Entry<String, String> p : m.properties().entrySet()) {
            if (!p.getKey().equals("format") && !p.getKey().startsWith("sdti_")) {
                w.metadata(p.getKey(), p.getValue());
            }
        }
        return w.addFloats(e.token(), new long[] {e.count(), e.width()}, e.flat());
    }
}
