package org.sdti.model.text;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeMap;
import java.util.zip.GZIPInputStream;

/**
 * Builds the Hugging Face tokenizer files ({@code vocab.json}, {@code merges.txt}) from OpenAI's original
 * {@code bpe_simple_vocab_16e6.txt.gz}, byte for byte as transformers writes them for SD 2 model folders. sdti ships
 * the .gz (MIT, OpenAI) so that it can write complete model folders without a download.
 */
public final class BpeVocabFiles {
    /** Merges used by CLIP: 49152 tokens − 256 bytes − 2 specials. */
    private static final int MERGES = 49152 - 256 - 2;

    private final String vocabJson;
    private final String mergesTxt;

    private BpeVocabFiles(String vocabJson, String mergesTxt) {
        this.vocabJson = vocabJson;
        this.mergesTxt = mergesTxt;
    }

    /** The files built from the bundled OpenAI .gz. */
    public static BpeVocabFiles bundled() throws IOException {
        try (InputStream in = BpeVocabFiles.class.getResourceAsStream(
                "/org/sdti/model/presets/tokenizer-sd2/bpe_simple_vocab_16e6.txt.gz")) {
            if (in == null) {
                throw new IOException("bundled bpe_simple_vocab_16e6.txt.gz is missing from the class path");
            }
            return fromGzip(in);
        }
    }

    public static BpeVocabFiles fromGzip(InputStream gz) throws IOException {
        List<String[]> merges = new ArrayList<>(MERGES);
        try (BufferedReader r = new BufferedReader(
                new InputStreamReader(new GZIPInputStream(gz), StandardCharsets.UTF_8))) {
            r.readLine(); // header line "bpe_simple_vocab_16e6.txt#version: 0.2"
            for (int i = 0; i < MERGES; i++) {
                String line = r.readLine();
                if (line == null) {
                    throw new IOException("BPE merges file ends after " + i + " merges; expected " + MERGES);
                }
                String[] pair = line.split(" ");
                if (pair.length != 2) {
                    throw new IOException("BPE merges file line " + (i + 2) + " is not a pair: '" + line + "'");
                }
                merges.add(pair);
            }
        }
        List<String> vocab = new ArrayList<>();
        List<Integer> byteChars = byteUnicodeOrder();
        for (int c : byteChars) {
            vocab.add(new String(Character.toChars(c)));
        }
        for (int c : byteChars) {
            vocab.add(new String(Character.toChars(c)) + "</w>");
        }
        for (String[] m : merges) {
            vocab.add(m[0] + m[1]);
        }
        vocab.add("<|startoftext|>");
        vocab.add("<|endoftext|>");

        // json.dumps(encoder, indent=2, sort_keys=True, ensure_ascii=False) + "\n"; all keys are in the BMP, so
        // UTF-16 order equals Python's code-point order
        TreeMap<String, Integer> sorted = new TreeMap<>();
        for (int i = 0; i < vocab.size(); i++) {
            sorted.put(vocab.get(i), i);
        }
        StringBuilder json = new StringBuilder(1 << 20).append("{\n");
        boolean first = true;
        for (var e : sorted.entrySet()) {
            if (!first) {
                json.append(",\n");
            }
            first = false;
            json.append("  ").append(jsonString(e.getKey())).append(": ").append(e.getValue());
        }
        json.append("\n}\n");
        StringBuilder mergesTxt = new StringBuilder(1 << 19).append("#version: 0.2\n");
        for (String[] m : merges) {
            mergesTxt.append(m[0]).append(' ').append(m[1]).append('\n');
        }
        return new BpeVocabFiles(json.toString(), mergesTxt.toString());
    }

    /** CLIP's bytes_to_unicode: printable bytes map to themselves, the rest to U+0100 onwards, in this order. */
    static List<Integer> byteUnicodeOrder() {
        List<Integer> bs = new ArrayList<>();
        for (int b = '!'; b <= '~'; b++) bs.add(b);
        for (int b = 0xA1; b <= 0xAC; b++) bs.add(b);
        for (int b = 0xAE; b <= 0xFF; b++) bs.add(b);
        List<Integer> cs = new ArrayList<>(bs);
        int n = 0;
        for (int b = 0; b < 256; b++) {
            if (!bs.contains(b)) {
                cs.add(256 + n++);
            }
        }
        return cs;
    }

    private static String jsonString(String s) {
        StringBuilder b = new StringBuilder(s.length() + 2).append('"');
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '"' -> b.append("\\\"");
                case '\\' -> b.append("\\\\");
                case '\n' -> b.append("\\n");
                case '\r' -> b.append("\\r");
                case '\t' -> b.append("\\t");
                case '\b' -> b.append("\\b");
                case '\f' -> b.append("\\f");
                default -> {
                    if (c < 0x20) {
                        b.append(String.format("\\u%04x", (int) c));
                    } else {
                        b.append(c);
                    }
                }
            }
        }
        return b.append('"').toString();
    }

    public String vocabJson() {
        return vocabJson;
    }

    public String mergesTxt() {
        return mergesTxt;
    }
}
