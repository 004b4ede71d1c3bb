package org.sdti.jobs.generate;

import java.io.Serializable;
import java.util.List;
import org.sdti.jobs.runtime.JavaBytes;
import org.sdti.model.pipelines.GenerationRequest;
import org.sdti.model.pipelines.TokenEmbeddings;

/**
 * One U-Net batch of the generate job: one prompt at one seed, {@code images} images (image i from seed + i),
 * exactly the call {@code sdti generate --prompt P --seed S --images-per-prompt K ...} makes, so its pixels are
 * the same. Travels to the executors as bytes ({@link #toBytes}).
 *
 * @param id        position in the job's list of batches
 * @param sampler   resolved (never null)
 * @param width     resolved image width; likewise {@code height}
 * @param paths     per image of the batch, its PNG relative to the job's output folder
 * @param write     the images to write (the others exist already); the whole batch is rendered either way,
 *                  since an image made in a smaller batch need not equal it to the last bit
 */
record Batch(int id, String prompt, String negativePrompt, long seed, int images, int steps, String sampler,
             double guidance, double eta, int width, int height, List<Vectors> embeddings, List<String> paths,
             List<Integer> write) implements Serializable {

    /** A learned token the prompt uses: its vectors and the file they came from (for the PNG metadata). */
    record Vectors(String token, String file, String sha256, float[][] rows) implements Serializable {
        static Vectors of(EmbeddingLoader.Loaded e) {
            return new Vectors(e.embeddings().token(), e.file(), e.sha256(), e.embeddings().rows());
        }

        GenerationInfo.Embedding info() {
            return new GenerationInfo.Embedding(token, file, rows.length, sha256);
        }
    }

    Batch {
        embeddings = List.copyOf(embeddings);
        paths = List.copyOf(paths);
        write = List.copyOf(write);
    }

    /** Java serialization, so that a batch crosses Spark as bytes whatever serializer moves the data. */
    byte[] toBytes() {
        return JavaBytes.of(this);
    }

    static Batch fromBytes(byte[] data) {
        return JavaBytes.read(data, Batch.class);
    }

    GenerationRequest request() {
        List<TokenEmbeddings> vectors = embeddings.stream().map(v -> new TokenEmbeddings(v.token(), v.rows(),
                v.file())).toList();
        return Requests.of(List.of(prompt), negativePrompt, images, vectors, sampler, steps, guidance, eta, seed,
                null, width, height);
    }

    List<GenerationInfo.Embedding> embeddingInfo() {
        return embeddings.stream().map(Vectors::info).toList();
    }
}
