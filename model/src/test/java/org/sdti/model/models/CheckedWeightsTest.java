package org.sdti.model.models;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sdti.model.config.UNetConfig;
import org.sdti.model.config.VaeConfig;
import org.sdti.model.io.SafeTensorsFile;
import org.sdti.model.io.SafeTensorsWriter;
import org.sdti.model.io.TensorInfo;
import org.sdti.model.testing.TestData;

class CheckedWeightsTest {
    private static final Path UNET = TestData.tinyModel().resolve("unet/diffusion_pytorch_model.safetensors");
    private static final Path VAE = TestData.tinyModel().resolve("vae/diffusion_pytorch_model.safetensors");

    static UNetConfig unetConfig() throws IOException {
        return UNetConfig.from(LayoutsTest.config(TestData.tinyModel().resolve("unet/config.json")));
    }

    /** How a test replaces one tensor of the tiny U-Net file (writing nothing leaves it out). */
    private interface TensorEdit {
        void write(SafeTensorsWriter w, String name, long[] shape);
    }

    /** The tiny U-Net's weight file with the named tensors edited, the rest copied. */
    private static Path unetWith(Path out, java.util.Map<String, TensorEdit> edits) throws IOException {
        try (SafeTensorsFile src = SafeTensorsFile.open(UNET)) {
            SafeTensorsWriter w = new SafeTensorsWriter();
            for (String name : src.names()) {
                TensorEdit edit = edits.get(name);
                if (edit != null) {
                    edit.write(w, name, src.info(name).shape());
                } else {
                    w.copy(src, name);
                }
            }
            w.write(out);
        }
        return out;
    }

    @Test
    void missingAndMisShapedTensorsAreAllNamedBeforeAnyCompute(@TempDir Path tmp) throws IOException {
        Path broken = unetWith(tmp.resolve("unet.safetensors"), java.util.Map.of(
                "conv_in.bias", (w, name, shape) -> { }, // missing
                "mid_block.resnets.0.conv1.weight", (w, name, shape) -> w.addFloats(name, new long[] {7},
                        new float[7]))); // wrong shape
        WeightsException e = assertThrows(WeightsException.class,
                () -> CheckedWeights.check(SafeTensorsFile.open(broken), Layouts.unet(unetConfig())));
        String m = e.getMessage();
        assertTrue(m.startsWith(broken.toString()), m);
        assertTrue(m.contains("2 tensor(s)"), m);
        assertTrue(m.contains("missing tensor 'conv_in.bias' [32]"), m);
        assertTrue(m.contains("'mid_block.resnets.0.conv1.weight' has shape [7] but the config implies [48, 48, 3, 3]"), m);
    }

    /** Issue 16 point 7: integer weights of the right shapes would run as numbers (exit 0, nonsense). */
    @Test
    void integerWeightsAreNamedNotRun(@TempDir Path tmp) throws IOException {
        Path ints = unetWith(tmp.resolve("unet.safetensors"), java.util.Map.of("conv_in.bias",
                (w, name, shape) -> w.addLongs(name, org.sdti.model.io.DType.I32, shape, new long[(int) shape[0]])));
        WeightsException e = assertThrows(WeightsException.class,
                () -> CheckedWeights.check(SafeTensorsFile.open(ints), Layouts.unet(unetConfig())));
        assertTrue(e.getMessage().contains("tensor 'conv_in.bias' is I32, not a floating-point tensor"),
                e.getMessage());
    }

    /** The published SD 2.1 VAE file stores mid-block attention as query/key/value/proj_attn (some as 1×1 convs). */
    @Test
    void legacyVaeAttentionNamesAndConvShapesLoadLikeTheNewOnes(@TempDir Path tmp) throws IOException {
        Path legacy = tmp.resolve("vae.safetensors");
        try (SafeTensorsFile src = SafeTensorsFile.open(VAE)) {
            SafeTensorsWriter w = new SafeTensorsWriter();
            for (String name : src.names()) {
                TensorInfo t = src.info(name);
                String renamed = name.replace(".to_q.", ".query.").replace(".to_k.", ".key.")
                        .replace(".to_v.", ".value.").replace(".to_out.0.", ".proj_attn.");
                if (renamed.contains(".query.weight")) {
                    long[] s = t.shape();
                    w.addFloats(renamed, new long[] {s[0], s[1], 1, 1}, src.floats(name));
                } else {
                    w.copy(src, name, renamed);
                }
            }
            w.write(legacy);
        }
        VaeConfig cfg = VaeConfig.from(LayoutsTest.config(TestData.tinyModel().resolve("vae/config.json")));
        try (CheckedWeights modern = CheckedWeights.check(SafeTensorsFile.open(VAE), Layouts.vae(cfg));
                CheckedWeights old = CheckedWeights.check(SafeTensorsFile.open(legacy), Layouts.vae(cfg))) {
            for (String name : new String[] {"encoder.mid_block.attentions.0.to_q.weight",
                    "decoder.mid_block.attentions.0.to_out.0.bias", "decoder.mid_block.attentions.0.to_v.weight"}) {
                assertArrayEquals(modern.floats(name), old.floats(name), name);
            }
        }
    }
}
