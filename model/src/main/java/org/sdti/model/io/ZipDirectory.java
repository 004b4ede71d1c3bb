package org.sdti.model.io;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import org.sdti.model.BadInputException;

/**
 * The entries of a zip archive read from its central directory (ZIP64 included), with where each entry's data
 * starts, so stored (uncompressed) entries can be read in place by range: what a torch checkpoint of gigabytes
 * needs, where {@code java.util.zip} would inflate or copy. Only the directory is read when opening; a damaged or
 * cut archive is a {@link BadInputException} naming the file.
 */
public final class ZipDirectory {
    /** Entries of one archive; a full SD checkpoint has about 1,300. */
    public static final int MAX_ENTRIES = 100_000;
    private static final int MAX_DIRECTORY_BYTES = 64 << 20;
    private static final int EOCD = 0x06054b50;
    private static final int ZIP64_LOCATOR = 0x07064b50;
    private static final int ZIP64_EOCD = 0x06064b50;
    private static final int CENTRAL = 0x02014b50;
    private static final int LOCAL = 0x04034b50;

    /** One entry: compression method (0 stored, 8 deflated), sizes and the absolute offset of its data. */
    public record Entry(String name, int method, long compressedSize, long size, long crc, long dataOffset) {}

    private final Map<String, Entry> entries;

    private ZipDirectory(Map<String, Entry> entries) {
        this.entries = entries;
    }

    public Map<String, Entry> entries() {
        return entries;
    }

    public static ZipDirectory read(RangeReader r, String source) throws IOException {
        long size = r.size();
        int tail = (int) Math.min(size, 22 + 0xFFFF);
        ByteBuffer end = r.read(size - tail, tail);
        int eocd = -1;
        for (int i = tail - 22; i >= 0; i--) {
            if (end.getInt(i) == EOCD) {
                eocd = i;
                break;
            }
        }
        if (eocd < 0) {
            throw new BadInputException(source, "not a zip archive (no end of central directory record)");
        }
        long count = end.getShort(eocd + 10) & 0xFFFF;
        long dirSize = end.getInt(eocd + 12) & 0xFFFFFFFFL;
        long dirOffset = end.getInt(eocd + 16) & 0xFFFFFFFFL;
        long eocdAt = size - tail + eocd;
        if (eocdAt >= 20 && r.read(eocdAt - 20, 4).getInt(0) == ZIP64_LOCATOR) {
            long at = r.read(eocdAt - 12, 8).getLong(0);
            if (at < 0 || at > size - 56) throw new BadInputException(source, "ZIP64 record offset " + at + " is outside the file");
            ByteBuffer z = r.read(at, 56);
            if (z.getInt(0) != ZIP64_EOCD) throw new BadInputException(source, "ZIP64 end record is damaged");
            count = z.getLong(32);
            dirSize = z.getLong(40);
            dirOffset = z.getLong(48);
        }
        if (count < 0 || count > MAX_ENTRIES) {
            throw new BadInputException(source, "a zip archive of " + count + " entries (at most " + MAX_ENTRIES + ")");
        }
        if (dirSize < 0 || dirSize > MAX_DIRECTORY_BYTES || dirOffset < 0 || dirOffset > size - dirSize) {
            throw new BadInputException(source, "the zip central directory (" + dirSize + " bytes at " + dirOffset
                    + ") does not fit the file (" + size + " bytes; truncated?)");
        }
        ByteBuffer d = r.read(dirOffset, (int) dirSize);
        Map<String, Entry> out = new LinkedHashMap<>();
        int p = 0;
        for (long i = 0; i < count; i++) {
            if (p + 46 > d.limit() || d.getInt(p) != CENTRAL) {
                throw new BadInputException(source, "zip central directory entry " + i + " is damaged");
            }
            int method = d.getShort(p + 10) & 0xFFFF;
            long crc = d.getInt(p + 16) & 0xFFFFFFFFL;
            long csize = d.getInt(p + 20) & 0xFFFFFFFFL;
            long usize = d.getInt(p + 24) & 0xFFFFFFFFL;
            int nameLen = d.getShort(p + 28) & 0xFFFF;
            int extraLen = d.getShort(p + 30) & 0xFFFF;
            int commentLen = d.getShort(p + 32) & 0xFFFF;
            long local = d.getInt(p + 42) & 0xFFFFFFFFL;
            if (p + 46 + nameLen + extraLen + commentLen > d.limit()) {
                throw new BadInputException(source, "zip central directory entry " + i + " runs past the directory");
            }
            byte[] nameBytes = new byte[nameLen];
            d.get(p + 46, nameBytes);
            String name = new String(nameBytes, StandardCharsets.UTF_8);
            // ZIP64 extended information: the 32-bit fields at 0xFFFFFFFF, in this order
            int x = p + 46 + nameLen;
            for (int e = x; e + 4 <= x + extraLen; ) {
                int id = d.getShort(e) & 0xFFFF;
                int len = d.getShort(e + 2) & 0xFFFF;
                int f = e + 4;
                if (id == 1) {
                    if (usize == 0xFFFFFFFFL && f + 8 <= e + 4 + len) { usize = d.getLong(f); f += 8; }
                    if (csize == 0xFFFFFFFFL && f + 8 <= e + 4 + len) { csize = d.getLong(f); f += 8; }
                    if (local == 0xFFFFFFFFL && f + 8 <= e + 4 + len) { local = d.getLong(f); }
                }
                e += 4 + len;
            }
            out.put(name, new Entry(name, method, csize, usize, crc, dataOffset(r, local, name, csize, source)));
            p += 46 + nameLen + extraLen + commentLen;
        }
        return new ZipDirectory(out);
    }

    private static long dataOffset(RangeReader r, long local, String name, long csize, String source)
            throws IOException {
        if (local < 0 || local > r.size() - 30) {
            throw new BadInputException(source, "zip entry " + name + " starts outside the file (truncated?)");
        }
        ByteBuffer h = r.read(local, 30);
        if (h.getInt(0) != LOCAL) {
            throw new BadInputException(source, "zip entry " + name + " has a damaged local header");
        }
        long data = local + 30 + (h.getShort(26) & 0xFFFF) + (h.getShort(28) & 0xFFFF);
        if (csize < 0 || data > r.size() - csize) {
            throw new BadInputException(source, "zip entry " + name + " (" + csize + " bytes) runs past the end of the "
                    + "file (" + r.size() + " bytes; truncated?)");
        }
        return data;
    }
}
