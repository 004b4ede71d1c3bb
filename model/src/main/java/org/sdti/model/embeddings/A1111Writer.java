package org.sdti.model.embeddings;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;

/**
 * An AUTOMATIC1111 {@code .pt}: the {@link A1111Pickle} dict in a torch 1.13-style archive ({@code data.pkl},
 * {@code data/0}, {@code version}). Newer torch adds {@code byteorder} and {@code .data/serialization_id}; they are
 * left out because A1111's file check (modules/safe.py) rejects any other entry names, and torch reads archives
 * without them as little-endian.
 */
final class A1111Writer {
    /** The folder torch.save uses when it writes to a stream. */
    static final String FOLDER = "archive";

    private A1111Writer() {}

    static void writeTo(LearnedEmbedding e, OutputStream out) throws IOException {
        writeTo(e, FOLDER, out);
    }

    /** With a chosen top folder (torch.save to a file path names it after the file). */
    static void writeTo(LearnedEmbedding e, String folder, OutputStream out) throws IOException {
        float[] flat = e.flat();
        ByteBuffer storage = ByteBuffer.allocate(flat.length * 4).order(ByteOrder.LITTLE_ENDIAN);
        storage.asFloatBuffer().put(flat);
        new TorchZipWriter(folder)
                .add("data.pkl", A1111Pickle.encode(e))
                .add("data/" + A1111Pickle.STORAGE_KEY, storage.array())
                .add("version", "3\n".getBytes(StandardCharsets.US_ASCII))
                .writeTo(out);
    }
}
