package org.sdti.model.text;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * CLIP's byte-level BPE over one pre-token: the token's UTF-8 bytes as {@link ByteLevel} characters, "</w>" on the
 * last one, then repeatedly merge every occurrence of the adjacent pair with the lowest merge rank until no pair has
 * a rank. Results are cached (bounded); immutable apart from the cache, and thread-safe.
 */
final class BytePairEncoder {
    /** openai/CLIP and transformers read exactly this many merges (49152 - 256 - 2). */
    static final int CLIP_MERGES = 48_894;
    static final String END_OF_WORD = "</w>";
    private static final int CACHE_LIMIT = 100_000;

    private final Vocabulary vocab;
    /** "first second" → rank. */
    private final Map<String, Integer> ranks;
    private final Map<String, int[]> cache = new ConcurrentHashMap<>();

    private BytePairEncoder(Vocabulary vocab, Map<String, Integer> ranks) {
        this.vocab = vocab;
        this.ranks = ranks;
    }

    /**
     * Reads merges.txt: a "#version" header line, then one "first second" pair per line in rank order. Every
     * byte symbol and every merge result must be in the vocabulary, so that encoding can never meet an unknown
     * symbol.
     */
    static BytePairEncoder parse(Vocabulary vocab, String mergesTxt, String mergesSource, String vocabSource)
            throws TokenizerFileException {
        for (int i = 0; i < 256; i++) {
            String symbol = String.valueOf(ByteLevel.vocabChar(i));
            if (!vocab.contains(symbol) || !vocab.contains(symbol + END_OF_WORD)) {
                throw new TokenizerFileException(vocabSource, "byte symbol '" + symbol + "' (or with " + END_OF_WORD
                        + ") is missing: not a byte-level BPE vocabulary");
            }
        }
        String[] lines = mergesTxt.split("\n", -1);
        if (!lines[0].startsWith("#version")) {
            throw new TokenizerFileException(mergesSource, "line 1 must be the '#version: ...' header, found '"
                    + abbreviate(lines[0]) + "'");
        }
        int last = lines.length - 1;
        while (last > 0 && lines[last].isBlank()) {
            last--; // trailing blank lines are fine
        }
        Map<String, Integer> ranks = new HashMap<>(1 << 17);
        int rank = 0;
        for (int n = 1; n <= last && rank < CLIP_MERGES; n++) {
            String line = lines[n].strip();
            String[] pair = line.split("\\s+");
            if (pair.length != 2 || pair[0].isEmpty()) {
                throw new TokenizerFileException(mergesSource, "line " + (n + 1) + " must be two symbols separated by"
                        + " a space, found '" + abbreviate(line) + "'");
            }
            if (!vocab.contains(pair[0] + pair[1])) {
                throw new TokenizerFileException(mergesSource, "line " + (n + 1) + ": merged symbol '" + pair[0]
                        + pair[1] + "' is not in the vocabulary (" + vocabSource + ")");
            }
            ranks.put(pair[0] + " " + pair[1], rank++); // a repeated pair keeps its last rank, as in Python
        }
        return new BytePairEncoder(vocab, ranks);
    }

    /** The vocabulary ids of one pre-token (a piece of cleaned, lowercased text). */
    int[] encode(String piece) {
        int[] cached = cache.get(piece);
        if (cached != null) {
            return cached;
        }
        List<String> symbols = merge(ByteLevel.encode(piece));
        int[] ids = new int[symbols.size()];
        for (int i = 0; i < ids.length; i++) {
            ids[i] = vocab.id(symbols.get(i)); // present: checked when the merges were read
        }
        if (cache.size() < CACHE_LIMIT) {
            cache.put(piece, ids);
        }
        return ids;
    }

    private List<String> merge(String word) {
        List<String> symbols = new ArrayList<>(word.length());
        for (int i = 0; i < word.length() - 1; i++) {
            symbols.add(String.valueOf(word.charAt(i)));
        }
        symbols.add(word.charAt(word.length() - 1) + END_OF_WORD);
        while (symbols.size() > 1) {
            int best = Integer.MAX_VALUE;
            String first = null;
            String second = null;
            for (int i = 0; i + 1 < symbols.size(); i++) {
                Integer r = ranks.get(symbols.get(i) + " " + symbols.get(i + 1));
                if (r != null && r < best) {
                    best = r;
                    first = symbols.get(i);
                    second = symbols.get(i + 1);
                }
            }
            if (first == null) {
                break;
            }
            List<String> merged = new ArrayList<>(symbols.size());
            for (int i = 0; i < symbols.size(); i++) {
                if (i + 1 < symbols.size() && symbols.get(i).equals(first) && symbols.get(i + 1).equals(second)) {
                    merged.add(first + second);
                    i++;
                } else {
                    merged.add(symbols.get(i));
                }
            }
            symbols = merged;
        }
        return symbols;
    }

    private static String abbreviate(String s) {
        return s.length() <= 60 ? s : s.substring(0, 60) + "...";
    }
}
