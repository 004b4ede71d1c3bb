package org.sdti.model.io;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.concurrent.ThreadLocalRandom;
import org.apache.hadoop.fs.FSDataOutputStream;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;

/**
 * Replaces a file with new content written under a temporary name in the same directory, then renamed over the
 * target. A failure while writing removes the temporary file and leaves an existing target as it was.
 */
public final class AtomicFiles {
    /** Writes the new content; must not close the stream. */
    public interface Content {
        void writeTo(OutputStream out) throws IOException;
    }

    private AtomicFiles() {}

    /**
     * Local file: readers see the old file or the complete new one, never a part ({@code rename(2)}). The data
     * is forced to disk before the rename so a crash cannot leave a renamed but empty file.
     */
    public static void write(Path target, Content content) throws IOException {
        Path file = target.toAbsolutePath().normalize();
        if (Files.isDirectory(file)) {
            throw new SafeTensorsException(file.toString(), "is a directory");
        }
        Path dir = file.getParent();
        Files.createDirectories(dir);
        Path tmp = dir.resolve(tempName(file.getFileName().toString()));
        try {
            // not Files.createTempFile: its 0600 permissions would stay on the renamed file
            try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
                content.writeTo(Channels.newOutputStream(ch));
                ch.force(true);
            }
            Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (Throwable t) {
            try {
                Files.deleteIfExists(tmp);
            } catch (IOException e) {
                t.addSuppressed(e);
            }
            throw t;
        }
    }

    /**
     * Any Hadoop file system: temporary name, then delete the target and rename. Hadoop has no portable atomic
     * replace, so readers may briefly find no file between the delete and the rename (on HDFS a moment; on S3 a
     * rename is a server-side copy plus delete, taking time in proportion to the size). If the rename fails
     * after the old file was deleted, the temporary file is kept, being the only copy, and the error names it.
     */
    public static void write(FileSystem fs, org.apache.hadoop.fs.Path target, Content content) throws IOException {
        org.apache.hadoop.fs.Path file = fs.makeQualified(target);
        String name = file.toString();
        FileStatus existing = status(fs, file);
        if (existing != null && existing.isDirectory()) {
            throw new SafeTensorsException(name, "is a directory");
        }
        org.apache.hadoop.fs.Path tmp = new org.apache.hadoop.fs.Path(file.getParent(), tempName(file.getName()));
        boolean keepTemp = false;
        try {
            try (FSDataOutputStream out = fs.create(tmp, false)) {
                content.writeTo(out);
            }
            if (status(fs, file) != null) {
                if (!fs.delete(file, false)) {
                    throw new SafeTensorsException(name, "cannot delete the old file to replace it");
                }
                keepTemp = true;
            }
            if (!fs.rename(tmp, file)) {
                throw new SafeTensorsException(name, "cannot rename " + tmp + " to it"
                        + (keepTemp ? "; the old file is gone and the new content is kept in " + tmp : ""));
            }
        } catch (Throwable t) {
            if (!keepTemp) {
                try {
                    fs.delete(tmp, false);
                } catch (IOException e) {
                    t.addSuppressed(e);
                }
            }
            throw t;
        }
    }

    /** A UTF-8 text file, atomically, on any Hadoop file system (local ones through {@link #write(Path, Content)}). */
    public static void writeText(FileSystem fs, org.apache.hadoop.fs.Path target, String text) throws IOException {
        Content c = out -> out.write(text.getBytes(java.nio.charset.StandardCharsets.UTF_8));
        org.apache.hadoop.fs.Path q = fs.makeQualified(target);
        if ("file".equals(q.toUri().getScheme())) {
            write(Path.of(q.toUri()), c);
        } else {
            write(fs, q, c);
        }
    }

    private static FileStatus status(FileSystem fs, org.apache.hadoop.fs.Path p) throws IOException {
        try {
            return fs.getFileStatus(p);
        } catch (java.io.FileNotFoundException e) {
            return null;
        }
    }

    /** Hidden (leading dot), so globs and Hadoop/Spark input listings skip it. */
    private static String tempName(String target) {
        return "." + target + "." + Long.toUnsignedString(ThreadLocalRandom.current().nextLong(), 36) + ".tmp";
    }
}
