package org.sdti.jobs.prepare;

import java.io.FileNotFoundException;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.regex.Pattern;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;

/**
 * A concept's image files, listed on the driver (metadata only; executors read the bytes). {@code images} is a
 * folder (its entries; sub-folders are listed so that data-prep reports them), a single file, or a glob.
 */
final class ImageListing {
    private static final Pattern GLOB = Pattern.compile("[*?\\[{]");

    /** One listed entry: its qualified path, whether it is a folder, and what the fingerprint notes of it. */
    record Entry(String path, boolean dir, long length, long modified) {}

    /** The entries sorted by path, or why there are none to read ({@code error} set, {@code entries} empty). */
    record Listing(List<Entry> entries, String error) {}

    private ImageListing() {}

    static Listing list(String images, Configuration conf) throws IOException {
        Path p = new Path(images);
        FileSystem fs = p.getFileSystem(conf);
        FileStatus[] found;
        if (GLOB.matcher(images).find()) {
            found = fs.globStatus(p);
            if (found == null || found.length == 0) {
                return new Listing(List.of(), "images " + images + " matches no file");
            }
        } else {
            FileStatus status;
            try {
                status = fs.getFileStatus(p);
            } catch (FileNotFoundException e) {
                return new Listing(List.of(), "images folder " + images + " does not exist");
            }
            found = status.isDirectory() ? fs.listStatus(status.getPath()) : new FileStatus[] {status};
        }
        List<Entry> out = new ArrayList<>(found.length);
        Arrays.stream(found)
                .sorted(Comparator.comparing(s -> s.getPath().toString()))
                .forEach(s -> out.add(new Entry(fs.makeQualified(s.getPath()).toString(), s.isDirectory(),
                        s.getLen(), s.getModificationTime())));
        return new Listing(out, null);
    }
}
