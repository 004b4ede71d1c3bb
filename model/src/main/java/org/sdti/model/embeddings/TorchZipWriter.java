package org.sdti.model.embeddings;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.zip.CRC32;

/**
 * Writes a zip the way torch's {@code PyTorchStreamWriter} (miniz) does, so {@code torch.load} and A1111's checks
 * see what they know: stored entries under one folder, each entry's data aligned to 64 bytes by an extra field
 * {@code "FB"} padded with {@code 'Z'}, zero dates, a data descriptor after each entry (flags 0x0808), then the
 * central directory, a zip64 end record and locator, and the classic end record. Small files only (under 4 GiB).
 */
final class TorchZipWriter {
    private static final int ALIGNMENT = 64;
    private static final int FLAGS = 0x0808; // sizes in a data descriptor; UTF-8 names

    private record Entry(String name, byte[] data, long crc, long offset) {}

    private final String folder;
    private final List<Entry> pending = new ArrayList<>();

    /** {@code folder}: the top folder (torch uses the file stem, or {@code archive} when writing to a stream). */
    TorchZipWriter(String folder) {
        if (folder.isEmpty() || folder.contains("/")) throw new IllegalArgumentException("bad folder '" + folder + "'");
        this.folder = folder;
    }

    /** Adds {@code <folder>/<name>}; entries are written in the order added. */
    TorchZipWriter add(String name, byte[] data) {
        CRC32 crc = new CRC32();
        crc.update(data);
        pending.add(new Entry(folder + "/" + name, data, crc.getValue(), 0));
        return this;
    }

    void writeTo(OutputStream out) throws IOException {
        Le w = new Le();
        List<Entry> written = new ArrayList<>();
        for (Entry e : pending) {
            long offset = w.size();
            byte[] name = e.name().getBytes(StandardCharsets.UTF_8);
            long dataStart = offset + 30 + name.length + 4;
            int padding = (int) ((ALIGNMENT - dataStart % ALIGNMENT) % ALIGNMENT);
            w.u32(0x04034b50).u16(0).u16(FLAGS).u16(0).u16(0).u16(0) // version, flags, stored, time, date
                    .u32(0).u32(0).u32(0) // crc and sizes follow in the descriptor
                    .u16(name.length).u16(4 + padding).bytes(name);
            w.u16('F' | 'B' << 8).u16(padding);
            for (int i = 0; i < padding; i++) w.u8('Z');
            w.bytes(e.data());
            w.u32(0x08074b50).u32(e.crc()).u32(e.data().length).u32(e.data().length);
            written.add(new Entry(e.name(), e.data(), e.crc(), offset));
        }
        long directory = w.size();
        for (Entry e : written) {
            byte[] name = e.name().getBytes(StandardCharsets.UTF_8);
            w.u32(0x02014b50).u16(0).u16(0).u16(FLAGS).u16(0).u16(0).u16(0)
                    .u32(e.crc()).u32(e.data().length).u32(e.data().length)
                    .u16(name.length).u16(0).u16(0).u16(0).u16(0).u32(0).u32(e.offset()).bytes(name);
        }
        long directorySize = w.size() - directory;
        long zip64End = w.size();
        int n = written.size();
        w.u32(0x06064b50).u64(44).u16(0x031e).u16(45).u32(0).u32(0).u64(n).u64(n).u64(directorySize).u64(directory);
        w.u32(0x07064b50).u32(0).u64(zip64End).u32(1);
        w.u32(0x06054b50).u16(0).u16(0).u16(n).u16(n).u32(directorySize).u32(directory).u16(0);
        if (w.size() >= 0xffffffffL) throw new IOException("torch archive over 4 GiB");
        w.writeTo(out);
    }

    /** Little-endian fields into a buffer. */
    private static final class Le extends ByteArrayOutputStream {
        Le u8(int v) {
            write(v);
            return this;
        }

        Le u16(int v) {
            return u8(v & 0xff).u8(v >>> 8 & 0xff);
        }

        Le u32(long v) {
            return u16((int) (v & 0xffff)).u16((int) (v >>> 16 & 0xffff));
        }

        Le u64(long v) {
            return u32(v & 0xffffffffL).u32(v >>> 32);
        }

        Le bytes(byte[] b) {
            writeBytes(b);
            return this;
        }
    }
}
