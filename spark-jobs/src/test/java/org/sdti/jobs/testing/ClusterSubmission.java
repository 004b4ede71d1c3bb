package org.sdti.jobs.testing;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * An sdti command submitted to a {@link StandaloneCluster} through {@code deploy/sdti-submit} (so with the wrapper's
 * executor memory, cores and Java options) and Spark's launcher, in client mode: the process started here becomes
 * the driver JVM (the wrapper and spark-submit exec into it). Its output goes to a log file the test reads to find
 * its kill points; {@link #close} kills the driver's process tree if it still runs.
 */
public final class ClusterSubmission implements AutoCloseable {
    private final Process driver;
    private final Path log;

    private ClusterSubmission(Process driver, Path log) {
        this.driver = driver;
        this.log = log;
    }

    /**
     * Submits {@code args} with two executors of {@code cores} cores, 1 GiB heap and 2 GiB ND4J off-heap each, and a
     * 1 GiB driver: the small settings of a busy 2-core machine.
     */
    public static ClusterSubmission submit(StandaloneCluster cluster, int cores, Path log, String... args)
            throws IOException {
        List<String> command = new ArrayList<>(List.of("bash",
                StandaloneCluster.ROOT.resolve("deploy/sdti-submit").toString()));
        command.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile());
        pb.environment().putAll(Map.of("SDTI_MASTER", cluster.masterUrl(), "SPARK_SUBMIT", cluster.sparkSubmit(),
                "SDTI_EXECUTORS", "2", "SDTI_EXECUTOR_CORES", Integer.toString(cores), "SDTI_EXECUTOR_HEAP", "1",
                "SDTI_EXECUTOR_OFFHEAP", "2", "SDTI_DRIVER_MEMORY", "1", "SPARK_LOCAL_IP", "127.0.0.1",
                // no driver UI: one port less to leave behind; on a busy machine a starved JVM can stay quiet past
                // Spark's 120 s network timeout (seen here: an executor gave up on its driver while it started)
                "SDTI_SUBMIT_OPTS", "--conf spark.ui.enabled=false --conf spark.network.timeout=900s"));
        return new ClusterSubmission(pb.start(), log);
    }

    /** A log line: its index and the match in it. */
    public record Hit(int index, Matcher match) {}

    /** The first log line from line {@code from} on matching {@code regex}, waiting for it. */
    public Hit awaitLine(String regex, int from, Duration timeout) throws IOException {
        Pattern p = Pattern.compile(regex);
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            List<String> lines = lines();
            for (int i = from; i < lines.size(); i++) {
                Matcher m = p.matcher(lines.get(i));
                if (m.find()) {
                    return new Hit(i, m);
                }
            }
            if (!driver.isAlive() || System.nanoTime() > deadline) {
                throw new IllegalStateException("no line matching /" + regex + "/ from line " + from
                        + (driver.isAlive() ? " within " + timeout : " before the driver ended") + ":\n" + text());
            }
            ProcessTrees.sleep(100);
        }
    }

    /** The driver's exit code. */
    public int awaitExit(Duration timeout) throws IOException, InterruptedException {
        if (!driver.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
            throw new IllegalStateException("the driver did not end within " + timeout + ":\n" + text());
        }
        return driver.exitValue();
    }

    /** kill -9 of the driver JVM (and anything it started). */
    public void killDriver() {
        ProcessTrees.killAll(ProcessTrees.tree(driver.pid()), Duration.ofSeconds(30));
    }

    public List<String> lines() throws IOException {
        return Files.readAllLines(log);
    }

    public String text() throws IOException {
        return Files.readString(log);
    }

    @Override
    public void close() {
        if (driver.isAlive()) {
            killDriver();
        }
    }
}
