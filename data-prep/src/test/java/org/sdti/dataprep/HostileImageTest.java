package org.sdti.dataprep;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import javax.imageio.ImageIO;
import org.apache.hadoop.conf.Configuration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Issue 16, points 5 and 7: a FIFO in a concept folder, a truncated JPEG. */
class HostileImageTest {
    @TempDir
    Path dir;

    static byte[] jpeg(int w, int h) throws IOException {
        BufferedImage img = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                img.setRGB(x, y, (x * 7 + y * 13) % 256 << 16 | (x * 3) % 256 << 8 | (y * 5) % 256);
            }
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        assertTrue(ImageIO.write(img, "jpeg", out));
        return out.toByteArray();
    }

    @Test
    void aTruncatedJpegIsUnreadableNotGreyFilled() throws Exception {
        byte[] whole = jpeg(64, 64);
        assertEquals(64, new ImageDecoder(1 << 20).decode(whole).image().width());
        for (double keep : new double[] {0.55, 0.8, 0.95}) {
            byte[] cut = Arrays.copyOf(whole, (int) (whole.length * keep));
            UnusableImageException e = assertThrows(UnusableImageException.class,
                    () -> new ImageDecoder(1 << 20).decode(cut));
            assertEquals(Rejection.Reason.UNREADABLE, e.reason(), e.getMessage());
        }
    }

    @Test
    void aFifoInAConceptFolderIsRejectedWithoutBeingOpened() throws Exception {
        Path concept = Files.createDirectories(dir.resolve("concept"));
        Files.write(concept.resolve("a.jpg"), jpeg(64, 64));
        Path fifo = concept.resolve("b.jpg");
        assumeTrue(new ProcessBuilder("mkfifo", fifo.toString()).start().waitFor() == 0, "mkfifo");
        ConceptPreparer preparer = new ConceptPreparer(PrepareOptions.defaults(16));
        for (List<ImageInput> inputs : List.of(LocalFolder.list(concept),
                HadoopFolder.list(concept.toString(), new Configuration()))) {
            PreparationResult r = assertTimeoutPreemptively(Duration.ofSeconds(20),
                    () -> preparer.prepare("c", concept.toString(), inputs));
            assertEquals(1, r.acceptedImages());
            assertEquals(1, r.rejected().size());
            Rejection rej = r.rejected().get(0);
            assertEquals(Rejection.Reason.UNREADABLE, rej.reason());
            assertTrue(rej.detail().contains("not a regular file"), rej.detail());
        }
    }
}
