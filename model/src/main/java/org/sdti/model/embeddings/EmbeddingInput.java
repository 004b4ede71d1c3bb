package org.sdti.model.embeddings;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import org.apache.hadoop.fs.FSDataInputStream;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.LocalFileSystem;
import org.sdti.model.io.SafeTensorsFile;

/** An embedding file to read, local or on a Hadoop file system, opened in whichever container its bytes show. */
interface EmbeddingInput {
    /** Names the file in messages. */
    String describe();

    /** The file name without its last extension, as Python's {@code os.path.splitext}. */
    String stem();

    /** The file's size; refuses what is not a regular file (a FIFO or a device would never end). */
    long size() throws IOException;

    /** Up to {@code n} bytes from the start. */
    byte[] head(int n) throws IOException;

    SafeTensorsFile openSafeTensors() throws IOException;

    TorchArchive readTorchArchive(long maxBytes) throws IOException;

    static EmbeddingInput of(Path file) {
        return new Local(file);
    }

    static EmbeddingInput of(FileSystem fs, org.apache.hadoop.fs.Path file) {
        FileSystem raw = fs instanceof LocalFileSystem local ? local.getRawFileSystem() : fs;
        if ("file".equals(raw.getUri().getScheme())) {
            return new Local(Path.of(raw.makeQualified(file).toUri()));
        }
        return new Hadoop(fs, file);
    }

    static String stemOf(String fileName) {
        int dot = fileName.lastIndexOf('.');
        return dot > 0 ? fileName.substring(0, dot) : fileName;
    }

    record Local(Path file) implements EmbeddingInput {
        @Override
        public String describe() {
            return file.toString();
        }

        @Override
        public String stem() {
            return stemOf(file.getFileName().toString());
        }

        @Override
        public long size() throws IOException {
            if (Files.exists(file) && !Files.isRegularFile(file)) {
                throw new EmbeddingFileException(describe(), "is not a regular file");
            }
            return Files.size(file);
        }

        @Override
        public byte[] head(int n) throws IOException {
            try (FileChannel ch = FileChannel.open(file)) {
                ByteBuffer b = ByteBuffer.allocate((int) Math.min(n, ch.size()));
                while (b.hasRemaining() && ch.read(b) >= 0) {
                    // read until full or end of file
                }
                return java.util.Arrays.copyOf(b.array(), b.position());
            }
        }

        @Override
        public SafeTensorsFile openSafeTensors() throws IOException {
            return SafeTensorsFile.open(file);
        }

        @Override
        public TorchArchive readTorchArchive(long maxBytes) throws IOException {
            return TorchArchive.read(file, describe(), maxBytes);
        }
    }

    record Hadoop(FileSystem fs, org.apache.hadoop.fs.Path file) implements EmbeddingInput {
        @Override
        public String describe() {
            return fs.makeQualified(file).toString();
        }

        @Override
        public String stem() {
            return stemOf(file.getName());
        }

        @Override
        public long size() throws IOException {
            org.apache.hadoop.fs.FileStatus s = fs.getFileStatus(file);
            if (!s.isFile()) {
                throw new EmbeddingFileException(describe(), "is not a regular file");
            }
            return s.getLen();
        }

        @Override
        public byte[] head(int n) throws IOException {
            byte[] b = new byte[(int) Math.min(n, size())];
            try (FSDataInputStream in = fs.open(file)) {
                in.readFully(0, b);
            }
            return b;
        }

        @Override
        public SafeTensorsFile openSafeTensors() throws IOException {
            return SafeTensorsFile.open(fs, file);
        }

        /** java.util.zip reads archives from local files only: copy to a temporary one, read it, delete it. */
        @Override
        public TorchArchive readTorchArchive(long maxBytes) throws IOException {
            Path tmp = Files.createTempFile("sdti-embedding-", ".zip");
            try {
                try (InputStream in = fs.open(file)) {
                    Files.copy(in, tmp, StandardCopyOption.REPLACE_EXISTING);
                }
                return TorchArchive.read(tmp, describe(), maxBytes);
            } finally {
                Files.deleteIfExists(tmp);
            }
        }
    }
}
