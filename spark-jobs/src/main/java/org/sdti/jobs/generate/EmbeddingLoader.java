package org.sdti.jobs.generate;

import java.io.FileNotFoundException;
import java.io.IOException;
import java.util.List;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.Path;
import org.sdti.model.BadInputException;
import org.sdti.model.embeddings.EmbeddingFiles;
import org.sdti.model.embeddings.LearnedEmbedding;
import org.sdti.model.pipelines.TokenEmbeddings;
import org.sdti.model.text.ClipTokenizer;

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
        // every format other tools write: diffusers (.safetensors, legacy .bin), AUTOMATIC1111 .pt, kohya emb_params;
        // read (and so checked: a regular file, under the size cap) before its bytes are hashed
        LearnedEmbedding learned;
        try {
            learned = EmbeddingFiles.read(location, conf);
        } catch (FileNotFoundException | java.nio.file.NoSuchFileException e) {
            throw new BadInputException("embedding file " + location + " does not exist");
        }
        String nonFinite = learned.nonFinite();
        if (nonFinite != null) {
            throw new BadInputException(location, "embedding '" + learned.token() + "': " + nonFinite
                    + "; an embedding's values are finite");
        }
        TokenEmbeddings e = new TokenEmbeddings(learned.token(), learned.vectors(), location);
        Path p = new Path(location);
        return new Loaded(e, location, FileHashes.sha256(p.getFileSystem(conf), p));
    }

    /** {@link #load} then {@link #checkWidth}. */
    public static Loaded load(String location, Configuration conf, int textEncoderWidth) throws IOException {
        Loaded e = load(location, conf);
        checkWidth(e, textEncoderWidth);
        return e;
    }

    /**
     * Rejects tokens the tokenizer knows already (a vocabulary word such as {@code cat}), or that run into one
     * another, naming the file; from the tokenizer files alone, before any weights load.
     */
    public static void checkNewTokens(List<Loaded> loaded, ClipTokenizer tokenizer) {
        ClipTokenizer known = tokenizer;
        for (Loaded e : loaded) {
            try {
                known = known.withAddedToken(e.embeddings().token(), e.embeddings().numVectors());
            } catch (IllegalArgumentException x) {
                throw new BadInputException("--embedding " + e.file(), x.getMessage(), x);
            }
        }
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
