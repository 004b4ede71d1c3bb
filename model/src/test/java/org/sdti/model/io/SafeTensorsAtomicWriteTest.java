package org.sdti.model.io;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FSDataOutputStream;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.LocalFileSystem;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Writing replaces the target atomically; a failed write leaves neither a partial file nor a temporary one. */
class SafeTensorsAtomicWriteTest {
    @TempDir
    Path dir;

    private static SafeTensorsWriter version(float v) {
        return new SafeTensorsWriter().metadata("version", Float.toString(v))
                .addFloats("emb", new long[] {2, 4}, new float[] {v, v, v, v, v, v, v, v});
    }

    /** What the directory held when the failing source gave up. */
    private final List<List<String>> seenMidWrite = new java.util.ArrayList<>();

    /** Writes a whole first tensor and half of the second, then fails like a disk or a network would. */
    private SafeTensorsWriter failingMidWrite(RuntimeException unchecked) {
        return version(9).add("zz_last", DType.U8, new long[] {1 << 20}, out -> {
            out.write(new byte[1 << 19]);
            out.flush();
            seenMidWrite.add(listing());
            if (unchecked != null) throw unchecked;
            throw new IOException("connection reset");
        });
    }

    /**
     * The last failed write went through a hidden temporary file next to the target, and a target that did not
     * exist before was not created before the rename.
     */
    private void assertTempExistedMidWrite(String target, boolean targetExisted) {
        List<String> seen = seenMidWrite.get(seenMidWrite.size() - 1);
        assertTrue(seen.stream().anyMatch(n -> n.startsWith("." + target + ".") && n.endsWith(".tmp")),
                "temporary file during the write: " + seen);
        assertEquals(targetExisted, seen.contains(target), "target during the write: " + seen);
    }

    private List<String> listing() throws IOException {
        try (Stream<Path> s = Files.list(dir)) {
            return s.map(p -> p.getFileName().toString()).sorted().toList();
        }
    }

    private static float versionOf(Path file) throws IOException {
        try (SafeTensorsFile f = SafeTensorsFile.open(file)) {
            return f.floats("emb")[0];
        }
    }

    // ---- local files -------------------------------------------------------------------------------------------

    @Test
    void writesAndReplacesLeavingOnlyTheTarget() throws IOException {
        Path file = dir.resolve("learned_embeds.safetensors");
        version(1).write(file);
        assertEquals(1, versionOf(file));
        version(2).write(file);
        assertEquals(2, versionOf(file));
        assertEquals(List.of("learned_embeds.safetensors"), listing());
    }

    @Test
    void failureMidWriteLeavesNoFile() {
        Path file = dir.resolve("new.safetensors");
        SafeTensorsException e = assertThrows(SafeTensorsException.class, () -> failingMidWrite(null).write(file));
        assertEquals(file + ": tensor 'zz_last': connection reset", e.getMessage());
        assertTempExistedMidWrite("new.safetensors", false);
        assertFalse(Files.exists(file));
        assertTrue(Files.notExists(dir) || dirIsEmpty());
    }

    private boolean dirIsEmpty() {
        try {
            return listing().isEmpty();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Test
    void failureMidWriteKeepsThePreviousFileIntact() throws IOException {
        Path file = dir.resolve("learned_embeds.safetensors");
        version(1).write(file);
        byte[] before = Files.readAllBytes(file);

        assertThrows(SafeTensorsException.class, () -> failingMidWrite(null).write(file));
        assertTempExistedMidWrite("learned_embeds.safetensors", true);
        IllegalStateException e = assertThrows(IllegalStateException.class,
                () -> failingMidWrite(new IllegalStateException("bug in a source")).write(file));
        assertEquals("bug in a source", e.getMessage(), "unchecked exceptions pass through unchanged");
        assertTempExistedMidWrite("learned_embeds.safetensors", true);

        assertArrayEquals(before, Files.readAllBytes(file));
        assertEquals(List.of("learned_embeds.safetensors"), listing(), "no temporary files remain");
    }

    @Test
    void newFileGetsOrdinaryPermissionsNotThoseOfATempFile() throws IOException {
        Path file = dir.resolve("a.safetensors");
        version(1).write(file);
        Path plain = Files.createFile(dir.resolve("plain"));
        assertEquals(Files.getPosixFilePermissions(plain), Files.getPosixFilePermissions(file));
    }

    @Test
    void createsMissingDirectoriesAndRefusesADirectoryTarget() throws IOException {
        Path nested = dir.resolve("out/step-500/learned_embeds.safetensors");
        version(1).write(nested);
        assertEquals(1, versionOf(nested));

        SafeTensorsException e = assertThrows(SafeTensorsException.class, () -> version(1).write(dir.resolve("out")));
        assertEquals(dir.resolve("out") + ": is a directory", e.getMessage());
    }

    @Test
    void writesFileUrisAndPlainPaths() throws IOException {
        Configuration conf = new Configuration(false);
        for (String prefix : List.of("file:", "file://", "")) {
            Path file = dir.resolve("uri" + prefix.length() + ".safetensors");
            version(prefix.length()).write(prefix + file, conf);
            assertEquals(prefix.length(), versionOf(file));
        }
        assertEquals(3, listing().size());
    }

    @Test
    void hadoopLocalFileSystemDropsAStaleChecksum() throws IOException {
        Configuration conf = new Configuration(false);
        LocalFileSystem local = FileSystem.getLocal(conf);
        org.apache.hadoop.fs.Path p = new org.apache.hadoop.fs.Path(dir.resolve("e.safetensors").toUri());
        try (FSDataOutputStream out = local.create(p)) {
            out.write(new byte[] {1, 2, 3}); // leaves .e.safetensors.crc beside it
        }
        assertTrue(Files.exists(dir.resolve(".e.safetensors.crc")));

        version(5).write(local, p);
        assertFalse(Files.exists(dir.resolve(".e.safetensors.crc")));
        try (InputStream in = local.open(p)) {
            assertArrayEquals(Files.readAllBytes(dir.resolve("e.safetensors")), in.readAllBytes(),
                    "Hadoop's checksummed reader accepts the new file");
        }
        assertEquals(5, versionOf(dir.resolve("e.safetensors")));
    }

    // ---- other Hadoop file systems (temp name, delete, rename) -------------------------------------------------

    private org.apache.hadoop.fs.Path hadoopPath(String name) {
        return new org.apache.hadoop.fs.Path(dir.resolve(name).toString());
    }

    @Test
    void hadoopWritesAndReplaces() throws IOException {
        NonLocalFileSystem fs = NonLocalFileSystem.create();
        version(1).write(fs, hadoopPath("e.safetensors"));
        version(2).write(fs, hadoopPath("e.safetensors"));
        try (SafeTensorsFile f = SafeTensorsFile.open(fs, hadoopPath("e.safetensors"))) {
            assertEquals("nonlocal:" + dir.resolve("e.safetensors"), f.source());
            assertEquals(2, f.floats("emb")[0]);
            assertEquals("2.0", f.metadata().get("version"));
        }
        assertEquals(List.of("e.safetensors"), visibleAndHiddenNonCrc());
    }

    /** Hadoop's raw local file system writes no .crc files, but be explicit about what we expect to see. */
    private List<String> visibleAndHiddenNonCrc() throws IOException {
        return listing().stream().filter(n -> !n.endsWith(".crc")).toList();
    }

    @Test
    void hadoopFailureMidWriteKeepsThePreviousFileAndRemovesTheTemp() throws IOException {
        NonLocalFileSystem fs = NonLocalFileSystem.create();
        org.apache.hadoop.fs.Path p = hadoopPath("e.safetensors");
        version(1).write(fs, p);
        byte[] before = Files.readAllBytes(dir.resolve("e.safetensors"));

        SafeTensorsException e = assertThrows(SafeTensorsException.class, () -> failingMidWrite(null).write(fs, p));
        assertEquals("nonlocal:" + dir.resolve("e.safetensors") + ": tensor 'zz_last': connection reset", e.getMessage());
        assertTempExistedMidWrite("e.safetensors", true);
        assertArrayEquals(before, Files.readAllBytes(dir.resolve("e.safetensors")));
        assertEquals(List.of("e.safetensors"), visibleAndHiddenNonCrc());

        assertThrows(SafeTensorsException.class, () -> failingMidWrite(null).write(fs, hadoopPath("new.safetensors")));
        assertTempExistedMidWrite("new.safetensors", false);
        assertEquals(List.of("e.safetensors"), visibleAndHiddenNonCrc());
    }

    @Test
    void hadoopFailedRenameOfANewFileLeavesNothing() throws IOException {
        NonLocalFileSystem fs = NonLocalFileSystem.create();
        fs.failRenames = true;
        SafeTensorsException e = assertThrows(SafeTensorsException.class,
                () -> version(1).write(fs, hadoopPath("e.safetensors")));
        assertTrue(e.getMessage().startsWith("nonlocal:" + dir.resolve("e.safetensors") + ": cannot rename "),
                e.getMessage());
        assertEquals(List.of(), visibleAndHiddenNonCrc());
    }

    @Test
    void hadoopFailedRenameAfterDeletingTheOldFileKeepsTheNewContentAndSaysWhere() throws IOException {
        NonLocalFileSystem fs = NonLocalFileSystem.create();
        version(1).write(fs, hadoopPath("e.safetensors"));
        fs.failRenames = true;
        SafeTensorsException e = assertThrows(SafeTensorsException.class,
                () -> version(2).write(fs, hadoopPath("e.safetensors")));
        List<String> files = visibleAndHiddenNonCrc();
        assertEquals(1, files.size(), files.toString());
        String temp = files.get(0);
        assertTrue(temp.startsWith(".e.safetensors.") && temp.endsWith(".tmp"), temp);
        assertTrue(e.getMessage().endsWith("the old file is gone and the new content is kept in nonlocal:"
                + dir.resolve(temp)), e.getMessage());
        assertEquals(2, versionOf(dir.resolve(temp)), "the kept temporary file is complete");
    }

    @Test
    void hadoopRefusesADirectoryTarget() throws IOException {
        NonLocalFileSystem fs = NonLocalFileSystem.create();
        Files.createDirectory(dir.resolve("d.safetensors"));
        SafeTensorsException e = assertThrows(SafeTensorsException.class,
                () -> version(1).write(fs, hadoopPath("d.safetensors")));
        assertEquals("nonlocal:" + dir.resolve("d.safetensors") + ": is a directory", e.getMessage());
    }

    @Test
    void writesOtherSchemesThroughTheirHadoopFileSystem() throws IOException {
        Configuration conf = new Configuration(false);
        conf.set("fs.nonlocal.impl", NonLocalFileSystem.class.getName());
        conf.setBoolean("fs.nonlocal.impl.disable.cache", true);
        String uri = "nonlocal://" + dir.resolve("e.safetensors");
        version(3).write(uri, conf);
        try (SafeTensorsFile f = SafeTensorsFile.open(uri, conf)) {
            assertEquals(3, f.floats("emb")[0]);
        }
    }
}
