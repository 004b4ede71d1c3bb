package org.sdti.model.io;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.Comparator;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Parses and validates a safetensors JSON header against the size of the data section that follows it. */
final class HeaderParser {
    static final String METADATA_KEY = "__metadata__";

    /** The parsed header: tensors and metadata, both in header order. */
    record Header(Map<String, TensorInfo> tensors, Map<String, String> metadata) {}

    private static final ObjectMapper JSON = new ObjectMapper(JsonFactory.builder()
            // a repeated name would silently shadow a tensor; the Rust reader's serde map rejects it too
            .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
            // Jackson's defaults (20 M chars per string, 50 k per name) are below what a legal 100 MB header may hold
            .streamReadConstraints(StreamReadConstraints.builder()
                    .maxStringLength((int) SafeTensorsFile.MAX_HEADER_BYTES)
                    .maxNameLength((int) SafeTensorsFile.MAX_HEADER_BYTES)
                    .build())
            .build())
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);

    private final String source;

    HeaderParser(String source) {
        this.source = source;
    }

    Header parse(ByteBuffer headerBytes, long dataSize) throws SafeTensorsException {
        JsonNode root = readJson(decodeUtf8(headerBytes));
        if (root == null || !root.isObject()) {
            throw new SafeTensorsException(source, "header is not a JSON object");
        }
        Map<String, TensorInfo> tensors = new LinkedHashMap<>();
        Map<String, String> metadata = new LinkedHashMap<>();
        for (Iterator<Map.Entry<String, JsonNode>> it = root.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            if (e.getKey().equals(METADATA_KEY)) {
                parseMetadata(e.getValue(), metadata);
            } else {
                tensors.put(e.getKey(), parseEntry(e.getKey(), e.getValue(), dataSize));
            }
        }
        checkCoverage(tensors.values(), dataSize);
        return new Header(Collections.unmodifiableMap(tensors), Collections.unmodifiableMap(metadata));
    }

    private String decodeUtf8(ByteBuffer bytes) throws SafeTensorsException {
        try {
            // strict: the default String constructor would turn bad bytes into U+FFFD and hide a damaged header
            return StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(bytes.duplicate())
                    .toString();
        } catch (CharacterCodingException e) {
            throw new SafeTensorsException(source, "header is not valid UTF-8");
        }
    }

    private JsonNode readJson(String text) throws SafeTensorsException {
        try {
            return JSON.readTree(text);
        } catch (JsonProcessingException e) {
            String msg = e.getOriginalMessage();
            JsonLocation at = e.getLocation();
            String where = at == null || at.getCharOffset() < 0 ? "" : " at character " + at.getCharOffset();
            if (msg != null && msg.startsWith("Duplicate")) {
                throw new SafeTensorsException(source, "header has a duplicate key" + where + ": " + msg);
            }
            throw new SafeTensorsException(source, "header is not valid JSON" + where + ": " + msg);
        }
    }

    private void parseMetadata(JsonNode node, Map<String, String> out) throws SafeTensorsException {
        if (node.isNull()) {
            return;
        }
        if (!node.isObject()) {
            throw new SafeTensorsException(source, METADATA_KEY + " is not a JSON object of strings");
        }
        for (Iterator<Map.Entry<String, JsonNode>> it = node.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            if (!e.getValue().isTextual()) {
                throw new SafeTensorsException(source, METADATA_KEY + " value of '" + e.getKey() + "' is not a string");
            }
            out.put(e.getKey(), e.getValue().asText());
        }
    }

    private TensorInfo parseEntry(String name, JsonNode node, long dataSize) throws SafeTensorsException {
        String where = "tensor '" + name + "'";
        if (!node.isObject()) {
            throw new SafeTensorsException(source, where + ": header entry is not a JSON object");
        }
        JsonNode dt = node.get("dtype");
        DType dtype = dt == null || !dt.isTextual() ? null : DType.parse(dt.asText());
        if (dtype == null) {
            throw new SafeTensorsException(source, where + ": "
                    + (dt == null ? "missing dtype" : "unknown dtype " + dt));
        }
        JsonNode sh = node.get("shape");
        if (sh == null || !sh.isArray()) {
            throw new SafeTensorsException(source, where + ": missing shape");
        }
        long[] shape = new long[sh.size()];
        for (int i = 0; i < shape.length; i++) {
            shape[i] = nonNegativeLong(sh.get(i));
            if (shape[i] < 0) {
                throw new SafeTensorsException(source, where + ": shape " + sh
                        + " is not a list of non-negative integers");
            }
        }
        JsonNode off = node.get("data_offsets");
        if (off == null || !off.isArray() || off.size() != 2) {
            throw new SafeTensorsException(source, where + ": data_offsets must be [begin, end]");
        }
        long begin = nonNegativeLong(off.get(0));
        long end = nonNegativeLong(off.get(1));
        if (begin < 0 || end < 0) {
            throw new SafeTensorsException(source, where + ": data_offsets " + off
                    + " must be two non-negative integers");
        }
        if (end < begin) {
            throw new SafeTensorsException(source, where + ": data_offsets " + off + " are not an ascending range");
        }
        if (end > dataSize) {
            throw new SafeTensorsException(source, where + ": data_offsets " + off
                    + " run past the end of the data (" + dataSize
                    + " bytes; the file is truncated or the offsets are wrong)");
        }
        long expected;
        try {
            long numel = 1;
            for (long d : shape) {
                numel = Math.multiplyExact(numel, d);
            }
            expected = Math.multiplyExact(numel, dtype.size());
        } catch (ArithmeticException e) {
            throw new SafeTensorsException(source, where + ": shape " + sh + " overflows a 64-bit byte count");
        }
        if (end - begin != expected) {
            throw new SafeTensorsException(source, where + ": " + dtype + " " + Arrays.toString(shape)
                    + " needs " + expected + " bytes but data_offsets " + off + " hold " + (end - begin));
        }
        return new TensorInfo(name, dtype, shape, begin, end);
    }

    /** The node's value when it is a non-negative integer that fits a long, else -1. */
    private static long nonNegativeLong(JsonNode n) {
        if (n == null || !n.isIntegralNumber() || !n.canConvertToLong()) {
            return -1;
        }
        return Math.max(-1, n.asLong());
    }

    /**
     * The tensors must tile the data section exactly: no overlaps, no holes, nothing after the last tensor.
     * Holes are rejected on purpose: the reference implementation (huggingface/safetensors, behind every Python
     * loader) refuses them (InvalidOffset / MetadataIncompleteBuffer), so no file that loads in diffusers, A1111
     * or kohya has one, and every writer we know of lays tensors out back to back. A hole therefore means a
     * damaged or hand-made file, and an error says so earlier than a wrong tensor would.
     */
    private void checkCoverage(java.util.Collection<TensorInfo> infos, long dataSize) throws SafeTensorsException {
        List<TensorInfo> sorted = new ArrayList<>(infos);
        sorted.sort(Comparator.comparingLong(TensorInfo::begin).thenComparingLong(TensorInfo::end));
        long covered = 0;
        TensorInfo previous = null;
        for (TensorInfo t : sorted) {
            if (t.begin() < covered) {
                throw new SafeTensorsException(source, "tensors '" + previous.name() + "' " + range(previous)
                        + " and '" + t.name() + "' " + range(t) + " overlap");
            }
            if (t.begin() > covered) {
                throw new SafeTensorsException(source, "data bytes [" + covered + ", " + t.begin()
                        + ") belong to no tensor (a hole before '" + t.name() + "')");
            }
            covered = t.end();
            previous = t;
        }
        if (covered != dataSize) {
            throw new SafeTensorsException(source, "data section has " + (dataSize - covered)
                    + " bytes after the last tensor (" + dataSize + " bytes, tensors cover " + covered + ")");
        }
    }

    private static String range(TensorInfo t) {
        return "[" + t.begin() + ", " + t.end() + ")";
    }
}
