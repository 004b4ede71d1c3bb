package org.sdti.model.text;

import java.io.IOException;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Objects;

/**
 * The contents of a Hugging Face {@code CLIPTokenizer} folder: {@code vocab.json} and {@code merges.txt} (required),
 * {@code tokenizer_config.json}, {@code special_tokens_map.json} and {@code added_tokens.json} (each null when
 * absent). {@code origin} says where they came from (a folder path, say) and prefixes the file names in error
 * messages.
 */
public record TokenizerFiles(String origin, String vocabJson, String mergesTxt, String tokenizerConfigJson,
                             String specialTokensMapJson, String addedTokensJson) {
    public static final String VOCAB = "vocab.json";
    public static final String MERGES = "merges.txt";
    public static final String TOKENIZER_CONFIG = "tokenizer_config.json";
    public static final String SPECIAL_TOKENS_MAP = "special_tokens_map.json";
    public static final String ADDED_TOKENS = "added_tokens.json";

    public TokenizerFiles {
        Objects.requireNonNull(origin, "origin");
    }

    /** Reads the files of a tokenizer folder; vocab.json and merges.txt must exist. */
    public static TokenizerFiles read(Path folder) throws IOException {
        String origin = folder.toString();
        if (!Files.isDirectory(folder)) {
            throw new TokenizerFileException(origin, "not a directory");
        }
        return new TokenizerFiles(origin,
                readRequired(folder.resolve(VOCAB)),
                readRequired(folder.resolve(MERGES)),
                readOptional(folder.resolve(TOKENIZER_CONFIG)),
                readOptional(folder.resolve(SPECIAL_TOKENS_MAP)),
                readOptional(folder.resolve(ADDED_TOKENS)));
    }

    /** Where a file of this set is, for messages. */
    public String source(String fileName) {
        return origin + "/" + fileName;
    }

    private static String readRequired(Path file) throws IOException {
        if (!Files.isRegularFile(file)) {
            throw new TokenizerFileException(file.toString(), "missing (a CLIP tokenizer needs " + VOCAB + " and "
                    + MERGES + ")");
        }
        return readUtf8(file);
    }

    private static String readOptional(Path file) throws IOException {
        return Files.isRegularFile(file) ? readUtf8(file) : null;
    }

    private static String readUtf8(Path file) throws IOException {
        try {
            return Files.readString(file, StandardCharsets.UTF_8);
        } catch (CharacterCodingException e) {
            throw new TokenizerFileException(file.toString(), "not valid UTF-8", e);
        }
    }
}
