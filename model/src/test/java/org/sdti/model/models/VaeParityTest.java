package org.sdti.model.models;

import java.io.IOException;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.sdti.model.config.VaeConfig;
import org.sdti.model.io.SafeTensorsFile;
import org.sdti.model.testing.TestData;

/** The VAE reproduces diffusers 0.25.1's {@code AutoencoderKL} on the tiny fixture (goldens/vae.safetensors). */
class VaeParityTest {
    static final double TOL = 1e-4;
    static Vae vae;
    static SafeTensorsFile goldens;

    @BeforeAll
    static void load() throws IOException {
        VaeConfig cfg = VaeConfig.from(NetTesting.config("vae"));
        try (CheckedWeights w = CheckedWeights.check(NetTesting.weights("vae"), Layouts.vae(cfg))) {
            vae = Vae.load(cfg, w);
        }
        goldens = SafeTensorsFile.open(TestData.goldens("vae.safetensors"));
    }

    @Test
    void encodeGivesMeanStdAndLogvar() throws IOException {
        Vae.LatentDist d = vae.encode(NetTesting.golden(goldens, "image"));
        NetTesting.assertClose("vae latent_dist.mean", d.mean(), NetTesting.golden(goldens, "latent_dist.mean"), TOL);
        NetTesting.assertClose("vae latent_dist.std", d.std(), NetTesting.golden(goldens, "latent_dist.std"), TOL);
        NetTesting.assertClose("vae latent_dist.logvar", d.logvar(),
                NetTesting.golden(goldens, "latent_dist.logvar"), TOL);
    }

    @Test
    void decodeReproducesTheImage() throws IOException {
        INDArray out = vae.decode(NetTesting.golden(goldens, "z"));
        NetTesting.assertClose("vae decoded", out, NetTesting.golden(goldens, "decoded"), TOL);
    }

    /** The reference pipeline's last stage: decode(latents / scaling_factor), to [0, 1], NHWC. */
    @Test
    void pipelineImage() throws IOException {
        try (SafeTensorsFile p = SafeTensorsFile.open(TestData.goldens("pipeline.safetensors"))) {
            INDArray z = NetTesting.golden(p, "ddim4.final_latents").div(vae.scalingFactor());
            INDArray image = vae.decode(z).mul(0.5).add(0.5);
            image = org.nd4j.linalg.ops.transforms.Transforms.min(org.nd4j.linalg.ops.transforms.Transforms.max(image, 0.0), 1.0)
                    .permute(0, 2, 3, 1).dup();
            NetTesting.assertClose("vae pipeline ddim4.image", image, NetTesting.golden(p, "ddim4.image"), TOL);
        }
    }

    @Test
    void batchOfOneUsesTheSameGraph() throws IOException {
        INDArray z = NetTesting.golden(goldens, "z");
        INDArray one = vae.decode(z.get(org.nd4j.linalg.indexing.NDArrayIndex.interval(1, 2)).dup());
        NetTesting.assertClose("vae decoded[1] alone", one,
                NetTesting.golden(goldens, "decoded").get(org.nd4j.linalg.indexing.NDArrayIndex.interval(1, 2)), TOL);
    }
}
