package org.sdti.jobs.testing;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.stream.Stream;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;

/**
 * Two pipeline output folders of the same job, written by runs into different folders, compared byte for byte
 * except for what legitimately differs. Found by diffing a local-mode run with a cluster run, the differences are
 * exactly these:
 * <ul>
 * <li>the output folder's own URI ({@code file:/...}), which the PNGs' {@code sdti} text chunk and the generate
 * manifest name (each embedding's file) and the reports name (output, embeddings, image folders): replaced by
 * {@code OUTPUT} before comparing. In a PNG only that chunk may differ (its CRC with it); its other chunks (the
 * pixels, the A1111 {@code parameters} text) must be equal bytes;</li>
 * <li>when a run happened and how long it took: {@code started}, {@code finished}, {@code seconds} and the train
 * report's round times (counters ending in {@code _ms}) of the reports and {@code committed_at} of the commit
 * markers: left out of those JSON files, everything else in them compared;</li>
 * <li>Parquet part files are named with a random id per write ({@code part-00000-UUID.c000.snappy.parquet}, and
 * their {@code .crc}): compared under the name without the id. Between runs of different parallelism (local mode's
 * 2 task slots, the cluster's 4) the split of a dataset into parts differs too (latents writes
 * min(examples, default parallelism) parts), and between two cluster runs of the same job a part's bytes differ
 * (which rows land in which part follows the order tasks finish), so {@link #acrossParallelism} compares each
 * Parquet folder's rows (every column's value, binary ones byte for byte) instead of its files. These folders are
 * sdti's intermediate data; what users take away (embeddings, loss files, pictures, reports) is compared as
 * files.</li>
 * </ul>
 */
public final class OutputComparison {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Set<String> TIME_FIELDS = Set.of("started", "finished", "seconds", "committed_at");
    private static final String WRITE_ID = "(part-\\d+)-[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}";
    private static final byte[] PNG_SIGNATURE = {(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'};

    private OutputComparison() {}

    /**
     * The files that differ between {@code a} and {@code b} (outside {@code skip} folders), each with what differs;
     * empty when the outputs are equal.
     */
    public static List<String> differences(Path a, Path b, String... skip) throws IOException {
        return differences(files(a, skip), a, files(b, skip), b);
    }

    /**
     * As {@link #differences}, for runs on Spark: Parquet folders are compared by their rows (read with
     * {@code spark}), every other file as there.
     */
    public static List<String> acrossParallelism(SparkSession spark, Path a, Path b, String... skip)
            throws IOException {
        Map<String, Path> left = files(a, skip);
        Map<String, Path> right = files(b, skip);
        List<String> out = new ArrayList<>();
        Set<String> folders = new TreeSet<>(parquetFolders(left));
        folders.addAll(parquetFolders(right));
        for (String folder : folders) {
            List<String> x = rows(spark, a.resolve(folder));
            List<String> y = rows(spark, b.resolve(folder));
            if (x.isEmpty() || !x.equals(y)) {
                out.add(folder + ": Parquet rows differ (" + x.size() + " vs " + y.size() + " rows)");
            }
        }
        left.keySet().removeIf(OutputComparison::isParquet);
        right.keySet().removeIf(OutputComparison::isParquet);
        out.addAll(differences(left, a, right, b));
        return out;
    }

    private static boolean isParquet(String name) {
        return name.endsWith(".parquet") || name.endsWith(".parquet.crc");
    }

    private static Set<String> parquetFolders(Map<String, Path> files) {
        Set<String> out = new TreeSet<>();
        files.keySet().stream().filter(n -> n.endsWith(".parquet"))
                .forEach(n -> out.add(n.substring(0, n.lastIndexOf('/'))));
        return out;
    }

    /** Each row of the folder's Parquet files as text (binary columns as hex), sorted. */
    private static List<String> rows(SparkSession spark, Path folder) {
        if (!Files.isDirectory(folder)) {
            return List.of();
        }
        List<String> out = new ArrayList<>();
        for (Row r : spark.read().parquet(folder.toString()).collectAsList()) {
            StringBuilder sb = new StringBuilder();
            for (int i = 0; i < r.length(); i++) {
                Object v = r.get(i);
                sb.append(v instanceof byte[] bytes ? java.util.HexFormat.of().formatHex(bytes) : String.valueOf(v))
                        .append('|');
            }
            out.add(sb.toString());
        }
        out.sort(null);
        return out;
    }

    private static List<String> differences(Map<String, Path> left, Path a, Map<String, Path> right, Path b)
            throws IOException {
        List<String> out = new ArrayList<>();
        for (String name : left.keySet()) {
            if (!right.containsKey(name)) {
                out.add(name + ": only in " + a);
            }
        }
        for (String name : right.keySet()) {
            if (!left.containsKey(name)) {
                out.add(name + ": only in " + b);
            } else {
                String why = compare(name, left.get(name), a, right.get(name), b);
                if (why != null) {
                    out.add(name + ": " + why);
                }
            }
        }
        return out;
    }

    /** Relative name (Parquet's write id dropped) → file, for every file outside the skipped folders. */
    static Map<String, Path> files(Path root, String... skip) throws IOException {
        Map<String, Path> out = new TreeMap<>();
        List<Path> skipped = Arrays.stream(skip).map(root::resolve).toList();
        try (Stream<Path> s = Files.walk(root)) {
            for (Path p : (Iterable<Path>) s::iterator) {
                if (Files.isRegularFile(p) && skipped.stream().noneMatch(p::startsWith)) {
                    String name = root.relativize(p).toString().replaceAll(WRITE_ID, "$1");
                    if (out.put(name, p) != null) {
                        throw new IllegalStateException("two files named " + name + " under " + root);
                    }
                }
            }
        }
        return out;
    }

    private static String compare(String name, Path x, Path xRoot, Path y, Path yRoot) throws IOException {
        byte[] bx = Files.readAllBytes(x);
        byte[] by = Files.readAllBytes(y);
        if (Arrays.equals(bx, by)) {
            return null;
        }
        if (name.endsWith(".png") && startsWithSignature(bx) && startsWithSignature(by)) {
            return comparePng(chunks(bx), uri(xRoot), chunks(by), uri(yRoot));
        }
        if (!(name.endsWith(".json") || name.endsWith(".jsonl"))) {
            return "bytes differ";
        }
        String tx = new String(bx, StandardCharsets.UTF_8).replace(uri(xRoot), "OUTPUT");
        String ty = new String(by, StandardCharsets.UTF_8).replace(uri(yRoot), "OUTPUT");
        if (name.startsWith("_reports/") || name.startsWith("_data/_commits/")) {
            tx = withoutTimes(tx);
            ty = withoutTimes(ty);
        }
        return tx.equals(ty) ? null
                : "differs beyond the output path" + (tx.length() < 6000 ? ":\n" + tx + "\n" + ty : "");
    }

    private static String comparePng(List<byte[]> x, String xUri, List<byte[]> y, String yUri) {
        if (x.size() != y.size()) {
            return x.size() + " vs " + y.size() + " PNG chunks";
        }
        for (int i = 0; i < x.size(); i++) {
            if (Arrays.equals(x.get(i), y.get(i))) {
                continue;
            }
            String tx = text(x.get(i));
            String ty = text(y.get(i));
            if (tx == null || ty == null || !tx.startsWith("sdti\0")
                    || !tx.replace(xUri, "OUTPUT").equals(ty.replace(yUri, "OUTPUT"))) {
                return "PNG chunk " + i + " (" + type(x.get(i)) + ") differs";
            }
        }
        return null;
    }

    /** A tEXt chunk's keyword, NUL and text; null for other chunks. */
    private static String text(byte[] chunk) {
        return type(chunk).equals("tEXt")
                ? new String(chunk, 8, chunk.length - 12, StandardCharsets.ISO_8859_1) : null;
    }

    private static String type(byte[] chunk) {
        return new String(chunk, 4, 4, StandardCharsets.ISO_8859_1);
    }

    /** Each chunk whole: length, type, data, CRC. */
    private static List<byte[]> chunks(byte[] png) {
        List<byte[]> out = new ArrayList<>();
        ByteBuffer b = ByteBuffer.wrap(png, PNG_SIGNATURE.length, png.length - PNG_SIGNATURE.length);
        while (b.remaining() >= 12) {
            int length = b.getInt(b.position());
            byte[] chunk = new byte[length + 12];
            b.get(chunk);
            out.add(chunk);
        }
        return out;
    }

    private static boolean startsWithSignature(byte[] bytes) {
        return bytes.length > PNG_SIGNATURE.length
                && Arrays.equals(Arrays.copyOf(bytes, PNG_SIGNATURE.length), PNG_SIGNATURE);
    }

    private static String withoutTimes(String json) throws IOException {
        JsonNode tree = JSON.readTree(json);
        strip(tree);
        return JSON.writerWithDefaultPrettyPrinter().writeValueAsString(tree);
    }

    private static void strip(JsonNode node) {
        if (node instanceof ObjectNode o) {
            o.remove(TIME_FIELDS);
            List<String> durations = new ArrayList<>();
            o.fieldNames().forEachRemaining(f -> {
                if (f.endsWith("_ms")) {
                    durations.add(f);
                }
            });
            o.remove(durations);
        }
        node.forEach(OutputComparison::strip);
    }

    /** How sdti names a local output folder: {@code file:} and the absolute path. */
    static String uri(Path root) {
        return "file:" + root.toAbsolutePath();
    }
}
