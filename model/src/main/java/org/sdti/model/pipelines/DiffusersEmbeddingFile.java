package org.sdti.model.pipelines;

import java.io.IOException;
import org.sdti.model.io.SafeTensorsFile;
import org.sdti.model.io.TensorInfo;

/**
 * Reads diffusers' {@code learned_embeds.safetensors}: exactly one tensor whose key is the placeholder token,
 * {@code [n, width]} or the pre-0.16 {@code [width]} (one vector).
 *
 * <p>A stop-gap adapter: {@code org.sdti.model.embeddings.EmbeddingFiles} reads every format (diffusers,
 * AUTOMATIC1111 {@code .pt}, kohya {@code emb_params}) and replaces this class.
 */
public final class DiffusersEmbeddingFile {
    private DiffusersEmbeddingFile() {}

    public static TokenEmbeddings read(SafeTensorsFile file) throws IOException {
        if (file.names().size() != 1) {
            throw new IllegalArgumentException(file.source() + ": a diffusers learned_embeds file holds exactly one "
                    + "tensor (key = the token), this one holds " + file.names().size() + " " + file.names());
        }
        String token = file.names().get(0);
        TensorInfo t = file.info(token);
        if (!t.dtype().isFloating() || t.rank() < 1 || t.rank() > 2) {
            throw new IllegalArgumentException(file.source() + ": tensor '" + token + "' is " + t.dtype() + " "
                    + t.shapeString() + ", expected floating-point [n, width] or [width]");
        }
        int n = t.rank() == 1 ? 1 : Math.toIntExact(t.shape()[0]);
        int width = Math.toIntExact(t.shape()[t.rank() - 1]);
        float[] flat = file.floats(token);
        float[][] rows = new float[n][width];
        for (int i = 0; i < n; i++) {
            System.arraycopy(flat, i * width, rows[i], 0, width);
        }
        return new TokenEmbeddings(token, rows, file.source());
    }
}
