package org.sdti.jobs.testing;

import org.apache.spark.sql.SparkSession;

/**
 * One local[2] Spark session for every test of the module (starting one takes seconds); the jobs find it as the
 * active session and leave it running. Kryo is on, as in the reference configuration, so the tests prove the
 * jobs' data survives it.
 */
public final class TestSpark {
    private TestSpark() {}

    public static synchronized SparkSession session() {
        return SparkSession.builder()
                .master("local[2]")
                .appName("sdti-tests")
                .config("spark.ui.enabled", "false")
                .config("spark.sql.shuffle.partitions", "2")
                .config("spark.default.parallelism", "2")
                .config("spark.serializer", "org.apache.spark.serializer.KryoSerializer")
                .config("spark.driver.host", "127.0.0.1")
                .config("spark.driver.bindAddress", "127.0.0.1")
                .getOrCreate();
    }
}
