package org.sdti.dataprep;

import java.io.FileNotFoundException;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FSDataInputStream;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
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

    /** A whole file of at most 2 GB (an image or a caption), read in one piece. */
    public static byte[] readAll(FileSystem fs, Path p) throws IOException {
        long len = fs.getFileStatus(p).getLen();
        if (len > Integer.MAX_VALUE - 8) {
            throw new IOException("file of " + len + " bytes is too large to be an image here");
        }
        byte[] data = new byte[(int) len];
        try (FSDataInputStream in = fs.open(p)) {
            in.readFully(0, data);
        }
        return data;
    }
}
