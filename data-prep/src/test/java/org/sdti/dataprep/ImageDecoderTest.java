package org.sdti.dataprep;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Each format decodes to the pixels Pillow 9.4 gives for the same file, with alpha composited over white and the
 * EXIF orientation applied (Pillow side: {@code alpha_composite} over white, {@code ImageOps.exif_transpose}).
 * Lossless formats must match exactly; lossy ones within the stated bound (different IDCT/upsampling code).
 */
class ImageDecoderTest {
    private static final String DIR = "/org/sdti/dataprep/formats/";
    private final ImageDecoder decoder = new ImageDecoder(10_000_000);

    static Stream<Arguments> files() {
        return Stream.of(
                // file, expected, format, allowed max |diff|
                Arguments.of("rgba.png", "rgba", ImageFormat.PNG, 0),
                Arguments.of("alpha_all.png", "alpha_all", ImageFormat.PNG, 0),
                Arguments.of("la.png", "la", ImageFormat.PNG, 0),
                Arguments.of("gray.png", "gray", ImageFormat.PNG, 0),
                Arguments.of("palette_trns.png", "palette_trns", ImageFormat.PNG, 0),
                Arguments.of("gray16.png", "gray16", ImageFormat.PNG, 0),
                Arguments.of("rgba16.png", "rgba16", ImageFormat.PNG, 0),
                Arguments.of("palette.gif", "palette", ImageFormat.GIF, 0),
                Arguments.of("animated.gif", "animated", ImageFormat.GIF, 0),
                Arguments.of("rgb24.bmp", "rgb24", ImageFormat.BMP, 0),
                Arguments.of("pal8.bmp", "pal8", ImageFormat.BMP, 0),
                Arguments.of("lossless.webp", "lossless", ImageFormat.WEBP, 0),
                Arguments.of("gray.jpg", "gray_jpg", ImageFormat.JPEG, 1),
                Arguments.of("orient1.jpg", "orient1", ImageFormat.JPEG, 1),
                Arguments.of("orient2.jpg", "orient2", ImageFormat.JPEG, 1),
                Arguments.of("orient3.jpg", "orient3", ImageFormat.JPEG, 1),
                Arguments.of("orient4.jpg", "orient4", ImageFormat.JPEG, 1),
                Arguments.of("orient5.jpg", "orient5", ImageFormat.JPEG, 1),
                Arguments.of("orient6.jpg", "orient6", ImageFormat.JPEG, 1),
                Arguments.of("orient7.jpg", "orient7", ImageFormat.JPEG, 1),
                Arguments.of("orient8.jpg", "orient8", ImageFormat.JPEG, 1),
                Arguments.of("orient6.webp", "orient6_webp", ImageFormat.WEBP, 0),
                Arguments.of("orient3.png", "orient3_png", ImageFormat.PNG, 0));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("files")
    void decodesLikePillow(String file, String expected, ImageFormat format, int allowed) throws Exception {
        ImageDecoder.Decoded d = decoder.decode(TestImages.bytes(DIR + file));
        RgbImage want = TestImages.png(DIR + expected + ".expected.png");
        assertEquals(format, d.format());
        int diff = TestImages.maxAbsDiff(d.image(), want);
        System.out.printf("decode %-18s %-5s orientation %d -> %dx%d max |diff| vs Pillow = %d%n", file, format,
                d.orientation(), d.image().width(), d.image().height(), diff);
        assertTrue(diff <= allowed, file + ": max difference " + diff + " > " + allowed);
    }

    /**
     * Lossy WebP: TwelveMonkeys' VP8 decoder upsamples chroma differently from libwebp's "fancy" upsampler, so
     * pixels differ by a few levels next to colour edges. Bounded here on a photo-like gradient.
     */
    @Test
    void lossyWebpIsCloseToLibwebp() throws Exception {
        RgbImage got = decoder.decode(TestImages.bytes(DIR + "lossy.webp")).image();
        RgbImage want = TestImages.png(DIR + "lossy.expected.png");
        byte[] a = got.rgb();
        byte[] b = want.rgb();
        long sum = 0;
        for (int i = 0; i < a.length; i++) {
            sum += Math.abs((a[i] & 0xFF) - (b[i] & 0xFF));
        }
        double mean = (double) sum / a.length;
        int max = TestImages.maxAbsDiff(got, want);
        System.out.printf("decode lossy.webp vs libwebp: max |diff| = %d, mean |diff| = %.3f%n", max, mean);
        assertTrue(max <= 12 && mean <= 2.5, "max " + max + ", mean " + mean);
    }

    @Test
    void orientationTagsAreRead() {
        for (int n = 1; n <= 8; n++) {
            assertEquals(n, ExifOrientation.read(TestImages.bytes(DIR + "orient" + n + ".jpg"), ImageFormat.JPEG));
        }
        assertEquals(6, ExifOrientation.read(TestImages.bytes(DIR + "orient6.webp"), ImageFormat.WEBP));
        assertEquals(3, ExifOrientation.read(TestImages.bytes(DIR + "orient3.png"), ImageFormat.PNG));
        assertEquals(1, ExifOrientation.read(TestImages.bytes(DIR + "rgba.png"), ImageFormat.PNG));
    }

    @Test
    void cmykJpegBecomesRoughlyTheRightColours() throws Exception {
        RgbImage img = decoder.decode(TestImages.bytes(DIR + "cmyk.jpg")).image();
        assertEquals(32, img.width());
        // left half cyan: little red, much green and blue; right half black
        assertTrue(img.sample(4, 8, 0) < 80 && img.sample(4, 8, 1) > 120 && img.sample(4, 8, 2) > 160,
                "cyan " + img.sample(4, 8, 0) + "," + img.sample(4, 8, 1) + "," + img.sample(4, 8, 2));
        for (int c = 0; c < 3; c++) {
            assertTrue(img.sample(28, 8, c) < 70, "black channel " + c + " = " + img.sample(28, 8, c));
        }
    }

    @Test
    void badFilesAreRejectedWithTheirReason() {
        assertReason(Rejection.Reason.EMPTY, "empty.png");
        assertReason(Rejection.Reason.NOT_AN_IMAGE, "not_an_image.jpg");
        assertReason(Rejection.Reason.UNREADABLE, "truncated.png");
        UnusableImageException big = assertThrows(UnusableImageException.class,
                () -> new ImageDecoder(100).decode(TestImages.bytes(DIR + "small12x30.png")));
        assertEquals(Rejection.Reason.TOO_LARGE, big.reason());
        assertTrue(big.getMessage().contains("12x30"), big.getMessage());
    }

    @Test
    void formatsAreRecognisedByContentOnly() {
        assertEquals(ImageFormat.PNG, ImageFormat.sniff(TestImages.bytes(DIR + "rgba.png")).orElseThrow());
        assertEquals(ImageFormat.WEBP, ImageFormat.sniff(TestImages.bytes(DIR + "lossy.webp")).orElseThrow());
        assertEquals(ImageFormat.BMP, ImageFormat.sniff(TestImages.bytes(DIR + "rgb24.bmp")).orElseThrow());
        assertTrue(ImageFormat.sniff("BMW is a car maker, not a bitmap".getBytes()).isEmpty());
        assertTrue(ImageFormat.sniff(new byte[] {(byte) 0xFF, (byte) 0xD8}).isEmpty());
    }

    @Test
    void compositingOverWhiteRoundsToNearest() {
        for (int a = 0; a <= 255; a++) {
            for (int c = 0; c <= 255; c++) {
                double exact = (c * a + 255.0 * (255 - a)) / 255.0;
                assertEquals(Math.round(exact), RgbConverter.overWhite(c, a), "c=" + c + " a=" + a);
            }
        }
    }

    private void assertReason(Rejection.Reason reason, String file) {
        UnusableImageException e = assertThrows(UnusableImageException.class,
                () -> decoder.decode(TestImages.bytes(DIR + file)));
        assertEquals(reason, e.reason(), file + ": " + e.getMessage());
    }
}
