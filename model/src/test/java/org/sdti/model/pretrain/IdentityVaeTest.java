package org.sdti.model.pretrain;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;
import org.sdti.model.config.ConfigException;
import org.sdti.model.config.VaeConfig;
import org.sdti.model.models.Architecture;
import org.sdti.model.models.IdentityVae;
import org.sdti.model.models.Vae;

/**
 * The analytic VAE of the toy preset through the ordinary {@link Vae} graphs: latents are the pixels and decoding
 * returns them, measured on shape pictures (plain colours at ±1, the extreme case of the norm's error) and on
 * uniform noise in [-1, 1].
 */
class IdentityVaeTest {
    /** The construction's bound is ~1/(2K²) = 5e-5 relative per norm; half an 8-bit level is 3.9e-3. */
    static final double TOLERANCE = 2e-4;

    @Test
    void latentsArePixelsAndDecodingRestoresThem() throws IOException {
        Vae vae = toyVae();
        ColouredShapes shapes = new ColouredShapes(32, 8, 1);
        float[] px = new float[8 * 3 * 32 * 32];
        for (int i = 0; i < 8; i++) {
            System.arraycopy(shapes.get(i).pixels(), 0, px, i * 3 * 32 * 32, 3 * 32 * 32);
        }
        INDArray image = Nd4j.create(px, new long[] {8, 3, 32, 32}, 'c');
        INDArray noise = Nd4j.rand(org.nd4j.linalg.api.buffer.DataType.FLOAT, 4, 3, 32, 32).muli(2).subi(1);
        for (INDArray x : List.of(image, noise)) {
            Vae.LatentDist d = vae.encode(x);
            INDArray colours = d.mean().get(NDArrayIndex.all(), NDArrayIndex.interval(0, 3));
            double encodeError = colours.sub(x).amaxNumber().doubleValue();
            double spare = d.mean().get(NDArrayIndex.all(), NDArrayIndex.point(3)).amaxNumber().doubleValue();
            double roundTrip = vae.decode(d.mean()).sub(x).amaxNumber().doubleValue();
            System.out.printf("identity VAE: max |latent - pixel| %.2e, spare channel %.1e, max |decode(encode(x)) - x|"
                    + " %.2e, std %.1e%n", encodeError, spare, roundTrip, d.std().maxNumber().doubleValue());
            assertTrue(encodeError < TOLERANCE, "encode error " + encodeError);
            assertTrue(roundTrip < TOLERANCE, "round-trip error " + roundTrip);
            assertTrue(spare == 0, "the fourth latent channel is " + spare);
            assertTrue(d.std().maxNumber().doubleValue() < 1e-6);
        }
    }

    @Test
    void configsThatCannotBeAnIdentityAreRefusedNamingEveryField() throws IOException {
        VaeConfig tiny = Architecture.preset("tiny").vae();
        ConfigException e = assertThrows(ConfigException.class, () -> IdentityVae.of(tiny));
        for (String field : List.of("block_out_channels", "norm_num_groups", "scaling_factor")) {
            assertTrue(e.getMessage().contains(field), e.getMessage());
        }
    }

    static Vae toyVae() throws IOException {
        return IdentityVae.of(Architecture.preset("toy").vae()).load();
    }
}
