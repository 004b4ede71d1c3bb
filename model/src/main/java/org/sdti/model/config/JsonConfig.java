package org.sdti.model.config;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.ArrayList;
import java.util.List;

/**
 * A parsed JSON config file with typed accessors whose errors name the file and the key. Unknown keys are kept
 * (see {@link #raw()}) so that later code can read fields this class does not model.
 */
public final class JsonConfig {
    // Python's json writes -Infinity/NaN (e.g. DPMSolverMultistepScheduler's lambda_min_clipped)
    private static final ObjectMapper JSON = com.fasterxml.jackson.databind.json.JsonMapper.builder()
            .enable(com.fasterxml.jackson.core.json.JsonReadFeature.ALLOW_NON_NUMERIC_NUMBERS)
            .build();

    private final String source;
    private final JsonNode root;

    private JsonConfig(String source, JsonNode root) {
        this.source = source;
        this.root = root;
    }

    public static JsonConfig parse(String source, String text) {
        try {
            JsonNode root = JSON.readTree(text);
            if (root == null || !root.isObject()) {
                throw new ConfigException(source + ": expected a JSON object");
            }
            return new JsonConfig(source, root);
        } catch (JsonProcessingException e) {
            throw new ConfigException(source + ": not valid JSON: " + e.getOriginalMessage(), e);
        }
    }

    public String source() {
        return source;
    }

    public JsonNode raw() {
        return root;
    }

    public boolean has(String key) {
        JsonNode n = root.get(key);
        return n != null && !n.isNull();
    }

    private JsonNode required(String key) {
        JsonNode n = root.get(key);
        if (n == null || n.isNull()) {
            throw new ConfigException(source + ": missing required key '" + key + "'");
        }
        return n;
    }

    private ConfigException wrong(String key, String expected, JsonNode got) {
        return new ConfigException(source + ": key '" + key + "' must be " + expected + ", got " + got);
    }

    public int requireInt(String key) {
        JsonNode n = required(key);
        if (!n.isIntegralNumber() || !n.canConvertToInt()) {
            throw wrong(key, "an integer", n);
        }
        return n.intValue();
    }

    public int optInt(String key, int dflt) {
        return has(key) ? requireInt(key) : dflt;
    }

    public double requireDouble(String key) {
        JsonNode n = required(key);
        if (!n.isNumber()) {
            throw wrong(key, "a number", n);
        }
        return n.doubleValue();
    }

    public double optDouble(String key, double dflt) {
        return has(key) ? requireDouble(key) : dflt;
    }

    public boolean optBool(String key, boolean dflt) {
        if (!has(key)) {
            return dflt;
        }
        JsonNode n = root.get(key);
        if (!n.isBoolean()) {
            throw wrong(key, "true or false", n);
        }
        return n.booleanValue();
    }

    public String requireString(String key) {
        JsonNode n = required(key);
        if (!n.isTextual()) {
            throw wrong(key, "a string", n);
        }
        return n.textValue();
    }

    public String optString(String key, String dflt) {
        return has(key) ? requireString(key) : dflt;
    }

    public List<String> requireStringList(String key) {
        JsonNode n = required(key);
        if (!n.isArray()) {
            throw wrong(key, "a list of strings", n);
        }
        List<String> out = new ArrayList<>();
        for (JsonNode e : n) {
            if (!e.isTextual()) {
                throw wrong(key, "a list of strings", n);
            }
            out.add(e.textValue());
        }
        return List.copyOf(out);
    }

    public int[] requireIntList(String key) {
        JsonNode n = required(key);
        if (!n.isArray()) {
            throw wrong(key, "a list of integers", n);
        }
        int[] out = new int[n.size()];
        for (int i = 0; i < out.length; i++) {
            JsonNode e = n.get(i);
            if (!e.isIntegralNumber()) {
                throw wrong(key, "a list of integers", n);
            }
            out[i] = e.intValue();
        }
        return out;
    }

    /** An integer, or a list with one integer per block: diffusers accepts both for several keys. */
    public int[] intOrPerBlock(String key, int blocks) {
        JsonNode n = required(key);
        if (n.isIntegralNumber()) {
            int[] out = new int[blocks];
            java.util.Arrays.fill(out, n.intValue());
            return out;
        }
        int[] list = requireIntList(key);
        if (list.length != blocks) {
            throw wrong(key, "one integer or a list of " + blocks + " (one per block)", n);
        }
        return list;
    }

    /** Fails when a key that would change the network is set to something sdti does not implement. */
    public void requireUnset(String key, String why) {
        if (has(key)) {
            JsonNode n = root.get(key);
            if (n.isBoolean() && !n.booleanValue()) {
                return;
            }
            throw new ConfigException(source + ": key '" + key + "' = " + n + " is not supported (" + why + ")");
        }
    }

    public void requireOneOf(String key, String value, String... allowed) {
        for (String a : allowed) {
            if (a.equals(value)) {
                return;
            }
        }
        throw new ConfigException(source + ": key '" + key + "' = \"" + value + "\" is not supported (expected one of "
                + String.join(", ", allowed) + ")");
    }
}
