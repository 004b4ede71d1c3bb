package org.sdti.model.models;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.autodiff.samediff.VariableType;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.sdti.model.models.nn.GraphRunner;
import org.sdti.model.testing.TestData;

/** The trainable rows get the right gradient through {@code base + mask·rows} (central differences, double). */
class TextEncoderGradientTest {

    @Test
    void rowsGradientMatchesFiniteDifferences() throws IOException {
        try (TextEncoder encoder = TextEncoder.load(TestData.tinyModel().resolve("text_encoder"), DataType.DOUBLE)) {
            int vocab = encoder.embedding().vocabSize();
            // two new tokens; the first appears twice in row 0, the second once in each row
            long[][] ids = new long[2][77];
            long[] prompt0 = {49406, 320, vocab, 539, vocab + 1, 537, vocab, 49407};
            long[] prompt1 = {49406, 320, 1125, vocab + 1, 49407};
            System.arraycopy(prompt0, 0, ids[0], 0, prompt0.length);
            System.arraycopy(prompt1, 0, ids[1], 0, prompt1.length);
            for (long[] row : ids) {
                for (int t = 0; t < row.length; t++) {
                    row[t] = row[t] == 0 && t > 0 ? 49407 : row[t];
                }
            }
            Nd4j.getRandom().setSeed(7);
            INDArray rows = encoder.embedding().rows(4298, 1125).add(Nd4j.randn(DataType.DOUBLE, 2, 16).mul(0.1));

            SameDiff sd = SameDiff.create();
            TextEncoderGraph g = encoder.addTrainable(sd, 2, rows);
            SDVariable weights = sd.constant("R", Nd4j.randn(DataType.DOUBLE, 2, 77, 16));
            SDVariable loss = g.outputVariable().mul(weights).sum();
            sd.setLossVariables(loss);

            List<String> trainable = sd.variables().stream()
                    .filter(v -> v.getVariableType() == VariableType.VARIABLE).map(SDVariable::name).toList();
            assertEquals(List.of(TextEncoder.ROWS), trainable);

            assertSame(rows, g.rowsValue());
            Map<String, INDArray> ph = g.placeholders(encoder.embedding().lookup(ids, 2));
            INDArray grad = GraphRunner.gradients(sd, ph, TextEncoder.ROWS).get(TextEncoder.ROWS).dup(); // the training path

            INDArray live = g.rowsValue(); // the graph holds the rows by reference
            double eps = 1e-6;
            // every other dimension of both rows: 32 forward passes instead of 64, on shared CPUs
            INDArray numeric = Nd4j.zeros(DataType.DOUBLE, 2, 8);
            INDArray analytic = Nd4j.zeros(DataType.DOUBLE, 2, 8);
            for (int i = 0; i < 2; i++) {
                for (int j = 0; j < 16; j += 2) {
                    double v = live.getDouble(i, j);
                    live.putScalar(i, j, v + eps);
                    double up = sd.output(ph, loss.name()).get(loss.name()).getDouble(0);
                    live.putScalar(i, j, v - eps);
                    double down = sd.output(ph, loss.name()).get(loss.name()).getDouble(0);
                    live.putScalar(i, j, v);
                    numeric.putScalar(i, j / 2, (up - down) / (2 * eps));
                    analytic.putScalar(i, j / 2, grad.getDouble(i, j));
                }
            }
            double rel = analytic.sub(numeric).norm2Number().doubleValue() / numeric.norm2Number().doubleValue();
            System.out.printf("text encoder d loss / d rows: relative error %.3g (|g| %.3g)%n", rel,
                    numeric.norm2Number().doubleValue());
            assertTrue(rel < 1e-6, "relative error " + rel);
        }
    }
}
