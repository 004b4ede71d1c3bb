package org.sdti.model.text;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.sdti.model.BadInputException;

/**
 * The CLIP BPE tokenizer Stable Diffusion 2 was trained with (openai/CLIP {@code simple_tokenizer}, as used by
 * open_clip): ftfy + HTML cleaning, lowercasing, regex pre-tokenization and byte-level BPE; then
 * {@code [start] + ids + [end]} cut to {@link #maxLength()} (keeping the end id last) and padded with
 * {@link #padId()}. Added (textual-inversion) tokens are matched verbatim in the raw prompt first, as transformers
 * does. See the package documentation for where this deliberately differs from transformers.
 *
 * <p>Immutable and thread-safe: {@link #withAddedToken} returns a new tokenizer sharing the vocabulary, merges and
 * BPE cache, so one instance can serve every thread of a training job.
 */
public final class ClipTokenizer {
    /** {@code name_<n>}: a name that could be vector n of the added token {@code name}. */
    /** Characters of one text to tokenize; a prompt keeps 75 tokens, real ones are a few hundred characters. */
    public static final int MAX_TEXT_CHARS = 10_000;
    private static final Pattern NUMBERED = Pattern.compile("(.+)_([1-9][0-9]{0,4})");

    private final Vocabulary vocab;
    private final BytePairEncoder bpe;
    private final AddedTokens added;
    private final String startToken;
    private final String endToken;
    private final int startId;
    private final int endId;
    private final int padId;
    private final int maxLength;
    /**
     * openai/CLIP's pre-tokenizer: specials, contractions, letter runs, single digits, other symbol runs. Under
     * IGNORECASE the Python {@code regex} module also keeps U+0345 (which case-folds to a letter, iota) out of the
     * symbol class, so that character matches nothing and is dropped; the explicit exclusion reproduces that.
     */
    private final Pattern preTokenizer;

    private ClipTokenizer(Vocabulary vocab, BytePairEncoder bpe, AddedTokens added, String startToken,
                          String endToken, int padId, int maxLength) {
        this.vocab = vocab;
        this.bpe = bpe;
        this.added = added;
        this.startToken = startToken;
        this.endToken = endToken;
        this.startId = vocab.id(startToken);
        this.endId = vocab.id(endToken);
        this.padId = padId;
        this.maxLength = maxLength;
        this.preTokenizer = Pattern.compile(Pattern.quote(startToken) + "|" + Pattern.quote(endToken)
                + "|'s|'t|'re|'ve|'m|'ll|'d|\\p{L}+|\\p{N}|[^" + PythonText.REGEX_WHITE_SPACE + "\\p{L}\\p{N}\\u0345]+",
                Pattern.CASE_INSENSITIVE | Pattern.UNICODE_CASE);
    }

    /** Loads a tokenizer folder (see {@link TokenizerFiles#read}). */
    public static ClipTokenizer load(Path folder) throws IOException {
        return load(TokenizerFiles.read(folder));
    }

    /** Builds a tokenizer from the contents of its files; every problem is reported with the file it is in. */
    public static ClipTokenizer load(TokenizerFiles files) throws TokenizerFileException {
        String vocabSource = files.source(TokenizerFiles.VOCAB);
        String mergesSource = files.source(TokenizerFiles.MERGES);
        if (files.vocabJson() == null) {
            throw new TokenizerFileException(vocabSource, "missing");
        }
        if (files.mergesTxt() == null) {
            throw new TokenizerFileException(mergesSource, "missing");
        }
        Vocabulary vocab = Vocabulary.parse(files.vocabJson(), vocabSource);
        BytePairEncoder bpe = BytePairEncoder.parse(vocab, files.mergesTxt(), mergesSource, vocabSource);
        TokenizerConfig config = TokenizerConfig.resolve(files);
        AddedTokens added = savedAddedTokens(vocab, config, vocabSource);
        String start = requireKnown(config.bos, "bos_token", vocab, added, vocabSource);
        String end = requireKnown(config.eos, "eos_token", vocab, added, vocabSource);
        String pad = requireKnown(config.pad, "pad_token", vocab, added, vocabSource);
        if (!vocab.contains(start) || !vocab.contains(end)) {
            throw new TokenizerFileException(vocabSource, "the start and end tokens must be vocabulary tokens");
        }
        int padId = vocab.contains(pad) ? vocab.id(pad) : added.id(pad);
        return new ClipTokenizer(vocab, bpe, added, start, end, padId, config.maxLength);
    }

    /**
     * A tokenizer that also knows {@code token} (a placeholder such as {@code <cat-toy>}) with {@code vectors}
     * embedding vectors: ids {@link #vocabSize()} onwards go to {@code token}, {@code token_1} ...
     * {@code token_<vectors-1>} (diffusers' names), and {@code token} in a prompt stands for all of them in order.
     *
     * @throws IllegalArgumentException if the token is empty, {@code vectors < 1} or more than a prompt holds
     *     ({@code maxLength() - 2}), or any of those names is already a vocabulary or added token
     */
    public ClipTokenizer withAddedToken(String token, int vectors) {
        if (token == null || token.isBlank()) {
            throw new IllegalArgumentException("an added token must not be empty or blank: '" + token + "'");
        }
        if (vectors < 1) {
            throw new IllegalArgumentException("token '" + token + "' needs at least one vector, not " + vectors);
        }
        if (vectors > maxLength - 2) {
            throw new IllegalArgumentException("token '" + token + "' has " + vectors + " vectors, more than the "
                    + (maxLength - 2) + " a prompt holds (the cap on vectors)");
        }
        List<String> names = new ArrayList<>();
        for (int i = 0; i < vectors; i++) {
            String name = i == 0 ? token : token + "_" + i;
            if (vocab.contains(name)) {
                throw new IllegalArgumentException("token '" + name + "' is already in the vocabulary (id "
                        + vocab.id(name) + ")");
            }
            if (added.contains(name)) {
                throw new IllegalArgumentException("token '" + name + "' was already added (id " + added.id(name)
                        + ")");
            }
            names.add(name);
        }
        // diffusers' rule: a token stands for itself and token_1, token_2, ... while they exist, so two groups must
        // not run into each other
        if (added.contains(token + "_" + vectors)) {
            throw new IllegalArgumentException("token '" + token + "' would take in the already added '" + token
                    + "_" + vectors + "' as a vector of its own");
        }
        Matcher numbered = NUMBERED.matcher(token);
        if (numbered.matches() && added.contains(numbered.group(1)) && added.contains(
                numbered.group(2).equals("1") ? numbered.group(1)
                        : numbered.group(1) + "_" + (Integer.parseInt(numbered.group(2)) - 1))) {
            throw new IllegalArgumentException("token '" + token + "' would become a vector of the already added '"
                    + numbered.group(1) + "'");
        }
        AddedTokens more = added.with(names, vocab.size() + added.size());
        return new ClipTokenizer(vocab, bpe, more, startToken, endToken, padId, maxLength);
    }

    /** {@link #withAddedToken(String, int)} with one vector. */
    public ClipTokenizer withAddedToken(String token) {
        return withAddedToken(token, 1);
    }

    /** Exactly {@link #maxLength()} ids: start, content (cut so that the end id stays), end, padding. */
    public int[] encode(String text) {
        int[] content = encodeContent(text);
        int[] row = new int[maxLength];
        Arrays.fill(row, padId);
        row[0] = startId;
        int kept = Math.min(content.length, maxLength - 2);
        System.arraycopy(content, 0, row, 1, kept);
        row[kept + 1] = endId;
        return row;
    }

    /**
     * The content ids of a text: no start or end id, no truncation, no padding. Texts longer than
     * {@link #MAX_TEXT_CHARS} are refused: a prompt keeps 75 tokens, and the clean-up and BPE of megabytes of text
     * would take minutes.
     */
    public int[] encodeContent(String text) {
        if (text.length() > MAX_TEXT_CHARS) {
            throw new BadInputException("a text of " + text.length() + " characters (\""
                    + text.substring(0, 30).replaceAll("\\p{Cntrl}", "?") + "...\"): more than " + MAX_TEXT_CHARS
                    + " (the cap on text length)");
        }
        IntBuffer out = new IntBuffer();
        added.split(text, chunk -> encodeChunk(chunk, out), name -> out.addAll(added.expand(name)));
        return out.toArray();
    }

    /** The ids of a single word or placeholder, e.g. {@code idsOf("bear")} is {@code [4298]}: one id means one token. */
    public int[] idsOf(String word) {
        return encodeContent(word);
    }

    /** The id of a vocabulary or added token given exactly (e.g. {@code "cat</w>"}), if there is one. */
    public OptionalInt tokenId(String token) {
        int id = vocab.contains(token) ? vocab.id(token) : added.id(token);
        return id < 0 ? OptionalInt.empty() : OptionalInt.of(id);
    }

    /**
     * Text for ids, as openai/CLIP decodes (words separated by single spaces, added tokens by name). A leading start
     * id is skipped and decoding stops at the first end id, so a whole {@link #encode} row decodes to its content.
     *
     * @throws IllegalArgumentException for an id outside {@code [0, vocabSize())}
     */
    public String decode(int... ids) {
        StringBuilder out = new StringBuilder();
        ByteArrayOutputStream pending = new ByteArrayOutputStream();
        for (int i = 0; i < ids.length; i++) {
            int id = ids[i];
            if (id == endId) {
                break;
            }
            if (id == startId && i == 0) {
                continue;
            }
            if (id < 0 || id >= vocabSize()) {
                throw new IllegalArgumentException("id " + id + " is outside the vocabulary [0, " + vocabSize() + ")");
            }
            if (id < vocab.size()) {
                for (char c : vocab.token(id).toCharArray()) {
                    int b = ByteLevel.byteOf(c);
                    pending.write(b < 0 ? '?' : b);
                }
            } else {
                flush(pending, out);
                out.append(addedName(id)).append(' ');
            }
        }
        flush(pending, out);
        return PythonText.strip(out.toString());
    }

    public int startId() {
        return startId;
    }

    public int endId() {
        return endId;
    }

    /** The padding id: 0 ({@code "!"}) for SD 2 folders, as open_clip pads; 49407 for SD 1 folders. */
    public int padId() {
        return padId;
    }

    /** Length of an {@link #encode} row: the config's model_max_length (77 for CLIP). */
    public int maxLength() {
        return maxLength;
    }

    /** Vocabulary size plus added tokens (49408 for an SD 2 folder without added tokens). */
    public int vocabSize() {
        return vocab.size() + added.size();
    }

    /** The added tokens and their ids, in id order. */
    public Map<String, Integer> addedTokens() {
        return added.asMap();
    }

    private void encodeChunk(String chunk, IntBuffer out) {
        Matcher m = preTokenizer.matcher(ClipTextCleaner.clean(chunk));
        while (m.find()) {
            String piece = m.group();
            if (piece.equals(startToken)) {
                out.add(startId);
            } else if (piece.equals(endToken)) {
                out.add(endId);
            } else {
                out.addAll(bpe.encode(piece));
            }
        }
    }

    private String addedName(int id) {
        for (Map.Entry<String, Integer> e : added.asMap().entrySet()) {
            if (e.getValue() == id) {
                return e.getKey();
            }
        }
        throw new IllegalStateException("no added token has id " + id);
    }

    private static void flush(ByteArrayOutputStream pending, StringBuilder out) {
        String text = new String(pending.toByteArray(), StandardCharsets.UTF_8); // malformed bytes become U+FFFD
        out.append(text.replace(BytePairEncoder.END_OF_WORD, " "));
        pending.reset();
    }

    /** Saved added tokens: ones the vocabulary has must agree with it; new ones must follow it without gaps. */
    private static AddedTokens savedAddedTokens(Vocabulary vocab, TokenizerConfig config, String vocabSource)
            throws TokenizerFileException {
        AddedTokens added = AddedTokens.NONE;
        for (Map.Entry<String, Integer> e : config.addedTokens.entrySet()) {
            String name = e.getKey();
            int id = e.getValue();
            String source = config.addedTokenSources.get(name);
            if (vocab.contains(name)) {
                if (vocab.id(name) != id) {
                    throw new TokenizerFileException(source, "added token '" + name + "' has id " + id + " but "
                            + vocabSource + " gives it id " + vocab.id(name));
                }
                continue;
            }
            int next = vocab.size() + added.size();
            if (id != next) {
                throw new TokenizerFileException(source, "added token '" + name + "' has id " + id
                        + " but the next free id is " + next + " (added ids must follow the vocabulary without gaps)");
            }
            added = added.with(name, id);
        }
        return added;
    }

    private static String requireKnown(TokenizerConfig.Special special, String key, Vocabulary vocab,
                                       AddedTokens added, String vocabSource) throws TokenizerFileException {
        if (special.content() == null) {
            throw new TokenizerFileException(special.source(), key + " is null; a CLIP tokenizer needs one");
        }
        if (!vocab.contains(special.content()) && !added.contains(special.content())) {
            throw new TokenizerFileException(special.source(), key + " '" + special.content() + "' is neither in "
                    + vocabSource + " nor an added token");
        }
        return special.content();
    }

    /** A growable int array. */
    private static final class IntBuffer {
        private int[] data = new int[32];
        private int size;

        void add(int value) {
            if (size == data.length) {
                data = Arrays.copyOf(data, size * 2);
            }
            data[size++] = value;
        }

        void addAll(int[] values) {
            for (int v : values) {
                add(v);
            }
        }

        int[] toArray() {
            return Arrays.copyOf(data, size);
        }
    }
}
