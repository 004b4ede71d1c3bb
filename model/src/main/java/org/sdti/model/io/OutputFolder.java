package org.sdti.model.io;

import java.io.FileNotFoundException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.LocalFileSystem;
import org.apache.hadoop.fs.Path;

/**
 * A folder a job writes its results to, on any Hadoop file system (plain paths, {@code file:}, {@code hdfs:},
 * {@code s3a:}). Every file is written whole and atomically ({@link AtomicFiles}); local files through
 * {@code java.nio}, so no Hadoop {@code .crc} side files appear. The folder is created by the first write.
 */
public final class OutputFolder {
    private final FileSystem fs;
    private final Path root;
    private final boolean local;

    private OutputFolder(HadoopLocation at) {
        this.fs = at.fs();
        this.root = at.root();
        FileSystem raw = fs instanceof LocalFileSystem l ? l.getRawFileSystem() : fs;
        this.local = "file".equals(raw.getUri().getScheme());
    }

    /** Opens (without creating) a folder; fails when the location is an existing file. */
    public static OutputFolder open(String location, Configuration conf) throws IOException {
        return new OutputFolder(HadoopLocation.of(location, conf).refuseFile("output folder"));
    }

    /** The folder's qualified URI. */
    public String location() {
        return root.toString();
    }

    public FileSystem fileSystem() {
        return fs;
    }

    public Path path(String relative) {
        return new Path(root, relative);
    }

    /** A relative path as a URI string, e.g. for {@link SafeTensorsWriter#write(String, Configuration)}. */
    public String uri(String relative) {
        return path(relative).toString();
    }

    public boolean exists(String relative) throws IOException {
        return fs.exists(path(relative));
    }

    /** Replaces {@code relative} with the content, atomically. */
    public void write(String relative, AtomicFiles.Content content) throws IOException {
        Path p = path(relative);
        if (local) {
            AtomicFiles.write(java.nio.file.Path.of(p.toUri()), content);
        } else {
            AtomicFiles.write(fs, p, content);
        }
    }

    public void writeText(String relative, String text) throws IOException {
        byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
        write(relative, out -> out.write(bytes));
    }

    /** A UTF-8 file's text, or empty when there is no such file. */
    public Optional<String> readText(String relative) throws IOException {
        try (InputStream in = fs.open(path(relative))) {
            return Optional.of(new String(in.readAllBytes(), StandardCharsets.UTF_8));
        } catch (FileNotFoundException e) {
            return Optional.empty();
        }
    }

    /** Names of the files (not folders) directly in {@code relative}; empty when it does not exist. */
    public List<String> list(String relative) throws IOException {
        List<String> names = new ArrayList<>();
        try {
            for (FileStatus s : fs.listStatus(path(relative))) {
                if (s.isFile()) {
                    names.add(s.getPath().getName());
                }
            }
        } catch (FileNotFoundException e) {
            return List.of();
        }
        names.sort(null);
        return names;
    }

    public SafeTensorsFile openSafeTensors(String relative) throws IOException {
        Path p = path(relative);
        return local ? SafeTensorsFile.open(java.nio.file.Path.of(p.toUri())) : SafeTensorsFile.open(fs, p);
    }

    @Override
    public String toString() {
        return location();
    }
}
