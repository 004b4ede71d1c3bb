package org.sdti.model.models;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.sdti.model.config.JsonConfig;
import org.sdti.model.config.TextEncoderConfig;
import org.sdti.model.io.SafeTensorsFile;
import org.sdti.model.models.nn.Activation;
import org.sdti.model.models.nn.ParamStore;
import org.sdti.model.testing.TestData;

/** {@code hidden_act} selects exact GELU or quick-GELU, each with PyTorch's values. */
class TextEncoderActivationTest {
    private static final double[] X = {-3, -2, -0.5, 0, 1, 2.5};

    private static double[] eval(Activation a) {
        SameDiff sd = SameDiff.create();
        INDArray out = a.apply(sd, sd.constant(Nd4j.createFromArray(X))).eval();
        return out.toDoubleVector();
    }

    @Test
    void exactGeluUsesTheNormalCdf() {
        // Φ(x) from tables: x·Φ(x) is torch.nn.functional.gelu(x) (approximate='none')
        double[] cdf = {0.0013498980316300946, 0.022750131948179195, 0.3085375387259869, 0.5, 0.8413447460685429,
                0.9937903346742238};
        double[] y = eval(Activation.GELU);
        for (int i = 0; i < X.length; i++) {
            assertEquals(X[i] * cdf[i], y[i], 1e-12, "gelu(" + X[i] + ")");
        }
    }

    @Test
    void quickGeluIsXTimesSigmoidOf1702X() {
        double[] y = eval(Activation.QUICK_GELU);
        for (int i = 0; i < X.length; i++) {
            assertEquals(X[i] / (1 + Math.exp(-1.702 * X[i])), y[i], 1e-12, "quick_gelu(" + X[i] + ")");
        }
        // the two differ visibly: quick_gelu(-2) = -0.0644, gelu(-2) = -0.0455
        assertEquals(-0.0644, y[1], 1e-4);
    }

    @Test
    void configNamesSelectTheActivation() {
        assertEquals(Activation.GELU, Activation.fromConfig("gelu"));
        assertEquals(Activation.QUICK_GELU, Activation.fromConfig("quick_gelu"));
        assertThrows(IllegalArgumentException.class, () -> Activation.fromConfig("gelu_new"));
    }

    @Test
    void encoderFollowsHiddenAct() throws IOException {
        Path folder = TestData.tinyModel().resolve("text_encoder");
        String json = Files.readString(folder.resolve("config.json"));
        TextEncoderConfig gelu = TextEncoderConfig.from(JsonConfig.parse("gelu", json));
        TextEncoderConfig quick = TextEncoderConfig.from(JsonConfig.parse("quick",
                json.replace("\"hidden_act\": \"gelu\"", "\"hidden_act\": \"quick_gelu\"")));
        try (ParamStore params = ParamStore.of(CheckedWeights.check(
                SafeTensorsFile.open(folder.resolve("model.safetensors")), Layouts.textEncoder(gelu)), DataType.FLOAT)) {
            TextEncoder exact = new TextEncoder(gelu, params);
            TextEncoder approx = new TextEncoder(quick, params); // same weights, shared
            assertEquals(Activation.GELU, exact.activation());
            assertEquals(Activation.QUICK_GELU, approx.activation());
            long[][] ids = {{49406, 320, 1125, 539, 320, 4298, 49407}};
            double diff = exact.encode(ids).sub(approx.encode(ids)).amaxNumber().doubleValue();
            assertTrue(diff > 1e-3, "the activation must change the output, diff " + diff);
        }
    }
}
