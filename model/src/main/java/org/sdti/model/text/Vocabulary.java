package org.sdti.model.text;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import java.io.IOException;
import java.util.HashMap;
import java.util.Map;

/** The token ↔ id table of {@code vocab.json}: a JSON object of token strings to ids 0..n-1, each id once. */
final class Vocabulary {
    private static final JsonFactory JSON = JsonFactory.builder()
            .enable(com.fasterxml.jackson.core.StreamReadFeature.STRICT_DUPLICATE_DETECTION).build();

    private final Map<String, Integer> ids;
    private final String[] tokens;

    private Vocabulary(Map<String, Integer> ids, String[] tokens) {
        this.ids = ids;
        this.tokens = tokens;
    }

    static Vocabulary parse(String json, String source) throws TokenizerFileException {
        Map<String, Integer> ids = new HashMap<>(1 << 17);
        try (JsonParser p = JSON.createParser(json)) {
            if (p.nextToken() != JsonToken.START_OBJECT) {
                throw new TokenizerFileException(source, "expected a JSON object of token to id");
            }
            for (JsonToken t = p.nextToken(); t != JsonToken.END_OBJECT; t = p.nextToken()) {
                String token = p.currentName();
                if (p.nextToken() != JsonToken.VALUE_NUMBER_INT || p.getNumberType() != JsonParser.NumberType.INT
                        || p.getIntValue() < 0) {
                    throw new TokenizerFileException(source, "id of token '" + token + "' is not a non-negative int: "
                            + p.getText());
                }
                ids.put(token, p.getIntValue());
            }
            if (p.nextToken() != null) {
                throw new TokenizerFileException(source, "unexpected content after the JSON object");
            }
        } catch (TokenizerFileException e) {
            throw e;
        } catch (JsonProcessingException e) {
            throw new TokenizerFileException(source, "not valid JSON: " + e.getOriginalMessage(), e);
        } catch (IOException e) {
            throw new TokenizerFileException(source, "cannot parse: " + e.getMessage(), e);
        }
        if (ids.isEmpty()) {
            throw new TokenizerFileException(source, "the vocabulary is empty");
        }
        String[] tokens = new String[ids.size()];
        for (Map.Entry<String, Integer> e : ids.entrySet()) {
            int id = e.getValue();
            if (id >= tokens.length) {
                throw new TokenizerFileException(source, "ids must be 0.." + (tokens.length - 1) + " but token '"
                        + e.getKey() + "' has id " + id);
            }
            if (tokens[id] != null) {
                throw new TokenizerFileException(source, "id " + id + " is given to both '" + tokens[id] + "' and '"
                        + e.getKey() + "'");
            }
            tokens[id] = e.getKey();
        }
        return new Vocabulary(ids, tokens);
    }

    /** The id of a token, or -1. */
    int id(String token) {
        Integer id = ids.get(token);
        return id == null ? -1 : id;
    }

    boolean contains(String token) {
        return ids.containsKey(token);
    }

    String token(int id) {
        return tokens[id];
    }

    int size() {
        return tokens.length;
    }
}
