package org.sdti.jobs.generate;

import java.io.IOException;
import java.io.InputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;

/** SHA-256 of files on any Hadoop file system, streamed (weight files are gigabytes). */
public final class FileHashes {
    private FileHashes() {}

    /** Lower-case hex SHA-256 of the file's bytes. */
    public static String sha256(FileSystem fs, Path file) throws IOException {
        MessageDigest digest = newDigest();
        byte[] buf = new byte[1 << 20];
        try (InputStream in = fs.open(file)) {
            for (int n; (n = in.read(buf)) > 0; ) {
                digest.update(buf, 0, n);
            }
        }
        return HexFormat.of().formatHex(digest.digest());
    }

    public static String sha256(byte[] bytes) {
        return HexFormat.of().formatHex(newDigest().digest(bytes));
    }

    private static MessageDigest newDigest() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("the JDK has no SHA-256", e);
        }
    }
}
