package org.sdti.dataprep;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.HashSet;
import java.util.Random;
import java.util.Set;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** Crops, flips, orientation transforms and the float conversion, on pictures whose every pixel is distinct. */
class ImageGeometryTest {
    @Test
    void cropTakesTheRegionAndChecksBounds() {
        RgbImage img = TestImages.coded(7, 5);
        RgbImage c = img.crop(2, 1, 3, 4);
        assertEquals(3, c.width());
        assertEquals(4, c.height());
        assertEquals(2, c.sample(0, 0, 0));
        assertEquals(1, c.sample(0, 0, 1));
        assertEquals(4, c.sample(2, 3, 0));
        assertEquals(4, c.sample(2, 3, 1));
        assertSame(img, img.crop(0, 0, 7, 5));
        assertThrows(IllegalArgumentException.class, () -> img.crop(5, 0, 3, 1));
        assertThrows(IllegalArgumentException.class, () -> img.crop(-1, 0, 3, 1));
    }

    @Test
    void flipMirrorsEachRowAndTwiceIsIdentity() {
        RgbImage img = TestImages.coded(5, 3);
        RgbImage f = img.flipHorizontal();
        for (int y = 0; y < 3; y++) {
            for (int x = 0; x < 5; x++) {
                for (int c = 0; c < 3; c++) {
                    assertEquals(img.sample(4 - x, y, c), f.sample(x, y, c));
                }
            }
        }
        assertEquals(img, f.flipHorizontal());
    }

    @Test
    void imagesAreImmutable() {
        byte[] data = TestImages.coded(2, 2).rgb();
        RgbImage img = RgbImage.of(2, 2, data);
        data[0] = 99;
        assertEquals(0, img.sample(0, 0, 0));
        img.rgb()[0] = 99;
        assertEquals(0, img.sample(0, 0, 0));
        assertThrows(IllegalArgumentException.class, () -> RgbImage.of(2, 2, new byte[11]));
    }

    @Test
    void chwFloatsAreTheReferenceNormalisation() {
        RgbImage img = RgbImage.of(2, 1, new byte[] {0, (byte) 128, (byte) 255, 1, 2, 3});
        float[] f = img.toChwFloats();
        assertArrayEquals(new float[] {
                -1f, (float) (1 / 127.5 - 1.0),                        // red plane
                (float) (128 / 127.5 - 1.0), (float) (2 / 127.5 - 1.0), // green
                1f, (float) (3 / 127.5 - 1.0)}, f);                     // blue
        assertEquals(998277249, Float.floatToIntBits(f[2]));  // numpy: ((128 / 127.5) - 1.0).astype(float32)
    }

    @Test
    void orientationsMoveTheCornersAsExifSays() {
        RgbImage img = TestImages.coded(4, 3);   // red = x, green = y of the stored pixel
        int[][] topLeftSource = {{}, {0, 0}, {3, 0}, {3, 2}, {0, 2}, {0, 0}, {0, 2}, {3, 2}, {3, 0}};
        for (int o = 1; o <= 8; o++) {
            RgbImage up = ExifOrientation.apply(img, o);
            assertEquals(o >= 5 ? 3 : 4, up.width(), "orientation " + o);
            assertEquals(topLeftSource[o][0], up.sample(0, 0, 0), "orientation " + o + " x");
            assertEquals(topLeftSource[o][1], up.sample(0, 0, 1), "orientation " + o + " y");
        }
        // each transform is a permutation: no pixel is lost or doubled
        for (int o = 1; o <= 8; o++) {
            RgbImage up = ExifOrientation.apply(img, o);
            Set<Integer> seen = new HashSet<>();
            for (int y = 0; y < up.height(); y++) {
                for (int x = 0; x < up.width(); x++) {
                    seen.add(up.sample(x, y, 0) * 16 + up.sample(x, y, 1));
                }
            }
            assertEquals(12, seen.size());
        }
        assertSame(img, ExifOrientation.apply(img, 0));
        assertSame(img, ExifOrientation.apply(img, 9));
    }

    @Test
    void framingGivesSquaresInEveryMode() {
        RgbImage wide = TestImages.coded(90, 40);
        for (CropMode mode : CropMode.values()) {
            RgbImage sq = Framing.frame(wide, 32, mode, ResampleFilter.BICUBIC, new SplittableRandom(1));
            assertEquals(32, sq.width(), mode.name());
            assertEquals(32, sq.height(), mode.name());
        }
    }

    @Test
    void centreCropOffsetsFollowTheirReferences() {
        // reference (numpy slice): floor((w - side) / 2); torchvision CenterCrop: round half to even
        RgbImage img = TestImages.coded(9, 4);
        RgbImage ref = Framing.frame(img, 4, CropMode.CENTER_CROP, ResampleFilter.BICUBIC, new Random(0));
        assertEquals(2, ref.sample(0, 0, 0));       // (9 - 4) / 2 = 2
        assertEquals(2, Framing.centerOffset(5));   // round(2.5) = 2
        assertEquals(4, Framing.centerOffset(7));   // round(3.5) = 4
        assertEquals(3, Framing.centerOffset(6));
        assertArrayEquals(new int[] {193, 128}, Framing.shortSideSize(301, 199, 128));  // int(128 * 301 / 199)
        assertArrayEquals(new int[] {64, 170}, Framing.shortSideSize(150, 400, 64));
    }

    @Test
    void randomCropCoversEveryOffsetAndOnlyThose() {
        // 20x8 at size 8: no resize, so the crop's first red value is its left offset, 0..12
        RgbImage img = TestImages.coded(20, 8);
        Set<Integer> lefts = new HashSet<>();
        SplittableRandom r = new SplittableRandom(3);
        for (int i = 0; i < 2000; i++) {
            lefts.add(Framing.frame(img, 8, CropMode.SHORT_SIDE_RANDOM, ResampleFilter.BICUBIC, r).sample(0, 0, 0));
        }
        assertEquals(13, lefts.size());
        assertEquals(0, lefts.stream().mapToInt(Integer::intValue).min().orElseThrow());
        assertEquals(12, lefts.stream().mapToInt(Integer::intValue).max().orElseThrow());
    }
}
