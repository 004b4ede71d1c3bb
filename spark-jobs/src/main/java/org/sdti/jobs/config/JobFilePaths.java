package org.sdti.jobs.config;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigException;
import com.typesafe.config.ConfigList;
import com.typesafe.config.ConfigObject;
import com.typesafe.config.ConfigValue;
import com.typesafe.config.ConfigValueFactory;
import com.typesafe.config.ConfigValueType;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;
import org.sdti.model.io.ModelPresets;

/**
 * A relative path written in a configuration file means a path relative to that file's folder, as users of config
 * files expect: {@code images = "concepts/bot"} in {@code /jobs/a.conf} is {@code /jobs/concepts/bot} wherever sdti
 * runs. Values from flags and system properties have no file and stay relative to the working directory. Paths
 * with a scheme ({@code s3a:}, {@code hdfs:}, {@code file:}) or a leading {@code /} are left as written. The result
 * has no scheme, so Hadoop still reads it on the default file system.
 */
final class JobFilePaths {
    /** Keys whose value is a path, or a list of paths. */
    private static final List<String> PATH_KEYS = List.of("sdti.model", "sdti.output", "sdti.generate.latents",
            "sdti.generate.embeddings", "sdti.concept-defaults.images", "sdti.concept-manifest",
            "sdti.concept-folders"); // and sdti.model-config when it is not a preset name (below)
    private static final Pattern SCHEME = Pattern.compile("^[A-Za-z][A-Za-z0-9+.-]*:.*");

    private JobFilePaths() {}

    /** The resolved configuration with every relative path that came from a file made absolute. */
    static Config resolve(Config config) {
        Config out = config;
        for (String key : PATH_KEYS) {
            if (config.hasPathOrNull(key) && !config.getIsNull(key)) {
                out = out.withValue(key, resolve(key, config.getValue(key)));
            }
        }
        // a preset name is no path; anything else there is a config folder
        if (config.hasPath("sdti.model-config")
                && !ModelPresets.isPreset(config.getValue("sdti.model-config").unwrapped().toString())) {
            out = out.withValue("sdti.model-config", resolve("sdti.model-config",
                    config.getValue("sdti.model-config")));
        }
        if (config.hasPath("sdti.concepts") && config.getValue("sdti.concepts") instanceof ConfigList concepts) {
            List<ConfigValue> items = new ArrayList<>(concepts.size());
            for (ConfigValue item : concepts) {
                if (item instanceof ConfigObject concept && concept.containsKey("images")) {
                    item = concept.withValue("images", resolve("sdti.concepts[" + items.size() + "].images",
                            concept.get("images")));
                }
                items.add(item);
            }
            out = out.withValue("sdti.concepts", ConfigValueFactory.fromIterable(items).withOrigin(concepts.origin()));
        }
        return out;
    }

    private static ConfigValue resolve(String key, ConfigValue value) {
        if (value instanceof ConfigList list) {
            List<ConfigValue> items = new ArrayList<>(list.size());
            list.forEach(v -> items.add(resolve(key, v)));
            return ConfigValueFactory.fromIterable(items).withOrigin(list.origin());
        }
        // anything but a string is a type error the key checks report, with the value as written
        if (value.valueType() != ConfigValueType.STRING || value.origin().filename() == null) {
            return value;
        }
        String path = (String) value.unwrapped();
        if (path.indexOf('\0') >= 0) {
            // no file system's path holds one (java.nio refuses it); the value is not echoed, it may not print
            throw new ConfigException.BadValue(value.origin(), key, "not a usable path (Nul character not allowed)");
        }
        if (!isRelative(path)) {
            return value;
        }
        Path folder = Path.of(value.origin().filename()).toAbsolutePath().getParent();
        try {
            return ConfigValueFactory.fromAnyRef(folder.resolve(path).normalize().toString())
                    .withOrigin(value.origin());
        } catch (InvalidPathException e) {
            // e.g. a NUL character: the value is not echoed (it may not print)
            throw new ConfigException.BadValue(value.origin(), key, "not a usable path (" + e.getReason() + ")");
        }
    }

    /** Whether a path is relative: not blank, no scheme ({@code s3a:}, {@code file:}), no leading {@code /}. */
    static boolean isRelative(String path) {
        return !path.isBlank() && !path.startsWith("/") && !SCHEME.matcher(path).matches();
    }
}
