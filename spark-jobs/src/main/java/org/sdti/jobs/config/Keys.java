package org.sdti.jobs.config;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigException;
import com.typesafe.config.ConfigList;
import com.typesafe.config.ConfigObject;
import com.typesafe.config.ConfigOrigin;
import com.typesafe.config.ConfigValue;
import com.typesafe.config.ConfigValueType;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Reads one object of the merged configuration with errors that name the key's full path (as the user wrote it,
 * list indexes included: {@code sdti.concepts[1].vectors}) and where its value came from. Typesafe's own messages
 * name only the path inside the object read and say "has type NUMBER rather than ...", which is hard to act on.
 */
final class Keys {
    private final Config config;
    private final String prefix;

    Keys(Config config, String prefix) {
        this.config = config;
        this.prefix = prefix;
    }

    static Keys of(ConfigObject object, String prefix) {
        return new Keys(object.toConfig(), prefix);
    }

    String prefix() {
        return prefix;
    }

    String path(String key) {
        return join(prefix, key);
    }

    /**
     * A key under a prefix: {@code sdti.concepts[1]} + {@code vectors} is {@code sdti.concepts[1].vectors}; a prefix
     * that names a place in a file ({@code concepts.jsonl:12:}) is followed by a space.
     */
    static String join(String prefix, String key) {
        return prefix.isEmpty() ? key : prefix.endsWith(":") ? prefix + " " + key : prefix + "." + key;
    }

    JobConfigException error(String key, String problem) {
        return new JobConfigException(path(key), problem + where(key));
    }

    boolean isSet(String key) {
        return config.hasPath(key);
    }

    Keys child(String key) {
        return new Keys(object(key).toConfig(), path(key));
    }

    ConfigObject object(String key) {
        ConfigValue v = value(key, "an object");
        if (v.valueType() != ConfigValueType.OBJECT) {
            throw error(key, "expected an object { ... }, got " + describeAt(key, v));
        }
        return (ConfigObject) v;
    }

    ConfigList list(String key) {
        ConfigValue v = value(key, "a list");
        if (v.valueType() != ConfigValueType.LIST) {
            throw error(key, "expected a list [ ... ], got " + describe(v));
        }
        return (ConfigList) v;
    }

    String string(String key) {
        String s = optString(key);
        if (s == null) {
            throw error(key, "missing (required)");
        }
        return s;
    }

    /** A non-blank string, or null when the key is null, absent or blank. */
    String optString(String key) {
        if (!config.hasPath(key)) {
            return null;
        }
        ConfigValue v = config.getValue(key);
        if (v.valueType() == ConfigValueType.OBJECT || v.valueType() == ConfigValueType.LIST) {
            throw error(key, "expected a string, got " + describe(v));
        }
        String s = String.valueOf(v.unwrapped());
        return s.isBlank() ? null : s;
    }

    boolean bool(String key) {
        try {
            return config.getBoolean(key);
        } catch (ConfigException.Missing e) {
            throw error(key, "missing (true or false)");
        } catch (ConfigException.WrongType e) {
            throw error(key, "expected true or false, got " + describe(config.getValue(key)));
        }
    }

    long longValue(String key) {
        ConfigValue v = value(key, "an integer");
        if (v.valueType() == ConfigValueType.NUMBER && v.unwrapped() instanceof Number n
                && (n instanceof Integer || n instanceof Long)) {
            return n.longValue();
        }
        if (v.valueType() == ConfigValueType.STRING) {
            try {
                return Long.parseLong(((String) v.unwrapped()).trim());
            } catch (NumberFormatException e) {
                // reported below
            }
        }
        throw error(key, "expected an integer, got " + describe(v));
    }

    int intAtLeast(String key, int min) {
        long v = longValue(key);
        if (v < min) {
            throw error(key, "must be >= " + min + ", got " + v);
        }
        if (v > Integer.MAX_VALUE) {
            throw error(key, "must be <= " + Integer.MAX_VALUE + ", got " + v);
        }
        return (int) v;
    }

    Integer optIntAtLeast(String key, int min) {
        return isNull(key) ? null : intAtLeast(key, min);
    }

    double number(String key) {
        ConfigValue v = value(key, "a number");
        double d;
        if (v.valueType() == ConfigValueType.NUMBER) {
            d = ((Number) v.unwrapped()).doubleValue();
        } else if (v.valueType() == ConfigValueType.STRING) {
            try {
                d = Double.parseDouble(((String) v.unwrapped()).trim());
            } catch (NumberFormatException e) {
                throw error(key, "expected a number, got " + describe(v));
            }
        } else {
            throw error(key, "expected a number, got " + describe(v));
        }
        if (!Double.isFinite(d)) {
            throw error(key, "must be a finite number, got " + d);
        }
        return d;
    }

    double numberIn(String key, double min, boolean minInclusive, double max, boolean maxInclusive) {
        double d = number(key);
        boolean lowOk = minInclusive ? d >= min : d > min;
        boolean highOk = maxInclusive ? d <= max : d < max;
        if (!lowOk || !highOk) {
            String range = (minInclusive ? "[" : "(") + fmt(min) + ", " + fmt(max) + (maxInclusive ? "]" : ")");
            throw error(key, "must be in " + range + ", got " + fmt(d));
        }
        return d;
    }

    /** One of {@code choices} (keys lower-case, '-' and '_' equivalent). */
    <T> T choice(String key, Map<String, T> choices) {
        String s = string(key);
        String norm = s.trim().toLowerCase(Locale.ROOT).replace('_', '-');
        T t = choices.get(norm);
        if (t == null) {
            throw error(key, "expected one of " + String.join(", ", choices.keySet()) + ", got \"" + s + "\"");
        }
        return t;
    }

    List<String> strings(String key) {
        ConfigList l = list(key);
        List<String> out = new ArrayList<>(l.size());
        for (int i = 0; i < l.size(); i++) {
            ConfigValue v = l.get(i);
            if (v.valueType() == ConfigValueType.OBJECT || v.valueType() == ConfigValueType.LIST
                    || v.valueType() == ConfigValueType.NULL) {
                throw new JobConfigException(path(key) + "[" + i + "]", "expected a string, got " + describe(v)
                        + where(v.origin()));
            }
            out.add(String.valueOf(v.unwrapped()));
        }
        return out;
    }

    List<Long> longs(String key) {
        ConfigList l = list(key);
        List<Long> out = new ArrayList<>(l.size());
        for (int i = 0; i < l.size(); i++) {
            Keys item = new Keys(com.typesafe.config.ConfigFactory.empty().withValue("v", l.get(i)),
                    path(key) + "[" + i + "]");
            try {
                out.add(item.longValue("v"));
            } catch (JobConfigException e) {
                throw new JobConfigException(path(key) + "[" + i + "]", "expected an integer, got "
                        + describe(l.get(i)) + where(l.get(i).origin()));
            }
        }
        return out;
    }

    /** A free-form object of string values (quoted keys such as {@code "fs.s3a.endpoint"}), in file order. */
    Map<String, String> stringMap(String key) {
        Map<String, String> out = new LinkedHashMap<>();
        for (Map.Entry<String, ConfigValue> e : object(key).entrySet()) {
            ConfigValue v = e.getValue();
            if (v.valueType() == ConfigValueType.OBJECT || v.valueType() == ConfigValueType.LIST) {
                throw new JobConfigException(path(key) + ".\"" + e.getKey() + "\"", "expected a plain value (quote "
                        + "keys that contain dots), got " + describe(v) + where(v.origin()));
            }
            if (v.valueType() != ConfigValueType.NULL) {
                out.put(e.getKey(), String.valueOf(v.unwrapped()));
            }
        }
        return out;
    }

    boolean isNull(String key) {
        return !config.hasPath(key);
    }

    private ConfigValue value(String key, String what) {
        if (!config.hasPath(key)) {
            throw error(key, "missing (expected " + what + ")");
        }
        return config.getValue(key);
    }

    private String where(String key) {
        return config.hasPath(key) ? where(config.getValue(key).origin()) : "";
    }

    static String where(ConfigOrigin origin) {
        if (origin == null || origin.filename() == null && origin.url() == null) {
            return "";
        }
        String file = origin.filename() != null ? origin.filename() : origin.url().toString();
        if (file.endsWith("reference.conf")) {
            return "";
        }
        return " (" + file + (origin.lineNumber() > 0 ? ":" + origin.lineNumber() : "") + ")";
    }

    /** {@link #describe}, but only the type under {@code sdti.hadoop}, whose values may be credentials. */
    private String describeAt(String key, ConfigValue v) {
        String p = path(key);
        boolean secret = p.equals("sdti.hadoop") || p.startsWith("sdti.hadoop.");
        return secret && v.valueType() != ConfigValueType.OBJECT && v.valueType() != ConfigValueType.LIST
                ? "a " + v.valueType().name().toLowerCase(java.util.Locale.ROOT) + " (not shown: hadoop settings may "
                + "hold credentials)" : describe(v);
    }

    static String describe(ConfigValue v) {
        return switch (v.valueType()) {
            case OBJECT -> "an object";
            case LIST -> "a list";
            case NULL -> "null";
            case STRING -> "\"" + v.unwrapped() + "\"";
            default -> v.render();
        };
    }

    private static String fmt(double d) {
        return d == Math.rint(d) && Math.abs(d) < 1e15 ? Long.toString((long) d) : Double.toString(d);
    }
}
