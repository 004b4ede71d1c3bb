package org.sdti.model.io;

import java.io.FileNotFoundException;
import java.io.IOException;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;

/**
 * A folder given by path or URI (plain path, {@code file:}, {@code hdfs:}, {@code s3a:}) on its Hadoop file system,
 * qualified once: the one way the model, output and job folders are opened.
 *
 * @param given as the user wrote it (messages name it so)
 * @param root  qualified, e.g. {@code file:/models/sd21} or {@code s3a://bucket/sd21}
 */
public record HadoopLocation(String given, FileSystem fs, Path root) {

    public static HadoopLocation of(String location, Configuration conf) throws IOException {
        Path p = new Path(location);
        FileSystem fs = p.getFileSystem(conf);
        return new HadoopLocation(location, fs, fs.makeQualified(p));
    }

    /** Fails unless a folder is there: "{@code what} LOCATION does not exist" or "... is a file, not a folder". */
    public HadoopLocation requireFolder(String what) throws IOException {
        FileStatus st = statusOrNull();
        if (st == null) {
            throw new FileNotFoundException(what + " " + given + " does not exist");
        }
        return refuseFile(what);
    }

    /** Fails when a file stands where the folder belongs; a folder yet to be created is fine. */
    public HadoopLocation refuseFile(String what) throws IOException {
        FileStatus st = statusOrNull();
        if (st != null && !st.isDirectory()) {
            throw new FileNotFoundException(what + " " + given + " is a file, not a folder");
        }
        return this;
    }

    private FileStatus statusOrNull() throws IOException {
        try {
            return fs.getFileStatus(root);
        } catch (FileNotFoundException e) {
            return null;
        }
    }
}
