package org.sdti.dataprep;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Collectors;
import org.apache.hadoop.conf.Configuration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ConceptPreparerTest {
    private static final String FORMATS = "/org/sdti/dataprep/formats/";
    private static final String E2E = "/org/sdti/dataprep/e2e/";

    @TempDir
    Path dir;

    private void put(String name, byte[] data) throws IOException {
        Files.write(dir.resolve(name), data);
    }

    private void put(String name, String resource) throws IOException {
        put(name, TestImages.bytes(resource));
    }

    /** A folder with one file of every kind: every file is either an example or a rejection with its reason. */
    @Test
    void everyFileIsAcceptedOrReported() throws IOException {
        put("a.png", FORMATS + "rgba.png");
        put("b.jpg", FORMATS + "orient6.jpg");
        put("b.txt", "  a {} \n  on the beach\n".getBytes(StandardCharsets.UTF_8));
        put("c.webp", FORMATS + "lossless.webp");
        put("copy-of-a.png", FORMATS + "rgba.png");
        put("notes.txt", "no image goes with this".getBytes(StandardCharsets.UTF_8));
        put(".DS_Store", new byte[] {0, 0, 0, 1});
        put("fake.jpg", FORMATS + "not_an_image.jpg");
        put("empty.png", new byte[0]);
        put("broken.png", FORMATS + "truncated.png");
        put("thin.png", FORMATS + "small12x30.png");
        Files.createDirectory(dir.resolve("sub"));

        PrepareOptions options = PrepareOptions.defaults(16).withMinShortSide(14);
        PreparationResult r = new ConceptPreparer(options).prepareFolder("cat", dir);

        assertEquals(List.of("a.png", "a.png", "b.jpg", "b.jpg", "c.webp", "c.webp"),
                r.examples().stream().map(PreparedImage::source).toList());
        assertEquals(3, r.acceptedImages());
        Map<String, Rejection.Reason> reasons = r.rejected().stream()
                .collect(Collectors.toMap(Rejection::source, Rejection::reason));
        assertEquals(Map.of(
                ".DS_Store", Rejection.Reason.HIDDEN,
                "copy-of-a.png", Rejection.Reason.DUPLICATE,
                "notes.txt", Rejection.Reason.ORPHAN_CAPTION,
                "fake.jpg", Rejection.Reason.NOT_AN_IMAGE,
                "empty.png", Rejection.Reason.EMPTY,
                "broken.png", Rejection.Reason.UNREADABLE,
                "thin.png", Rejection.Reason.TOO_SMALL,
                "sub", Rejection.Reason.UNREADABLE), reasons);
        String thin = r.rejected().stream().filter(x -> x.source().equals("thin.png")).findFirst().orElseThrow()
                .message();
        assertEquals("thin.png: 12x30: shorter side 12 < minimum 14", thin);
        assertTrue(r.rejected().stream().anyMatch(x -> x.message().equals("copy-of-a.png: the same bytes as a.png")));

        PreparedImage b = r.examples().get(2);
        assertEquals(Optional.of("a {} on the beach"), b.caption());
        assertEquals(16, b.sourceWidth());    // 32x16 stored, orientation 6: upright it is 16x32
        assertEquals(32, b.sourceHeight());
        assertEquals(Optional.empty(), r.examples().get(0).caption());
        for (PreparedImage e : r.examples()) {
            assertEquals(16, e.pixels().width());
            assertEquals(16, e.pixels().height());
            assertEquals("cat", e.concept());
        }
        assertEquals(ConceptPreparer.sha256(TestImages.bytes(FORMATS + "rgba.png")), r.examples().get(0).sha256());
        assertEquals(PreparedImage.Variant.ORIGINAL, r.examples().get(0).variant());
        assertEquals(PreparedImage.Variant.FLIPPED, r.examples().get(1).variant());
        assertEquals(r.examples().get(0).pixels().flipHorizontal(), r.examples().get(1).pixels());
        assertNotEquals(r.examples().get(0).id(), r.examples().get(1).id());
    }

    /** File → training square equals Pillow's: alpha over white, the reference's centre crop, BICUBIC, flip. */
    @Test
    void endToEndEqualsPillow() {
        ImageInput png = ImageInput.of("alpha61x40.png", TestImages.bytes(E2E + "alpha61x40.png"));
        ImageInput jpg = ImageInput.of("rot6.jpg", TestImages.bytes(E2E + "rot6.jpg"));
        PrepareOptions base = PrepareOptions.defaults(32).withMinShortSide(8);

        List<PreparedImage> ex = new ConceptPreparer(base).prepare("c", "mem", List.of(png)).examples();
        assertPillow(E2E + "alpha61x40.center32.png", ex.get(0).pixels());
        assertPillow(E2E + "alpha61x40.center32.flipped.png", ex.get(1).pixels());
        assertPillow(E2E + "alpha61x40.short32.png", new ConceptPreparer(base.withCropMode(CropMode.SHORT_SIDE_CENTER))
                .prepare("c", "mem", List.of(png)).examples().get(0).pixels());
        assertPillow(E2E + "alpha61x40.squash32.png", new ConceptPreparer(base.withCropMode(CropMode.SQUASH))
                .prepare("c", "mem", List.of(png)).examples().get(0).pixels());

        PrepareOptions at24 = PrepareOptions.defaults(24).withMinShortSide(8).withFlips(false);
        List<PreparedImage> rot = new ConceptPreparer(at24).prepare("c", "mem", List.of(jpg)).examples();
        assertEquals(1, rot.size());
        assertPillow(E2E + "rot6.center24.png", rot.get(0).pixels());
    }

    private static void assertPillow(String expected, RgbImage got) {
        int diff = TestImages.maxAbsDiff(got, TestImages.png(expected));
        System.out.printf("end-to-end %-40s max |diff| vs Pillow = %d%n", expected.substring(E2E.length()), diff);
        assertEquals(0, diff, expected);
    }

    @Test
    void randomCropIsSeededByContentAndSeed() {
        ImageInput png = ImageInput.of("x.png", TestImages.bytes(E2E + "alpha61x40.png"));
        PrepareOptions o = PrepareOptions.defaults(16).withMinShortSide(8).withCropMode(CropMode.SHORT_SIDE_RANDOM);
        RgbImage a = new ConceptPreparer(o).prepare("c", "m", List.of(png)).examples().get(0).pixels();
        ImageInput renamed = ImageInput.of("y.png", TestImages.bytes(E2E + "alpha61x40.png"));
        RgbImage b = new ConceptPreparer(o).prepare("c", "m", List.of(renamed)).examples().get(0).pixels();
        assertEquals(a, b, "same bytes and seed, same crop, whatever the name");
        boolean differs = false;
        for (long seed = 1; seed < 20 && !differs; seed++) {
            differs = !new ConceptPreparer(o.withSeed(seed)).prepare("c", "m", List.of(png)).examples().get(0)
                    .pixels().equals(a);
        }
        assertTrue(differs, "another seed moves the crop");
    }

    @Test
    void aConceptWithoutUsableImagesFailsNamingConceptAndFolder() throws IOException {
        put("fake.jpg", FORMATS + "not_an_image.jpg");
        put("empty.png", new byte[0]);
        put("caption.txt", "hello".getBytes(StandardCharsets.UTF_8));
        NoUsableImageException e = assertThrows(NoUsableImageException.class,
                () -> new ConceptPreparer(PrepareOptions.defaults(512)).prepareFolder("my-dog", dir));
        assertEquals("my-dog", e.concept());
        assertEquals(dir.toString(), e.location());
        assertEquals(3, e.rejected().size());
        assertTrue(e.getMessage().startsWith("concept \"my-dog\" has no usable image in " + dir + " (3 files rejected: "),
                e.getMessage());
        assertTrue(e.getMessage().contains("empty.png: empty file (0 bytes)"), e.getMessage());
        assertTrue(e.getMessage().contains("fake.jpg: not an image"), e.getMessage());
    }

    @Test
    void anEmptyFolderOrOnlyTooSmallImagesFailToo() throws IOException {
        NoUsableImageException empty = assertThrows(NoUsableImageException.class,
                () -> new ConceptPreparer(PrepareOptions.defaults(512)).prepareFolder("x", dir));
        assertEquals("concept \"x\" has no usable image in " + dir + ": the folder is empty", empty.getMessage());

        put("small.png", FORMATS + "small12x30.png");
        NoUsableImageException small = assertThrows(NoUsableImageException.class,
                () -> new ConceptPreparer(PrepareOptions.defaults(512)).prepareFolder("x", dir));
        assertEquals(Rejection.Reason.TOO_SMALL, small.rejected().get(0).reason());
        assertTrue(small.getMessage().contains("shorter side 12 < minimum 256"), small.getMessage());
    }

    @Test
    void missingFolderIsAnIoError() {
        IOException e = assertThrows(IOException.class,
                () -> new ConceptPreparer(PrepareOptions.defaults(64)).prepareFolder("x", dir.resolve("nope")));
        assertTrue(e.getMessage().contains("nope"), e.getMessage());
    }

    @Test
    void hadoopFolderListsTheSameFiles() throws IOException {
        put("b.png", FORMATS + "rgba.png");
        put("a.txt", "x".getBytes(StandardCharsets.UTF_8));
        Files.createDirectory(dir.resolve("sub"));
        List<ImageInput> files = HadoopFolder.list(dir.toUri().toString(), new Configuration());
        assertEquals(List.of("a.txt", "b.png", "sub"), files.stream().map(ImageInput::name).toList());
        assertArrayEquals(TestImages.bytes(FORMATS + "rgba.png"), files.get(1).bytes().read());
        assertThrows(IOException.class, () -> files.get(2).bytes().read());
        assertThrows(IOException.class, () -> HadoopFolder.list(dir.resolve("nope").toUri().toString(),
                new Configuration()));
    }

    @Test
    void captionsAreNormalisedAndMustBeUtf8() throws Exception {
        assertEquals(Optional.of("a b c"), Captions.parse("\uFEFF  a\r\n\tb \u00A0c \n".getBytes(StandardCharsets.UTF_8)));
        assertEquals(Optional.empty(), Captions.parse(" \n ".getBytes(StandardCharsets.UTF_8)));
        assertThrows(java.nio.charset.CharacterCodingException.class,
                () -> Captions.parse(new byte[] {'a', (byte) 0xC3, (byte) 0x28}));

        put("a.png", FORMATS + "rgba.png");
        put("a.txt", new byte[] {'a', (byte) 0xFF});
        PreparationResult r = new ConceptPreparer(PrepareOptions.defaults(16).withMinShortSide(8))
                .prepareFolder("c", dir);
        assertEquals(Optional.empty(), r.examples().get(0).caption());
        assertEquals(List.of(new Rejection("a.txt", Rejection.Reason.UNREADABLE,
                "caption not read (not UTF-8 text); its image is used without a caption")), r.rejected().subList(0, 1));
    }
}
