package org.sdti.model.io;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/**
 * Serializes a safetensors header as the reference writer does (serde_json, compact): {@code __metadata__} first
 * when there is any, then the tensors in the order given with fields dtype, shape, data_offsets; padded with
 * spaces to a multiple of 8 bytes so every tensor stays aligned to its element size.
 */
final class HeaderJson {
    private HeaderJson() {}

    static byte[] encode(Map<String, String> metadata, List<TensorInfo> tensors) {
        StringBuilder sb = new StringBuilder(64 + 96 * tensors.size()).append('{');
        if (!metadata.isEmpty()) {
            string(sb, HeaderParser.METADATA_KEY).append(":{");
            String sep = "";
            for (Map.Entry<String, String> e : metadata.entrySet()) {
                string(sb.append(sep), e.getKey()).append(':');
                string(sb, e.getValue());
                sep = ",";
            }
            sb.append('}');
            if (!tensors.isEmpty()) {
                sb.append(',');
            }
        }
        String sep = "";
        for (TensorInfo t : tensors) {
            string(sb.append(sep), t.name()).append(":{\"dtype\":\"").append(t.dtype().name()).append("\",\"shape\":[");
            long[] shape = t.shape();
            for (int i = 0; i < shape.length; i++) {
                sb.append(i == 0 ? "" : ",").append(shape[i]);
            }
            sb.append("],\"data_offsets\":[").append(t.begin()).append(',').append(t.end()).append("]}");
            sep = ",";
        }
        byte[] json = sb.append('}').toString().getBytes(StandardCharsets.UTF_8);
        int padded = (json.length + 7) & ~7;
        byte[] out = Arrays.copyOf(json, padded);
        Arrays.fill(out, json.length, padded, (byte) ' ');
        return out;
    }

    /** Throws when {@code s} holds an unpaired surrogate, which UTF-8 cannot encode (Java would write '?'). */
    static void requireUnicode(String what, String s) {
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (Character.isHighSurrogate(c) && i + 1 < s.length() && Character.isLowSurrogate(s.charAt(i + 1))) {
                i++;
            } else if (Character.isSurrogate(c)) {
                throw new IllegalArgumentException(what + " '" + s + "' has an unpaired surrogate at index " + i);
            }
        }
    }

    /** A JSON string escaped as serde_json does: short escapes, other control characters as lower-case \\u00xx. */
    private static StringBuilder string(StringBuilder sb, String s) {
        sb.append('"');
        int run = 0; // start of the pending run of characters that need no escape
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c >= 0x20 && c != '"' && c != '\\') {
                continue;
            }
            sb.append(s, run, i);
            run = i + 1;
            switch (c) {
                case '"' -> sb.append("\\\"");
                case '\\' -> sb.append("\\\\");
                case '\b' -> sb.append("\\b");
                case '\f' -> sb.append("\\f");
                case '\n' -> sb.append("\\n");
                case '\r' -> sb.append("\\r");
                case '\t' -> sb.append("\\t");
                default -> sb.append("\\u00").append(Character.forDigit(c >> 4, 16)).append(Character.forDigit(c & 15, 16));
            }
        }
        return sb.append(s, run, s.length()).append('"');
    }
}
