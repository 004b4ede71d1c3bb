package org.sdti.model.models;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.TreeSet;
import java.util.stream.Stream;
import org.apache.hadoop.conf.Configuration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sdti.model.io.ModelFolder;
import org.sdti.model.io.SafeTensorsFile;
import org.sdti.model.pipelines.GenerationRequest;
import org.sdti.model.pipelines.GenerationResult;
import org.sdti.model.pipelines.RgbImage;
import org.sdti.model.pipelines.StableDiffusion;
import org.sdti.model.pipelines.TextToImage;

/** The trained toy model the jar carries is the repository's models/toy/, byte for byte, and it renders. */
class TrainedModelFolderTest {
    /** models/toy/ in the checkout (Maven runs the tests in model/). */
    private static final Path SHIPPED = Path.of("..", "models", "toy").toAbsolutePath().normalize();

    @Test
    void theFileListIsTheRepositorysFolderAndItStaysSmall() throws IOException {
        List<Path> files;
        try (Stream<Path> walk = Files.walk(SHIPPED)) {
            files = walk.filter(Files::isRegularFile).toList();
        }
        TreeSet<String> names = new TreeSet<>();
        long bytes = 0;
        for (Path f : files) {
            names.add(SHIPPED.relativize(f).toString().replace('\\', '/'));
            bytes += Files.size(f);
        }
        assertEquals(new TreeSet<>(TrainedModelFolder.FILES), names, "TrainedModelFolder.FILES vs " + SHIPPED);
        assertTrue(bytes < 20_000_000, "issue 12 allows about 20 MB in the repository; models/toy has " + bytes);
    }

    @Test
    void aCopyHoldsTheRepositorysBytesAndRendersAPicture(@TempDir Path tmp) throws IOException {
        Path out = tmp.resolve("toy");
        TrainedModelFolder.copy("toy", out.toString(), new Configuration());
        for (String f : TrainedModelFolder.FILES) {
            assertArrayEquals(Files.readAllBytes(SHIPPED.resolve(f)), Files.readAllBytes(out.resolve(f)), f);
        }
        ModelFolder folder = ModelFolder.open(out.toString());
        assertEquals(Optional.empty(), RandomModelFolder.madeBy(folder), "trained, so reports must not call it random");
        try (SafeTensorsFile unet = SafeTensorsFile.open(out.resolve("unet/diffusion_pytorch_model.safetensors"))) {
            assertTrue(Long.parseLong(unet.metadata().get("sdti.pretrain_step")) > 0, "made by sdti pretrain");
        }
        try (StableDiffusion sd = StableDiffusion.load(folder)) {
            GenerationResult g = new TextToImage(sd).generate(
                    GenerationRequest.of("a photo of a red circle on a blue background").withSampler("ddim", 5));
            RgbImage image = g.images().get(0);
            assertEquals(32, image.width(), "the toy model's own size: 32 x 32 latents through the identity VAE");
            assertEquals(32, image.height());
            // a drawing, not a flat or blown-out field: the pixel values spread over a good part of the range
            int min = 255;
            int max = 0;
            for (byte b : image.rgb()) {
                min = Math.min(min, b & 0xff);
                max = Math.max(max, b & 0xff);
            }
            assertTrue(max - min > 64, "pixel range " + min + ".." + max);
        }
    }
}
