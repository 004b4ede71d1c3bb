package org.sdti.model.embeddings;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Path;
import org.sdti.model.testing.TestData;

/** The shared ti_samples and their manifest; values follow v[r][c] = (((r*1024+c) % 97) - 48)/64. */
final class Samples {
    private Samples() {}

    static Path path(String file) {
        return TestData.path("reference/sd2/ti_samples/" + file);
    }

    static JsonNode manifest() {
        try {
            return new ObjectMapper().readTree(path("manifest.json").toFile());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static float value(int row, int col, int width) {
        return (((row * width + col) % 97) - 48) / 64f;
    }

    static float[][] formula(int rows, int width) {
        float[][] v = new float[rows][width];
        for (int r = 0; r < rows; r++) {
            for (int c = 0; c < width; c++) v[r][c] = value(r, c, width);
        }
        return v;
    }

    static byte[] f32(float... values) {
        ByteBuffer b = ByteBuffer.allocate(values.length * 4).order(ByteOrder.LITTLE_ENDIAN);
        b.asFloatBuffer().put(values);
        return b.array();
    }
}
