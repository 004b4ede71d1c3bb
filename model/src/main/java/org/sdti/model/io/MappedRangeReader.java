package org.sdti.model.io;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/** Maps the requested region of a local file; tensors are read without copying the whole file to the heap. */
final class MappedRangeReader implements RangeReader {
    private final Path path;
    private final FileChannel channel;
    private final long size;

    MappedRangeReader(Path path) throws IOException {
        this.path = path;
        if (Files.isDirectory(path)) {
            throw new SafeTensorsException(path.toString(), "is a directory, not a safetensors file");
        }
        if (Files.exists(path) && !Files.isRegularFile(path)) {
            // opening a FIFO waits for a writer; a device has no end
            throw new SafeTensorsException(path.toString(), "is not a regular file");
        }
        this.channel = FileChannel.open(path, StandardOpenOption.READ);
        this.size = channel.size();
    }

    @Override
    public long size() {
        return size;
    }

    @Override
    public ByteBuffer read(long offset, int length) throws IOException {
        if (length == 0) {
            return ByteBuffer.allocate(0).order(ByteOrder.LITTLE_ENDIAN);
        }
        if (channel.size() < offset + length) {
            // mapping past the end is refused; reading a page the file no longer has would fault the JVM
            throw truncated();
        }
        return channel.map(FileChannel.MapMode.READ_ONLY, offset, length).order(ByteOrder.LITTLE_ENDIAN);
    }

    SafeTensorsException truncated() throws IOException {
        return new SafeTensorsException(path.toString(), "was truncated while it was read (" + channel.size()
                + " bytes now, " + size + " when opened)");
    }

    @Override
    public String describe() {
        return path.toString();
    }

    @Override
    public void close() throws IOException {
        channel.close();
    }
}
