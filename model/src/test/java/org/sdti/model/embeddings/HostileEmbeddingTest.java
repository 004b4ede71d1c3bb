package org.sdti.model.embeddings;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.zip.CRC32;
import java.util.zip.Deflater;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sdti.model.io.SafeTensorsWriter;

/**
 * Issue 16's small embedding files that took a run down (points 1, 2, 4, 6, 7): each is now an
 * {@link EmbeddingFileException} naming the file and, where a cap applies, the cap, in bounded time and memory.
 */
class HostileEmbeddingTest {
    private static final Duration BOUND = Duration.ofSeconds(30);

    @TempDir
    Path dir;

    private EmbeddingFileException refused(Path file, String... fragments) {
        EmbeddingFileException e = assertThrows(EmbeddingFileException.class,
                () -> assertTimeoutPreemptively(BOUND, () -> EmbeddingFiles.read(file)));
        assertTrue(e.getMessage().startsWith(file.toString()), e.getMessage());
        for (String f : fragments) {
            assertTrue(e.getMessage().contains(f), e.getMessage());
        }
        return e;
    }

    private Path write(String name, byte[] bytes) throws IOException {
        return PickleBytes.write(dir.resolve(name), bytes);
    }

    // ---- point 1: memory ---------------------------------------------------------------------------------------

    @Test
    void zipBombOfAHundredEntriesOf64MbStopsAtTheInflatedCap() throws IOException {
        Path bomb = write("bomb.pt", zipBomb(100, (int) EmbeddingFiles.MAX_FILE_BYTES));
        assertTrue(Files.size(bomb) < 8 << 20, "a few MB: " + Files.size(bomb));
        refused(bomb, "cap on inflated bytes", Long.toString(EmbeddingFiles.MAX_FILE_BYTES));
    }

    @Test
    void archivesOfThousandsOfEntriesAreRefusedNamingTheCap() throws IOException {
        refused(write("many.pt", zipBomb(TorchArchive.MAX_ENTRIES + 1, 0)), "cap on archive entries");
    }

    @Test
    void setsBuiltOverAndOverFromOneBigListStopAtTheCap() throws IOException {
        PickleBytes p = PickleBytes.proto2().op(']', 'q', 0, '(');
        for (int i = 0; i < 50_000; i++) p.op('K', 1);
        p.op('e');
        for (int i = 0; i < 120; i++) p.global("builtins", "set").op('h', 0, 0x85, 'R', '0');
        refused(write("sets.pt", p.op('}').archive("archive")), "cap on set items", "100000");
    }

    @Test
    void devicesAndPipesAreNotRead() throws Exception {
        Path zero = Path.of("/dev/zero");
        assumeTrue(Files.exists(zero));
        refused(zero, "is not a regular file");
        Path fifo = dir.resolve("fifo.pt");
        Process mk = new ProcessBuilder("mkfifo", fifo.toString()).start();
        assumeTrue(mk.waitFor() == 0, "mkfifo");
        refused(fifo, "is not a regular file");
    }

    // ---- point 4: recursion ------------------------------------------------------------------------------------

    @Test
    void aSelfContainingListGivenToSetIsUnhashable() throws IOException {
        // l = []; l.append(l); set(l)
        byte[] pkl = PickleBytes.proto2().op(']', 'q', 0, 'h', 0, 'a').global("builtins", "set")
                .op('h', 0, 0x85, 'R').archive("archive");
        Path file = write("selfset.pt", pkl);
        assertTrue(Files.size(file) < 1000);
        refused(file, "unhashable set item of type list");
    }

    @Test
    void hundredThousandNestedTuplesAsDictKeyOrPersistentIdHitTheDepthCap() throws IOException {
        PickleBytes key = PickleBytes.proto2().op('}', ')');
        for (int i = 0; i < 100_000; i++) key.op(0x85);
        refused(write("deepkey.pt", key.op('N', 's').archive("archive")), "cap on nesting depth");
        PickleBytes pid = PickleBytes.proto2().op(')');
        for (int i = 0; i < 100_000; i++) pid.op(0x85);
        refused(write("deeppid.pt", pid.op('Q').archive("archive")), "cap on nesting depth");
    }

    @Test
    void tuplesSharingTheirPartsCannotBlowUpHashing() throws IOException {
        // t = (); then 40 times t = (t, t): 2^40 leaves reached through 40 objects
        PickleBytes p = PickleBytes.proto2().op('}', ')', 'q', 0);
        for (int i = 0; i < 40; i++) p.op('h', 0, 'h', 0, 0x86, 'q', 0);
        refused(write("dag.pt", p.op('N', 's').archive("archive")), "cap on tuple size");
    }

    // ---- point 6: exit 1 instead of 2 --------------------------------------------------------------------------

    @Test
    void storageOffsetNearTwoToTheSixtyThirdIsCaughtWithoutOverflow() throws IOException {
        byte[] storage = new byte[16];
        byte[] pkl = PickleBytes.proto2().op('}').str("<x>")
                .tensor("FloatStorage", "0", 4, Long.MAX_VALUE - 1, new int[] {2}, new int[] {1}).op('s')
                .archive("archive", storage);
        refused(write("offset.pt", pkl), "runs past the end of storage '0'");
    }

    @Test
    void blankTokensAreRefused() throws IOException {
        for (String name : new String[] {"", " ", "\t"}) {
            Path file = dir.resolve("blank.safetensors");
            new SafeTensorsWriter().addFloats(name, new long[] {1, 4}, new float[4]).write(file);
            refused(file, "is blank");
        }
        byte[] a1111 = a1111Named(" ");
        refused(write("named.pt", a1111), "token ' ' (from string_to_param['*']) is blank");
    }

    // ---- points 2 and 7: vector counts and values --------------------------------------------------------------

    @Test
    void moreVectorsThanAPromptHoldsAreRefused() throws IOException {
        Path file = dir.resolve("wide.safetensors");
        new SafeTensorsWriter().addFloats("<x>", new long[] {200_000, 1}, new float[200_000]).write(file);
        refused(file, "200000 vectors", "cap on vectors");
    }

    @Test
    void nonFiniteVectorsAreReadBitForBitAndNamed() throws IOException {
        // the reader keeps values as they are (round trips are exact); generate and train refuse them by this
        Path file = dir.resolve("nan.safetensors");
        new SafeTensorsWriter().addFloats("<x>", new long[] {2, 2}, new float[] {0, 1, Float.NaN, 2}).write(file);
        assertEquals("vector 1 holds NaN", EmbeddingFiles.read(file).nonFinite());
        assertNull(new LearnedEmbedding("<y>", new float[][] {{1, 2}}).nonFinite());
    }

    /** Not yet tried in the audit: a weight or embedding file cut short after it was opened (memory-mapped). */
    @Test
    void aFileTruncatedWhileOpenIsNamedNotACrash() throws IOException {
        Path file = dir.resolve("w.safetensors");
        new SafeTensorsWriter().addFloats("a", new long[] {1024}, new float[1024])
                .addFloats("b", new long[] {1024}, new float[1024]).write(file);
        try (org.sdti.model.io.SafeTensorsFile f = org.sdti.model.io.SafeTensorsFile.open(file)) {
            assertEquals(1024, f.floats("a").length);
            try (java.nio.channels.FileChannel ch = java.nio.channels.FileChannel.open(file,
                    java.nio.file.StandardOpenOption.WRITE)) {
                ch.truncate(Files.size(file) - 2048);
            }
            org.sdti.model.io.SafeTensorsException e = assertThrows(org.sdti.model.io.SafeTensorsException.class,
                    () -> f.floats("b"));
            assertTrue(e.getMessage().contains("was truncated while it was read"), e.getMessage());
        }
    }

    /** An A1111 file {string_to_token: {}, string_to_param: {'*': tensor [1, 4]}, name: NAME}. */
    private static byte[] a1111Named(String name) throws IOException {
        PickleBytes p = PickleBytes.proto2().op('}').str("string_to_param").op('}').str("*")
                .tensor("FloatStorage", "0", 4, 0, new int[] {1, 4}, new int[] {4, 1}).op('s', 's')
                .str("name").str(name).op('s');
        return p.archive("archive", new byte[16]);
    }

    /**
     * A zip of {@code data.pkl} and {@code entries} entries {@code data/N} that each inflate to {@code size} zero
     * bytes, written by hand so that the zeros are deflated once (ZipOutputStream would deflate every copy).
     */
    static byte[] zipBomb(int entries, int size) throws IOException {
        Deflater d = new Deflater(9, true);
        d.setInput(new byte[size]);
        d.finish();
        ByteArrayOutputStream deflated = new ByteArrayOutputStream();
        byte[] buf = new byte[1 << 16];
        while (!d.finished()) deflated.write(buf, 0, d.deflate(buf));
        d.end();
        CRC32 crc = new CRC32();
        crc.update(new byte[size]);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream central = new ByteArrayOutputStream();
        byte[] pkl = PickleBytes.proto2().op('}').stop();
        CRC32 pklCrc = new CRC32();
        pklCrc.update(pkl);
        entry(out, central, "archive/data.pkl", 0, pklCrc.getValue(), pkl, pkl.length);
        byte[] data = deflated.toByteArray();
        for (int i = 0; i < entries; i++) {
            entry(out, central, "archive/data/" + i, 8, crc.getValue(), data, size);
        }
        int centralStart = out.size();
        out.writeBytes(central.toByteArray());
        out.writeBytes(le(4, 0x06054b50, 2, 0, 2, 0, 2, Math.min(entries + 1, 0xffff), 2,
                Math.min(entries + 1, 0xffff), 4, central.size(), 4, centralStart, 2, 0));
        return out.toByteArray();
    }

    private static void entry(ByteArrayOutputStream out, ByteArrayOutputStream central, String name, int method,
            long crc, byte[] data, int size) {
        byte[] n = name.getBytes(StandardCharsets.UTF_8);
        int offset = out.size();
        out.writeBytes(le(4, 0x04034b50, 2, 20, 2, 0, 2, method, 2, 0, 2, 0, 4, crc, 4, data.length, 4, size,
                2, n.length, 2, 0));
        out.writeBytes(n);
        out.writeBytes(data);
        central.writeBytes(le(4, 0x02014b50, 2, 20, 2, 20, 2, 0, 2, method, 2, 0, 2, 0, 4, crc, 4, data.length,
                4, size, 2, n.length, 2, 0, 2, 0, 2, 0, 2, 0, 4, 0, 4, offset));
        central.writeBytes(n);
    }

    /** Little-endian fields given as (width, value) pairs. */
    private static byte[] le(long... widthsAndValues) {
        ByteBuffer b = ByteBuffer.allocate(64).order(ByteOrder.LITTLE_ENDIAN);
        for (int i = 0; i < widthsAndValues.length; i += 2) {
            long v = widthsAndValues[i + 1];
            switch ((int) widthsAndValues[i]) {
                case 2 -> b.putShort((short) v);
                case 4 -> b.putInt((int) v);
                default -> throw new IllegalArgumentException("width " + widthsAndValues[i]);
            }
        }
        return java.util.Arrays.copyOf(b.array(), b.position());
    }
}
