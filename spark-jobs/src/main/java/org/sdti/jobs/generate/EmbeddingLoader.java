package org.sdti.jobs.generate;

import java.io.FileNotFoundException;
import java.io.IOException;
import java.io.InputStream;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.sdti.model.BadInputException;
import org.sdti.model.embeddings.EmbeddingFileException;
import org.sdti.model.embeddings.EmbeddingFiles;
import org.sdti.model.embeddings.LearnedEmbedding;
import org.sdti.model.pipelines.TokenEmbeddings;

/** {@code --embedding FILE}: a learned-embedding file (any Hadoop file system) and its SHA-256. */
public final class EmbeddingLoader {
    /** The vectors and where they came from. */
    public record Loaded(TokenEmbeddings embeddings, String file, String sha256) {
        /** How a PNG's metadata names it. */
        public GenerationInfo.Embedding info() {
            return new GenerationInfo.Embedding(embeddings.token(), file, embeddings.numVectors(), sha256);
        }
    }

    private EmbeddingLoader() {}

    public static Loaded load(String location, Configuration conf) throws IOException {
        Path p = new Path(location);
        FileSystem fs = p.getFileSystem(conf);
        byte[] bytes;
        try (InputStream in = fs.open(p)) {
            bytes = in.readAllBytes();
        } catch (FileNotFoundException e) {
            throw new BadInputException("embedding file " + location + " does not exist");
        }
        // every format other tools write: diffusers (.safetensors, legacy .bin), AUTOMATIC1111 .pt, kohya emb_params
        LearnedEmbedding learned;
        try {
            learned = EmbeddingFiles.read(location, conf);
        } catch (EmbeddingFileException x) {
            throw new BadInputException(x.getMessage(), x);
        }
        TokenEmbeddings e = new TokenEmbeddings(learned.token(), learned.vectors(), location);
        return new Loaded(e, location, FileHashes.sha256(bytes));
    }

    /** {@link #load} then {@link #checkWidth}. */
    public static Loaded load(String location, Configuration conf, int textEncoderWidth) throws IOException {
        Loaded e = load(location, conf);
        checkWidth(e, textEncoderWidth);
        return e;
    }

    /** Rejects vectors whose width is not the text encoder's, naming both (before any weights are loaded). */
    public static void checkWidth(Loaded e, int textEncoderWidth) {
        if (e.embeddings().width() != textEncoderWidth) {
            throw new BadInputException("embedding " + e.file() + " ('" + e.embeddings().token() + "') has vectors of "
                    + "width " + e.embeddings().width() + " but the model's text encoder takes width "
                    + textEncoderWidth + " (an embedding for another model)");
        }
    }
}
