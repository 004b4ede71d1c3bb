package org.sdti.dataprep;

import java.io.FileNotFoundException;
import java.io.IOException;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FSDataInputStream;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.LocalFileSystem;
import org.apache.hadoop.fs.Path;

/**
 * The entries of a folder on any Hadoop file system ({@code file:}, {@code hdfs:}, {@code s3a:}, plain paths) as
 * {@link ImageInput}s, read lazily, sorted by name; sub-folders are listed (and later reported), not entered.
 */
public final class HadoopFolder {
    private HadoopFolder() {
    }

    public static List<ImageInput> list(String location, Configuration conf) throws IOException {
        Path folder = new Path(location);
        FileSystem fs = folder.getFileSystem(conf);
        FileStatus[] entries;
        try {
            if (!fs.getFileStatus(folder).isDirectory()) {
                throw new IOException("concept folder " + location + " is a file, not a folder");
            }
            entries = fs.listStatus(folder);
        } catch (FileNotFoundException e) {
            throw new FileNotFoundException("concept folder " + location + " does not exist");
        }
        Arrays.sort(entries, Comparator.comparing(s -> s.getPath().getName()));
        List<ImageInput> out = new ArrayList<>(entries.length);
        for (FileStatus s : entries) {
            Path p = s.getPath();
            out.add(new ImageInput(p.getName(), s.isDirectory()
                    ? () -> { throw new IOException("a folder, not a file (sub-folders are not read)"); }
                    : () -> readAll(fs, p)));
        }
        return out;
    }

    /** Bytes of one image or caption file; photos are tens of MB at most. */
    public static final long MAX_FILE_BYTES = 256L << 20;

    /**
     * A whole regular file of at most {@link #MAX_FILE_BYTES}, read in one piece. A pipe, device or socket is
     * refused before it is opened: opening a FIFO waits for a writer, reading a device never ends.
     */
    public static byte[] readAll(FileSystem fs, Path p) throws IOException {
        requireRegularFile(fs, p);
        long len = fs.getFileStatus(p).getLen();
        if (len > MAX_FILE_BYTES) {
            throw new FileRefusedException("file of " + len + " bytes is larger than " + MAX_FILE_BYTES
                    + " (the cap on image file size)");
        }
        byte[] data = new byte[(int) len];
        try (FSDataInputStream in = fs.open(p)) {
            in.readFully(0, data);
        }
        return data;
    }

    /** Hadoop's local file system calls anything that is not a folder a file; Java can tell a FIFO apart. */
    public static void requireRegularFile(FileSystem fs, Path p) throws IOException {
        FileSystem raw = fs instanceof LocalFileSystem local ? local.getRawFileSystem() : fs;
        boolean regular = "file".equals(raw.getUri().getScheme())
                ? Files.isRegularFile(java.nio.file.Path.of(raw.makeQualified(p).toUri()))
                : fs.getFileStatus(p).isFile();
        if (!regular) {
            throw new FileRefusedException("not a regular file (pipes, devices and sockets are not read)");
        }
    }
}
