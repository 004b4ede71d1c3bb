package org.sdti.jobs.config;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import com.typesafe.config.ConfigList;
import com.typesafe.config.ConfigObject;
import com.typesafe.config.ConfigParseOptions;
import com.typesafe.config.ConfigValue;
import java.io.File;
import java.util.Map;
import org.apache.hadoop.conf.Configuration;
import org.sdti.model.BadInputException;

/**
 * Loads sdti's configuration once, at the edge: command-line flags override system properties, which override
 * the job file ({@code --config}), which overrides the documented defaults in {@code reference.conf}. Relative
 * paths written in the job file are relative to its folder ({@link JobFilePaths}).
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
            Config job = ConfigFactory.parseFile(jobFile, ConfigParseOptions.defaults().setAllowMissing(false)
                    .setIncluder(new LocalIncluder()));
            base = job.withFallback(base);
        }
        Config fromFlags = ConfigFactory.empty();
        for (Map.Entry<String, ?> e : flags.entrySet()) {
            if (e.getValue() != null) {
                fromFlags = fromFlags.withValue(e.getKey(),
                        com.typesafe.config.ConfigValueFactory.fromAnyRef(e.getValue(), "command-line flag"));
            }
        }
        Config all = JobFilePaths.resolve(fromFlags.withFallback(ConfigFactory.systemProperties()).withFallback(base)
                .resolve());
        refuseCredentialsInUris(all);
        return all;
    }

    /** {@code scheme://user:secret@host/...}: credentials in a URI would reach logs, reports and PNG metadata. */
    private static final java.util.regex.Pattern URI_WITH_USER = java.util.regex.Pattern.compile(
            "^[A-Za-z][A-Za-z0-9+.-]*://[^/?#\\s]*@");

    /**
     * Refuses a path or URI with credentials in it anywhere under {@code sdti} (not {@code sdti.hadoop}, where
     * credentials belong), before any file system sees it; the message names the key and shows the URI without
     * them.
     */
    private static void refuseCredentialsInUris(Config config) {
        if (!config.hasPath("sdti")) {
            return;
        }
        // iterative, in file order: a hostile job file may nest deeply
        java.util.Deque<Map.Entry<String, ConfigValue>> todo = new java.util.ArrayDeque<>();
        todo.add(Map.entry("sdti", config.getValue("sdti")));
        while (!todo.isEmpty()) {
            Map.Entry<String, ConfigValue> e = todo.poll();
            String key = e.getKey();
            ConfigValue v = e.getValue();
            if (key.equals("sdti.hadoop") || key.equals("sdti.spark")) {
                continue;
            }
            if (v instanceof ConfigObject o) {
                o.forEach((k, child) -> todo.add(Map.entry(key + "." + k, child)));
            } else if (v instanceof ConfigList l) {
                for (int i = 0; i < l.size(); i++) {
                    todo.add(Map.entry(key + "[" + i + "]", l.get(i)));
                }
            } else if (v.unwrapped() instanceof String str && URI_WITH_USER.matcher(str).find()) {
                throw new BadInputException(key, Redaction.uris(str) + " has credentials in it; give them as "
                        + "sdti.hadoop settings (e.g. fs.s3a.access.key, fs.s3a.secret.key)");
            }
        }
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
