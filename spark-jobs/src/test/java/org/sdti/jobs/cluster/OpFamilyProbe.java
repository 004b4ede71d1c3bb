package org.sdti.jobs.cluster;

import java.io.IOException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.function.Supplier;
import org.nd4j.enums.WeightsFormat;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.impl.layers.convolution.config.PaddingMode;
import org.nd4j.linalg.api.ops.impl.layers.convolution.config.Conv2DConfig;
import org.nd4j.linalg.api.ops.impl.layers.convolution.config.DeConv2DConfig;
import org.nd4j.linalg.api.ops.impl.reduce.Mmul;
import org.nd4j.linalg.api.ops.impl.reduce.Moments;
import org.nd4j.linalg.factory.Nd4j;

/**
 * The op families of sdti's graphs alone, on seeded inputs, at the tiny fixture's shapes and at larger ones (up to
 * a midsize U-Net's): which of them give other floats with other thread counts. Called by {@link ThreadCountProbe}
 * in the child JVMs of {@link ThreadCountReproducibilityTest}; writes {@code op.CASE.f32} per case.
 */
final class OpFamilyProbe {
    private OpFamilyProbe() {}

    static Map<String, Supplier<INDArray>> cases() {
        Map<String, Supplier<INDArray>> c = new LinkedHashMap<>();
        // matmul: text encoder's fused q|k|v projection (2 x 77 tokens, hidden 16), a midsize 320-wide projection,
        // batched attention scores
        c.put("matmul_154x16x48", () -> random(1, 154, 16).mmul(random(2, 16, 48)));
        c.put("matmul_1024x320x320", () -> random(1, 1024, 320).mmul(random(2, 320, 320)));
        // the same GEMMs as SameDiff's matmul op runs them (oneDNN's matmul), and with ND4J's helpers off (OpenBLAS)
        c.put("matmul_op_154x16x48", () -> mmulOp(random(1, 154, 16), random(2, 16, 48), true));
        c.put("matmul_op_154x16x48_no_onednn", () -> mmulOp(random(1, 154, 16), random(2, 16, 48), false));
        c.put("matmul_op_1024x320x320", () -> mmulOp(random(1, 1024, 320), random(2, 320, 320), true));
        c.put("matmul_op_1024x320x320_no_onednn", () -> mmulOp(random(1, 1024, 320), random(2, 320, 320), false));
        c.put("matmul_batched_8x64x40x77", () -> Nd4j.matmul(random(1, 8, 64, 40), random(2, 8, 40, 77)));
        c.put("conv2d_2x32x8x8_3x3", () -> Nd4j.cnn().conv2d(random(1, 2, 32, 8, 8), random(2, 3, 3, 32, 32),
                conv("NCHW")));
        c.put("conv2d_1x128x32x32_3x3", () -> Nd4j.cnn().conv2d(random(1, 1, 128, 32, 32),
                random(2, 3, 3, 128, 128), conv("NCHW")));
        c.put("conv2d_nhwc_1x32x32x128_3x3", () -> Nd4j.cnn().conv2d(random(1, 1, 32, 32, 128),
                random(2, 3, 3, 128, 128), conv("NHWC")));
        c.put("deconv2d_1x128x32x32_3x3", () -> Nd4j.cnn().deconv2d(random(1, 1, 128, 32, 32),
                random(2, 3, 3, 128, 128), deconv()));
        // GroupNorm's statistics: moments over each group's C/G x H x W values
        c.put("moments_2x8x256", () -> moments(random(1, 2, 8, 256)));
        c.put("moments_1x32x40960", () -> moments(random(1, 1, 32, 40960)));
        c.put("softmax_8x64x77", () -> Nd4j.nn().softmax(random(1, 8, 64, 77), -1));
        c.put("softmax_8x1024x1024", () -> Nd4j.nn().softmax(random(1, 8, 1024, 1024), -1));
        c.put("sum_all_512", () -> random(1, 2, 4, 8, 8).sum());
        c.put("sum_all_1M", () -> random(1, 1 << 20).sum());
        c.put("mean_rows_1x1M", () -> random(1, 4, 1 << 18).mean(1));
        return c;
    }

    static void run(Path dir) throws IOException {
        for (Map.Entry<String, Supplier<INDArray>> e : cases().entrySet()) {
            ThreadCountProbe.write(dir, "op." + e.getKey(), e.getValue().get());
        }
    }

    private static INDArray mmulOp(INDArray a, INDArray b, boolean helpers) {
        boolean before = Nd4j.getEnvironment().helpersAllowed();
        Nd4j.getEnvironment().allowHelpers(helpers);
        try {
            return Nd4j.exec(new Mmul(a, b))[0];
        } finally {
            Nd4j.getEnvironment().allowHelpers(before);
        }
    }

    private static Conv2DConfig conv(String layout) {
        return Conv2DConfig.builder().kH(3).kW(3).sH(1).sW(1).pH(1).pW(1).dH(1).dW(1)
                .paddingMode(PaddingMode.VALID).dataFormat(layout).weightsFormat(WeightsFormat.YXIO).build();
    }

    private static DeConv2DConfig deconv() {
        return DeConv2DConfig.builder().kH(3).kW(3).sH(1).sW(1).pH(1).pW(1).dH(1).dW(1).isSameMode(false)
                .dataFormat("NCHW").build();
    }

    private static INDArray moments(INDArray x) {
        INDArray[] out = Nd4j.exec(new Moments(x, 2));
        return Nd4j.concat(0, out[0].reshape(-1), out[1].reshape(-1));
    }

    static INDArray random(long seed, long... shape) {
        SplittableRandom r = new SplittableRandom(seed);
        long n = 1;
        for (long d : shape) {
            n *= d;
        }
        float[] v = new float[(int) n];
        for (int i = 0; i < v.length; i++) {
            v[i] = (float) (r.nextDouble() * 2 - 1);
        }
        return Nd4j.create(v, shape, 'c');
    }
}
