package org.sdti.model.embeddings;

import java.io.IOException;
import java.io.OutputStream;
import java.net.URI;
import java.nio.file.Path;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.ChecksumFileSystem;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.LocalFileSystem;
import org.sdti.model.io.AtomicFiles;
import org.sdti.model.io.SafeTensorsException;
import org.sdti.model.io.SafeTensorsFile;

/**
 * Reads and writes textual-inversion embedding files.
 *
 * <p>Reading recognises the container by its first bytes (safetensors or torch zip, whatever the extension) and
 * the layout by its keys: diffusers {@code {token: [n, dim] | [dim]}}, kohya {@code {"emb_params": ...}} and
 * A1111/LDM {@code string_to_param}. The token is, unless {@link ReadOptions#token()} says otherwise: the tensor's
 * name for diffusers, {@code name} (else the file stem) for A1111, the file stem for kohya. Vectors of any float
 * dtype come back as float32. Every failure is an {@link EmbeddingFileException} naming the file and the problem.
 *
 * <p>Writing is atomic (temporary name in the same directory, then rename) in {@link EmbeddingFormat#DIFFUSERS_SAFETENSORS}
 * or {@link EmbeddingFormat#A1111_PT}.
 */
public final class EmbeddingFiles {
    /** Larger than any embedding (75 vectors × 1280 × f64 is 0.8 MB): a model checkpoint given by mistake. */
    static final long MAX_FILE_BYTES = 64L << 20;

    private EmbeddingFiles() {}

    // ---- reading -----------------------------------------------------------------------------------------------

    public static LearnedEmbedding read(Path file) throws IOException {
        return read(file, ReadOptions.DEFAULTS);
    }

    public static LearnedEmbedding read(Path file, ReadOptions options) throws IOException {
        return read(EmbeddingInput.of(file), options);
    }

    public static LearnedEmbedding read(FileSystem fs, org.apache.hadoop.fs.Path file) throws IOException {
        return read(fs, file, ReadOptions.DEFAULTS);
    }

    public static LearnedEmbedding read(FileSystem fs, org.apache.hadoop.fs.Path file, ReadOptions options)
            throws IOException {
        return read(EmbeddingInput.of(fs, file), options);
    }

    /** A URI or plain path ({@code file:}, {@code hdfs:}, {@code s3a:} ...); plain paths are local files. */
    public static LearnedEmbedding read(String uri, Configuration conf) throws IOException {
        return read(uri, conf, ReadOptions.DEFAULTS);
    }

    public static LearnedEmbedding read(String uri, Configuration conf, ReadOptions options) throws IOException {
        org.apache.hadoop.fs.Path p = new org.apache.hadoop.fs.Path(uri);
        URI u = p.toUri();
        if (u.getScheme() == null || "file".equals(u.getScheme())) {
            return read(Path.of(u.getPath()), options);
        }
        return read(p.getFileSystem(conf), p, options);
    }

    private static LearnedEmbedding read(EmbeddingInput in, ReadOptions options) throws IOException {
        String source = in.describe();
        long size = in.size();
        if (size > MAX_FILE_BYTES) {
            throw new EmbeddingFileException(source, "is " + size + " bytes, far more than an embedding (the cap is "
                    + MAX_FILE_BYTES + " bytes; a model checkpoint?)");
        }
        LearnedEmbedding e = switch (Container.detect(in.head(Container.HEAD), size, source)) {
            case SAFETENSORS -> readSafeTensors(in, source, options);
            case TORCH_ZIP -> PickledEmbeddings.read(in.readTorchArchive(MAX_FILE_BYTES).load(), source,
                    in.stem(), options);
        };
        if (options.expectedWidth().isPresent()) {
            e.checkWidth(options.expectedWidth().getAsInt(), source);
        }
        return e;
    }

    private static LearnedEmbedding readSafeTensors(EmbeddingInput in, String source, ReadOptions options)
            throws IOException {
        try (SafeTensorsFile f = in.openSafeTensors()) {
            return SafeTensorsEmbeddings.read(f, source, in.stem(), options);
        } catch (SafeTensorsException e) {
            throw EmbeddingFileException.wrapping(e);
        }
    }

    // ---- writing -----------------------------------------------------------------------------------------------

    /** Writes a local file atomically. */
    public static void write(LearnedEmbedding e, EmbeddingFormat format, Path file) throws IOException {
        AtomicFiles.write(file, content(e, format));
    }

    /**
     * Writes to any Hadoop file system: local ones as {@link #write(LearnedEmbedding, EmbeddingFormat, Path)},
     * others through {@link AtomicFiles#write(FileSystem, org.apache.hadoop.fs.Path, AtomicFiles.Content)}.
     */
    public static void write(LearnedEmbedding e, EmbeddingFormat format, FileSystem fs, org.apache.hadoop.fs.Path file)
            throws IOException {
        AtomicFiles.Content content = content(e, format);
        FileSystem raw = fs instanceof LocalFileSystem local ? local.getRawFileSystem() : fs;
        if ("file".equals(raw.getUri().getScheme())) {
            org.apache.hadoop.fs.Path qualified = raw.makeQualified(file);
            if (fs instanceof ChecksumFileSystem checksummed) {
                // a .crc left by an earlier checksummed write would make Hadoop's readers reject the new file
                raw.delete(checksummed.getChecksumFile(qualified), false);
            }
            AtomicFiles.write(Path.of(qualified.toUri()), content);
        } else {
            AtomicFiles.write(fs, file, content);
        }
    }

    /** Writes to a URI or plain path, as {@link #read(String, Configuration)} reads them. */
    public static void write(LearnedEmbedding e, EmbeddingFormat format, String uri, Configuration conf)
            throws IOException {
        org.apache.hadoop.fs.Path p = new org.apache.hadoop.fs.Path(uri);
        URI u = p.toUri();
        if (u.getScheme() == null || "file".equals(u.getScheme())) {
            write(e, format, Path.of(u.getPath()));
        } else {
            write(e, format, p.getFileSystem(conf), p);
        }
    }

    /** Writes the file's bytes to a stream (flushed, not closed). */
    public static void writeTo(LearnedEmbedding e, EmbeddingFormat format, OutputStream out) throws IOException {
        content(e, format).writeTo(out);
        out.flush();
    }

    private static AtomicFiles.Content content(LearnedEmbedding e, EmbeddingFormat format) {
        return switch (format) {
            case DIFFUSERS_SAFETENSORS -> DiffusersWriter.of(e)::writeTo;
            case A1111_PT -> out -> A1111Writer.writeTo(e, out);
            default -> throw new IllegalArgumentException("sdti does not write " + format.description()
                    + " files; write " + EmbeddingFormat.DIFFUSERS_SAFETENSORS + " or " + EmbeddingFormat.A1111_PT);
        };
    }
}
