package org.sdti.jobs.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import com.typesafe.config.ConfigFactory;
import org.apache.spark.SparkConf;
import org.junit.jupiter.api.Test;
import org.sdti.jobs.config.JobConfig;

class SparkSessionsTest {
    private static JobConfig job(String extra) {
        return JobConfig.from(ConfigFactory.parseString("sdti { model = /m, output = /o\n" + extra + "}")
                .withFallback(ConfigFactory.defaultReference()).resolve());
    }

    @Test
    void jobSettingsFillOnlyWhatSparkSubmitLeftOpen() {
        JobConfig job = job("spark { master = \"local[3]\", conf { \"spark.executor.memory\" = 6g } }\n"
                + "hadoop { \"fs.s3a.endpoint\" = \"http://127.0.0.1:9000\" }");
        SparkConf submitted = new SparkConf(false).set("spark.master", "yarn").set("spark.executor.memory", "20g");
        SparkConf conf = SparkSessions.conf(job, "prepare", submitted);
        assertEquals("yarn", conf.get("spark.master"), "spark-submit's master wins");
        assertEquals("20g", conf.get("spark.executor.memory"), "spark-submit's --conf wins");
        assertEquals("sdti prepare", conf.get("spark.app.name"));
        assertEquals("http://127.0.0.1:9000", conf.get("spark.hadoop.fs.s3a.endpoint"));
        assertFalse(conf.contains("spark.driver.host"), "cluster drivers keep their own address");

        SparkConf local = SparkSessions.conf(job, "latents", new SparkConf(false));
        assertEquals("local[3]", local.get("spark.master"));
        assertEquals("6g", local.get("spark.executor.memory"));
        assertEquals("127.0.0.1", local.get("spark.driver.host"));
        assertEquals("org.apache.spark.serializer.KryoSerializer", local.get("spark.serializer"));
    }
}
