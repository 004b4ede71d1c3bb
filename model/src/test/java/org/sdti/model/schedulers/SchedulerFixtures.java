package org.sdti.model.schedulers;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Map;
import java.util.TreeMap;
import org.sdti.model.config.JsonConfig;
import org.sdti.model.config.SchedulerConfig;
import org.sdti.model.io.SafeTensorsFile;
import org.sdti.model.testing.TestData;

/** The scheduler goldens of the tiny-sd2 fixture, and a record of the largest error seen per golden group. */
final class SchedulerFixtures {
    static final float TOLERANCE = 1e-5f;
    static final int[] STEP_COUNTS = {1, 4, 10, 20, 25, 50};
    static final int SEQ_STEPS = 10;

    private static final Map<String, Double> MAX_ERRORS = new TreeMap<>();
    private static SafeTensorsFile goldens;
    private static JsonNode index;

    private SchedulerFixtures() {}

    static synchronized SafeTensorsFile goldens() {
        if (goldens == null) {
            try {
                goldens = SafeTensorsFile.open(TestData.goldens("schedulers.safetensors"));
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        return goldens;
    }

    static float[] floats(String key) {
        try {
            return goldens().floats(key);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static long[] longs(String key) {
        try {
            return goldens().longs(key);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static boolean isInt64(String key) {
        return goldens().info(key).dtype() == org.sdti.model.io.DType.I64;
    }

    static boolean has(String key) {
        return goldens().contains(key);
    }

    /** Row {@code i} of a tensor whose first dimension is the step. */
    static float[] row(float[] all, int i, int rows) {
        int n = all.length / rows;
        return Arrays.copyOfRange(all, i * n, (i + 1) * n);
    }

    static synchronized JsonNode index() {
        if (index == null) {
            try {
                index = new ObjectMapper().readTree(TestData.goldens("schedulers.json").toFile());
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        return index;
    }

    /** The scheduler_config.json behind golden group {@code scheduler.prediction}. */
    static SchedulerConfig config(String group) {
        return config(TestData.path("fixtures/tiny-sd2/" + index().get(group).get("config_dir").asText()));
    }

    static SchedulerConfig config(Path dir) {
        Path file = dir.resolve("scheduler_config.json");
        try {
            return SchedulerConfig.from(JsonConfig.parse(file.toString(), Files.readString(file)));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static SchedulerConfig config(String source, String json) {
        return SchedulerConfig.from(JsonConfig.parse(source, json));
    }

    static double maxAbs(float[] expected, float[] actual) {
        if (expected.length != actual.length) {
            throw new AssertionError("length " + actual.length + " != expected " + expected.length);
        }
        double max = 0;
        for (int i = 0; i < expected.length; i++) {
            double d = Math.abs((double) expected[i] - actual[i]);
            if (!(d <= max)) {
                max = Double.isNaN(d) ? Double.POSITIVE_INFINITY : d;
            }
        }
        return max;
    }

    /**
     * Asserts |expected - actual| <= 1e-5 everywhere, relative to the tensor's scale where that exceeds 1 (a float
     * holds about 7 digits: at |x| ~ 50 one ulp is 3.8e-6), and records the error under {@code group}.
     */
    static void assertClose(String group, float[] expected, float[] actual) {
        double err = maxAbs(expected, actual);
        double scale = 0;
        for (float e : expected) {
            scale = Math.max(scale, Math.abs(e));
        }
        double tol = TOLERANCE * Math.max(1.0, scale);
        record(group, err);
        if (!(err <= tol)) {
            throw new AssertionError(group + ": max abs error " + err + " > " + tol + " (scale " + scale + ")");
        }
    }

    static synchronized void record(String group, double err) {
        MAX_ERRORS.merge(group, err, Math::max);
    }

    static synchronized String report() {
        StringBuilder sb = new StringBuilder("max abs error per golden group:\n");
        MAX_ERRORS.forEach((k, v) -> sb.append(String.format("  %-60s %.3g%n", k, v)));
        return sb.toString();
    }
}
