package org.sdti.jobs.config;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import com.typesafe.config.ConfigParseOptions;
import java.io.File;
import java.util.Map;
import org.apache.hadoop.conf.Configuration;
import org.sdti.model.BadInputException;

/**
 * Loads sdti's configuration once, at the edge: command-line flags override system properties, which override
 * the job file ({@code --config}), which overrides the documented defaults in {@code reference.conf}.
 */
public final class SdtiConfig {
    private SdtiConfig() {}

    /**
     * @param jobFile a HOCON job file, or null
     * @param flags   flag values keyed by config path (e.g. {@code sdti.model}); null values are ignored
     */
    public static Config load(File jobFile, Map<String, ?> flags) {
        Config base = ConfigFactory.defaultReference();
        if (jobFile != null) {
            if (!jobFile.isFile()) {
                throw new BadInputException("config file " + jobFile + " does not exist");
            }
            Config job = ConfigFactory.parseFile(jobFile, ConfigParseOptions.defaults().setAllowMissing(false));
            base = job.withFallback(base);
        }
        Config fromFlags = ConfigFactory.empty();
        for (Map.Entry<String, ?> e : flags.entrySet()) {
            if (e.getValue() != null) {
                fromFlags = fromFlags.withValue(e.getKey(),
                        com.typesafe.config.ConfigValueFactory.fromAnyRef(e.getValue(), "command-line flag"));
            }
        }
        return fromFlags.withFallback(ConfigFactory.systemProperties()).withFallback(base).resolve();
    }

    /**
     * reference.conf alone, the set of known keys. Not {@link ConfigFactory#defaultReference()}: that one has every
     * {@code -D} system property merged in, so a misspelt {@code -Dsdti.trian.steps=3} would count as known.
     */
    static Config reference() {
        return ConfigFactory.defaultReferenceUnresolved().resolve();
    }

    /** Hadoop settings: the defaults plus every {@code sdti.hadoop."key" = value} (e.g. fs.s3a.* credentials). */
    public static Configuration hadoop(Config config) {
        Configuration conf = new Configuration();
        if (config.hasPath("sdti.hadoop")) {
            for (Map.Entry<String, com.typesafe.config.ConfigValue> e : config.getConfig("sdti.hadoop").entrySet()) {
                String key = e.getKey().replace("\"", "");
                conf.set(key, String.valueOf(e.getValue().unwrapped()));
            }
        }
        return conf;
    }

    /** A required string setting; the error names the key and the flag that sets it. */
    public static String requireString(Config config, String path, String flag) {
        if (!config.hasPath(path) || config.getIsNull(path) || config.getString(path).isBlank()) {
            throw new BadInputException("missing " + path + " (set it in the config file or with " + flag + ")");
        }
        return config.getString(path);
    }
}
