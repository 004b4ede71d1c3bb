package org.sdti.model.models;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.nd4j.autodiff.samediff.VariableType;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;
import org.sdti.model.io.SafeTensorsFile;
import org.sdti.model.testing.TestData;

/** The text encoder equals transformers' CLIPTextModel on the tiny fixture (goldens from the reference run). */
class TextEncoderParityTest {
    /** The float32 goldens differ from the reference's float64 rerun by ~1e-6; a correct port lands near 1e-5. */
    private static final double TOLERANCE = 1e-4;
    private static final long BEAR = 4298;

    private static TextEncoder encoder;
    private static SafeTensorsFile goldens;

    @BeforeAll
    static void load() throws IOException {
        encoder = TextEncoder.load(TestData.tinyModel().resolve("text_encoder"), DataType.FLOAT);
        goldens = SafeTensorsFile.open(TestData.goldens("text_encoder.safetensors"));
    }

    @AfterAll
    static void close() throws IOException {
        encoder.close();
        goldens.close();
    }

    static long[][] idRows(SafeTensorsFile file, String name) throws IOException {
        long[] flat = file.longs(name);
        long[] shape = file.info(name).shape();
        long[][] rows = new long[(int) shape[0]][(int) shape[1]];
        for (int i = 0; i < rows.length; i++) {
            System.arraycopy(flat, i * rows[i].length, rows[i], 0, rows[i].length);
        }
        return rows;
    }

    static INDArray golden(SafeTensorsFile file, String name) throws IOException {
        return Nd4j.create(file.floats(name), file.info(name).shape(), 'c');
    }

    static double maxAbsDiff(INDArray a, INDArray b) {
        assertArrayEquals(b.shape(), a.shape());
        return a.castTo(DataType.DOUBLE).sub(b.castTo(DataType.DOUBLE)).amaxNumber().doubleValue();
    }

    @Test
    void lastHiddenStateMatchesGoldens() throws IOException {
        long[][] ids = idRows(goldens, "input_ids");
        INDArray out = encoder.encode(ids);
        double err = maxAbsDiff(out, golden(goldens, "last_hidden_state"));
        System.out.printf("text encoder last_hidden_state, %d rows: max abs error %.3g%n", ids.length, err);
        assertTrue(err <= TOLERANCE, "max abs error " + err);
    }

    @Test
    void hiddenStatesOfRow0MatchGoldens() throws IOException {
        long[][] ids = {idRows(goldens, "input_ids")[0]};
        TextEncoderGraph g = encoder.inferenceGraph(1, ids[0].length, 0);
        assertEquals(encoder.config().numHiddenLayers() + 1, g.hiddenStates().size());
        Map<String, INDArray> out = g.sd().output(g.placeholders(encoder.embedding().lookup(ids, 0)), g.hiddenStates());
        for (int i = 0; i < g.hiddenStates().size(); i++) {
            INDArray expected = golden(goldens, "hidden_states." + i);
            // hidden states are token rows [batch·length, hidden]; the goldens are [batch, length, hidden]
            double err = maxAbsDiff(out.get(g.hiddenStates().get(i)).reshape(expected.shape()), expected);
            System.out.printf("text encoder hidden_states.%d: max abs error %.3g%n", i, err);
            assertTrue(err <= TOLERANCE, "hidden_states." + i + ": max abs error " + err);
        }
    }

    @Test
    void addedRowEqualsTheTableRowItCopies() throws IOException {
        long[][] plain = {idRows(goldens, "input_ids")[0].clone()};
        plain[0][2] = BEAR;
        long[][] added = {plain[0].clone()};
        added[0][2] = encoder.embedding().vocabSize(); // the first added token
        INDArray expected = encoder.encode(plain);
        INDArray actual = encoder.encode(added, encoder.embedding().rows(BEAR));
        double err = maxAbsDiff(actual, expected);
        assertTrue(err <= 1e-6, "added-row path differs by " + err);
    }

    @Test
    void placeholderTokenMatchesTheTextualInversionGolden() throws IOException {
        try (SafeTensorsFile ti = SafeTensorsFile.open(TestData.goldens("textual_inversion.safetensors"))) {
            long[][] ids = idRows(ti, "step0.input_ids");
            INDArray initial = golden(ti, "initial_embedding").reshape(1, -1);
            assertTrue(maxAbsDiff(initial, encoder.embedding().rows(BEAR)) == 0, "the golden starts from 'bear'");
            INDArray out = encoder.encode(ids, initial);
            double err = maxAbsDiff(out, golden(ti, "step0.encoder_hidden_states"));
            System.out.printf("text encoder with placeholder row: max abs error %.3g%n", err);
            assertTrue(err <= TOLERANCE, "max abs error " + err);
        }
    }

    /** Attention is causal and everything else per token, so a prefix encodes as the full row's first positions. */
    @Test
    void shorterRowsEncodeAsPrefixes() throws IOException {
        long[][] full = {idRows(goldens, "input_ids")[1]};
        long[][] prefix = {java.util.Arrays.copyOf(full[0], 10)};
        INDArray expected = golden(goldens, "last_hidden_state").get(NDArrayIndex.interval(1, 2),
                NDArrayIndex.interval(0, 10), NDArrayIndex.all());
        double err = maxAbsDiff(encoder.encode(prefix), expected);
        assertTrue(err <= TOLERANCE, "max abs error " + err);
    }

    @Test
    void earlierResultsSurviveLaterCalls() throws IOException {
        long[][] ids = idRows(goldens, "input_ids");
        INDArray first = encoder.encode(new long[][] {ids[0]});
        INDArray copy = first.dup();
        encoder.encode(new long[][] {ids[1]});
        assertEquals(0.0, maxAbsDiff(first, copy));
    }

    @Test
    void graphsAreCachedAndShareFrozenWeights() {
        TextEncoderGraph one = encoder.inferenceGraph(1, 77, 0);
        TextEncoderGraph two = encoder.inferenceGraph(2, 77, 1);
        assertSame(one, encoder.inferenceGraph(1, 77, 0));
        String w = "text_model.encoder.layers.0.mlp.fc1.weight.T";
        assertSame(one.sd().getArrForVarName(w), two.sd().getArrForVarName(w));
        assertSame(encoder.params().linearWeight("text_model.encoder.layers.0.mlp.fc1.weight"),
                one.sd().getArrForVarName(w));
        for (TextEncoderGraph g : List.of(one, two)) {
            assertTrue(g.sd().variables().stream().noneMatch(v -> v.getVariableType() == VariableType.VARIABLE),
                    "inference graphs have nothing trainable");
        }
        // the 49408-row table is not part of any graph
        assertTrue(one.sd().variables().stream().noneMatch(v -> v.name().contains("token_embedding")));
    }
}
