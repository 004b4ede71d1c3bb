package org.sdti.model.text;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The special tokens, length and saved added tokens of a tokenizer folder, resolved as transformers'
 * {@code from_pretrained} does: {@code tokenizer_config.json} first, then {@code special_tokens_map.json} over it
 * (so SD 2's {@code "pad_token": "!"} there beats {@code "<|endoftext|>"} in the config), CLIPTokenizer's defaults
 * for what neither names. A token may be a plain string or an AddedToken object with {@code "content"} (with or
 * without {@code "__type"}). Added tokens come from {@code added_tokens_decoder} and {@code added_tokens.json}.
 */
final class TokenizerConfig {
    static final String DEFAULT_BOS = "<|startoftext|>";
    static final String DEFAULT_EOS = "<|endoftext|>";
    static final String DEFAULT_PAD = "<|endoftext|>";
    /** CLIP's text encoders have 77 positions; used when the config gives no usable length. */
    static final int DEFAULT_MAX_LENGTH = 77;
    /** transformers writes a huge number for "no limit"; anything above this is read as unset. */
    private static final long UNSET_MAX_LENGTH = 1_000_000;
    private static final ObjectMapper JSON = new ObjectMapper();

    /** A resolved special token and the file that named it (for error messages). */
    record Special(String content, String source) {}

    final Special bos;
    final Special eos;
    final Special pad;
    final int maxLength;
    /** Saved added tokens (name → id) in id order, whether or not the vocabulary already has them. */
    final Map<String, Integer> addedTokens;
    /** The file each added token came from. */
    final Map<String, String> addedTokenSources;

    private TokenizerConfig(Map<String, Special> special, int maxLength, Map<String, Integer> addedTokens,
                            Map<String, String> addedTokenSources) {
        this.bos = special.getOrDefault("bos_token", new Special(DEFAULT_BOS, "CLIPTokenizer default"));
        this.eos = special.getOrDefault("eos_token", new Special(DEFAULT_EOS, "CLIPTokenizer default"));
        this.pad = special.getOrDefault("pad_token", new Special(DEFAULT_PAD, "CLIPTokenizer default"));
        this.maxLength = maxLength;
        this.addedTokens = addedTokens;
        this.addedTokenSources = addedTokenSources;
    }

    static TokenizerConfig resolve(TokenizerFiles files) throws TokenizerFileException {
        Map<String, Special> special = new LinkedHashMap<>();
        int maxLength = DEFAULT_MAX_LENGTH;
        Map<String, Integer> added = new LinkedHashMap<>();
        Map<String, String> addedSources = new LinkedHashMap<>();

        String configSource = files.source(TokenizerFiles.TOKENIZER_CONFIG);
        JsonNode config = parseObject(files.tokenizerConfigJson(), configSource);
        if (config != null) {
            readSpecialTokens(config, configSource, special);
            maxLength = readMaxLength(config.get("model_max_length"), configSource);
            JsonNode decoder = config.get("added_tokens_decoder");
            if (decoder != null && !decoder.isNull()) {
                readAddedTokensDecoder(decoder, configSource, added, addedSources);
            }
        }
        String mapSource = files.source(TokenizerFiles.SPECIAL_TOKENS_MAP);
        JsonNode map = parseObject(files.specialTokensMapJson(), mapSource);
        if (map != null) {
            readSpecialTokens(map, mapSource, special); // applied last, as from_pretrained does
        }
        String addedSource = files.source(TokenizerFiles.ADDED_TOKENS);
        JsonNode addedJson = parseObject(files.addedTokensJson(), addedSource);
        if (addedJson != null) {
            for (Iterator<Map.Entry<String, JsonNode>> it = addedJson.fields(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> e = it.next();
                if (!e.getValue().canConvertToExactIntegral() || !e.getValue().canConvertToInt()
                        || e.getValue().intValue() < 0) {
                    throw new TokenizerFileException(addedSource, "id of '" + e.getKey() + "' is not a non-negative"
                            + " int: " + e.getValue());
                }
                putAdded(e.getKey(), e.getValue().intValue(), addedSource, added, addedSources);
            }
        }
        return new TokenizerConfig(special, maxLength, sortById(added), addedSources);
    }

    private static void readSpecialTokens(JsonNode node, String source, Map<String, Special> out)
            throws TokenizerFileException {
        for (String key : List.of("bos_token", "eos_token", "pad_token")) {
            JsonNode value = node.get(key);
            if (value != null) {
                out.put(key, new Special(tokenContent(value, source, key), source));
            }
        }
    }

    /** A plain string or an AddedToken object; JSON null means "no such token". */
    private static String tokenContent(JsonNode value, String source, String key) throws TokenizerFileException {
        if (value.isNull()) {
            return null;
        }
        if (value.isTextual()) {
            return value.textValue();
        }
        if (value.isObject() && value.path("content").isTextual()) {
            return value.get("content").textValue();
        }
        throw new TokenizerFileException(source, key + " must be a string or an AddedToken object with a string"
                + " \"content\", found " + value);
    }

    private static int readMaxLength(JsonNode value, String source) throws TokenizerFileException {
        if (value == null || value.isNull()) {
            return DEFAULT_MAX_LENGTH;
        }
        if (!value.isNumber() || !value.canConvertToExactIntegral()) {
            throw new TokenizerFileException(source, "model_max_length must be an integer, found " + value);
        }
        if (value.doubleValue() > UNSET_MAX_LENGTH) {
            return DEFAULT_MAX_LENGTH;
        }
        if (value.longValue() < 3) {
            throw new TokenizerFileException(source, "model_max_length " + value + " leaves no room between the"
                    + " start and end tokens");
        }
        return value.intValue();
    }

    private static void readAddedTokensDecoder(JsonNode decoder, String source, Map<String, Integer> added,
                                               Map<String, String> sources) throws TokenizerFileException {
        if (!decoder.isObject()) {
            throw new TokenizerFileException(source, "added_tokens_decoder must be an object of id to AddedToken");
        }
        for (Iterator<Map.Entry<String, JsonNode>> it = decoder.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            int id;
            try {
                id = Integer.parseInt(e.getKey());
            } catch (NumberFormatException notAnId) {
                throw new TokenizerFileException(source, "added_tokens_decoder key '" + e.getKey() + "' is not an id");
            }
            if (id < 0) {
                throw new TokenizerFileException(source, "added_tokens_decoder id " + id + " is negative");
            }
            String content = tokenContent(e.getValue(), source, "added_tokens_decoder[" + id + "]");
            if (content == null) {
                throw new TokenizerFileException(source, "added_tokens_decoder[" + id + "] is null");
            }
            putAdded(content, id, source, added, sources);
        }
    }

    private static void putAdded(String name, int id, String source, Map<String, Integer> added,
                                 Map<String, String> sources) throws TokenizerFileException {
        Integer previous = added.putIfAbsent(name, id);
        if (previous != null && previous != id) {
            throw new TokenizerFileException(source, "added token '" + name + "' has id " + id + " but "
                    + sources.get(name) + " gives it id " + previous);
        }
        sources.putIfAbsent(name, source);
    }

    private static Map<String, Integer> sortById(Map<String, Integer> added) {
        List<Map.Entry<String, Integer>> entries = new ArrayList<>(added.entrySet());
        entries.sort(Map.Entry.comparingByValue());
        Map<String, Integer> sorted = new LinkedHashMap<>();
        for (Map.Entry<String, Integer> e : entries) {
            sorted.put(e.getKey(), e.getValue());
        }
        return sorted;
    }

    private static JsonNode parseObject(String json, String source) throws TokenizerFileException {
        if (json == null) {
            return null;
        }
        JsonNode node;
        try {
            node = JSON.readTree(json);
        } catch (JsonProcessingException e) {
            throw new TokenizerFileException(source, "not valid JSON: " + e.getOriginalMessage(), e);
        }
        if (node == null || !node.isObject()) {
            throw new TokenizerFileException(source, "expected a JSON object");
        }
        return node;
    }
}
