package org.sdti.jobs.generate;

import java.io.IOException;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.sdti.jobs.cli.BadInputException;
import org.sdti.model.io.AtomicFiles;
import org.sdti.model.io.SafeTensorsWriter;

/**
 * The folder a generate run writes to, on any Hadoop file system. Every file is written under a temporary name and
 * renamed into place, so readers never see half a PNG; local folders go through {@code java.nio} (an atomic rename
 * and no Hadoop {@code .crc} side files).
 */
public final class OutputFolder {
    private final FileSystem fs;
    private final Path root;

    private OutputFolder(FileSystem fs, Path root) {
        this.fs = fs;
        this.root = root;
    }

    /** Opens (creating it when missing) the folder; a file in its place is bad input. */
    public static OutputFolder create(String location, Configuration conf) throws IOException {
        Path p = new Path(location);
        FileSystem fs = p.getFileSystem(conf);
        Path root = fs.makeQualified(p);
        FileStatus status = fs.exists(root) ? fs.getFileStatus(root) : null;
        if (status != null && !status.isDirectory()) {
            throw new BadInputException("output " + location + " is a file, not a folder");
        }
        if (status == null && !fs.mkdirs(root)) {
            throw new IOException("cannot create the output folder " + root);
        }
        return new OutputFolder(fs, root);
    }

    public Path path(String name) {
        return new Path(root, name);
    }

    /** Writes {@code name} atomically and returns its qualified path. */
    public String write(String name, byte[] content) throws IOException {
        Path target = path(name);
        AtomicFiles.Content c = out -> out.write(content);
        if (isLocal()) {
            AtomicFiles.write(java.nio.file.Path.of(target.toUri()), c);
        } else {
            AtomicFiles.write(fs, target, c);
        }
        return target.toString();
    }

    /** Writes a safetensors file (atomically, as {@link SafeTensorsWriter} does). */
    public String write(String name, SafeTensorsWriter content) throws IOException {
        Path target = path(name);
        content.write(fs, target);
        return target.toString();
    }

    private boolean isLocal() {
        return "file".equals(root.toUri().getScheme());
    }

    @Override
    public String toString() {
        return root.toString();
    }
}
