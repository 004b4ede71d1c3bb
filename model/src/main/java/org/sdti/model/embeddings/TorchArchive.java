package org.sdti.model.embeddings;

import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.zip.CRC32;
import java.util.zip.ZipEntry;
import java.util.zip.ZipException;
import java.util.zip.ZipFile;

/**
 * A torch zip archive ({@code torch.save} since 1.6) read into memory: {@code <top>/data.pkl}, the storages
 * {@code <top>/data/<key>} and, from torch 2, {@code <top>/byteorder}. The top folder's name varies (the file stem
 * or {@code archive}); entries are found under whichever folder holds the one {@code data.pkl}.
 */
final class TorchArchive implements TorchGlobals.Storages {
    private static final Pattern DATA_PKL = Pattern.compile("([^/]+)/data\\.pkl");

    private final String source;
    private final byte[] pickle;
    private final Map<String, byte[]> storages;
    private final ByteOrder order;

    private TorchArchive(String source, byte[] pickle, Map<String, byte[]> storages, ByteOrder order) {
        this.source = source;
        this.pickle = pickle;
        this.storages = storages;
        this.order = order;
    }

    /** Entries of one archive; torch writes a few per tensor. */
    static final int MAX_ENTRIES = 4096;

    /**
     * Reads the archive; {@code source} names it in errors. The entries read (the pickle, the storages) may inflate
     * to {@code maxBytes} in all: a few MB of zip can otherwise claim gigabytes.
     */
    static TorchArchive read(Path zip, String source, long maxBytes) throws IOException {
        try (ZipFile z = new ZipFile(zip.toFile())) {
            if (z.size() > MAX_ENTRIES) {
                throw new EmbeddingFileException(source, "a zip archive of " + z.size() + " entries, more than the "
                        + MAX_ENTRIES + " an embedding file may hold (the cap on archive entries)");
            }
            List<? extends ZipEntry> entries = Collections.list(z.entries());
            Budget budget = new Budget(maxBytes);
            String top = topFolder(entries, source);
            String dataPrefix = top + "/data/";
            byte[] pickle = null;
            Map<String, byte[]> storages = new HashMap<>();
            ByteOrder order = ByteOrder.LITTLE_ENDIAN;
            for (ZipEntry e : entries) {
                String name = e.getName();
                if (name.equals(top + "/data.pkl")) {
                    pickle = contents(z, e, source, budget);
                } else if (name.startsWith(dataPrefix) && !e.isDirectory()) {
                    storages.put(name.substring(dataPrefix.length()), contents(z, e, source, budget));
                } else if (name.equals(top + "/byteorder")) {
                    order = byteOrder(new String(contents(z, e, source, new Budget(16)), StandardCharsets.US_ASCII),
                            source);
                }
            }
            return new TorchArchive(source, pickle, storages, order);
        } catch (ZipException e) {
            throw new EmbeddingFileException(source, "not a readable zip archive (" + e.getMessage() + ")", e);
        }
    }

    private static String topFolder(List<? extends ZipEntry> entries, String source) throws EmbeddingFileException {
        List<String> tops = new ArrayList<>();
        for (ZipEntry e : entries) {
            Matcher m = DATA_PKL.matcher(e.getName());
            if (m.matches()) tops.add(m.group(1));
        }
        if (tops.size() == 1) return tops.get(0);
        if (tops.isEmpty()) {
            List<String> names = entries.stream().limit(5).map(ZipEntry::getName).toList();
            throw new EmbeddingFileException(source, "a zip archive without <folder>/data.pkl, so not a torch file"
                    + " (entries: " + (names.isEmpty() ? "none" : String.join(", ", names))
                    + (entries.size() > 5 ? ", ..." : "") + ")");
        }
        throw new EmbeddingFileException(source, "a zip archive with " + tops.size() + " data.pkl entries ("
                + String.join(", ", tops) + "); a torch file has one");
    }

    /** What the entries read so far may still inflate to. */
    private static final class Budget {
        final long cap;
        long left;

        Budget(long cap) {
            this.cap = cap;
            this.left = cap;
        }

        EmbeddingFileException exceeded(String source, ZipEntry e) {
            return new EmbeddingFileException(source, "entry " + e.getName() + " takes the archive's entries past "
                    + cap + " bytes inflated (the cap on inflated bytes; an embedding is far smaller)");
        }
    }

    private static byte[] contents(ZipFile z, ZipEntry e, String source, Budget budget) throws IOException {
        long left = budget.left;
        if (e.getSize() > left) {
            throw budget.exceeded(source, e);
        }
        byte[] b;
        try (InputStream in = z.getInputStream(e)) {
            b = in.readNBytes((int) Math.min(left + 1, Integer.MAX_VALUE - 8));
        } catch (EOFException cut) {
            // how ZipFile reports an entry whose local header the central directory places past the end of the file
            throw new EmbeddingFileException(source, "entry " + e.getName() + " lies past the end of the file (cut "
                    + "short or damaged)", cut);
        }
        if (b.length > left) {
            throw budget.exceeded(source, e);
        }
        budget.left -= b.length;
        // ZipFile does not check stored entries against their CRC
        CRC32 crc = new CRC32();
        crc.update(b);
        if (e.getCrc() != -1 && crc.getValue() != e.getCrc()) {
            throw new EmbeddingFileException(source, "entry " + e.getName() + " is damaged (CRC mismatch)");
        }
        return b;
    }

    private static ByteOrder byteOrder(String text, String source) throws EmbeddingFileException {
        return switch (text.strip()) {
            case "little" -> ByteOrder.LITTLE_ENDIAN;
            case "big" -> ByteOrder.BIG_ENDIAN;
            default -> throw new EmbeddingFileException(source, "unknown byteorder '" + text.strip() + "'");
        };
    }

    /** The unpickled {@code data.pkl}: plain values, tensors with their data. */
    Object load() throws EmbeddingFileException {
        if (pickle == null) throw new EmbeddingFileException(source, "data.pkl is missing");
        return new Unpickler(pickle, source, new TorchGlobals(this)).load();
    }

    @Override
    public ByteBuffer entry(String key) {
        byte[] b = storages.get(key);
        return b == null ? null : ByteBuffer.wrap(b).asReadOnlyBuffer();
    }

    @Override
    public ByteOrder order() {
        return order;
    }
}
