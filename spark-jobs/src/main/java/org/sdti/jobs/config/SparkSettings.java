package org.sdti.jobs.config;

import java.io.Serializable;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * {@code sdti.spark}: how a job starts Spark when nobody else did.
 *
 * @param master used only when no master is set already (spark-submit sets one)
 * @param conf   Spark settings applied where not already set
 */
public record SparkSettings(String master, String appName, Map<String, String> conf) implements Serializable {
    public SparkSettings {
        conf = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(conf));
    }

    static SparkSettings read(Keys k) {
        Map<String, String> conf = k.stringMap("conf");
        for (String key : conf.keySet()) {
            if (!key.startsWith("spark.")) {
                throw new JobConfigException(k.path("conf") + ".\"" + key + "\"",
                        "Spark settings start with \"spark.\" (Hadoop settings go to sdti.hadoop)");
            }
        }
        return new SparkSettings(k.string("master"), k.string("app-name"), conf);
    }
}
