package org.sdti.jobs.testing;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * A Spark standalone master and two workers on 127.0.0.1, each its own JVM, started from the project's jars by
 * {@code deploy/standalone/local-cluster} (the script a person runs by hand), so the tests prove that script too.
 * {@link #close} stops them through the script, kills as process trees whatever it left (the daemons, the
 * executors the workers launched), and fails if a process or one of the daemons' ports is still there; a shutdown
 * hook does the same when the test JVM ends before {@code close}.
 */
public final class StandaloneCluster implements AutoCloseable {
    static final Path ROOT = Path.of("..").toAbsolutePath().normalize();
    private static final Path SCRIPT = ROOT.resolve("deploy/standalone/local-cluster");

    private final Path dir;
    private final Map<String, String> env;
    private final List<Long> daemons;
    private final List<Integer> ports;
    private final Thread hook;

    private StandaloneCluster(Path dir, Map<String, String> env, Thread hook) {
        this.dir = dir;
        this.env = env;
        this.daemons = Arrays.stream(env.get("PIDS").split(" ")).map(Long::parseLong).toList();
        this.ports = Arrays.stream(env.get("PORTS").split(" ")).map(Integer::parseInt).toList();
        this.hook = hook;
    }

    /** Starts the cluster in {@code dir} (logs, executors' work folders): workers of {@code cores} and GiB each. */
    public static StandaloneCluster start(Path dir, int cores, int memoryGiB) throws IOException,
            InterruptedException {
        Thread hook = new Thread(() -> killLeftovers(dir), "standalone-cluster-stop");
        Runtime.getRuntime().addShutdownHook(hook);
        ProcessBuilder pb = new ProcessBuilder("bash", SCRIPT.toString(), "start", dir.toString())
                .redirectErrorStream(true).redirectOutput(dir.resolveSibling(dir.getFileName() + "-start.log").toFile());
        pb.environment().putAll(Map.of("SDTI_CLUSTER_WORKERS", "2", "SDTI_WORKER_CORES", Integer.toString(cores),
                "SDTI_WORKER_MEMORY", Integer.toString(memoryGiB), "SDTI_DAEMON_HEAP", "256m"));
        Process p = pb.start();
        // a busy 2-core machine took 3 minutes to start the three JVMs
        boolean ended = p.waitFor(15, TimeUnit.MINUTES);
        if (!ended || p.exitValue() != 0) {
            ProcessTrees.killAll(ProcessTrees.tree(p.pid()), Duration.ofSeconds(10));
            killLeftovers(dir);
            Runtime.getRuntime().removeShutdownHook(hook);
            throw new IllegalStateException("local-cluster start " + (ended ? "exited " + p.exitValue() : "timed out")
                    + ": " + Files.readString(dir.resolveSibling(dir.getFileName() + "-start.log")));
        }
        Map<String, String> env = new LinkedHashMap<>();
        for (String line : Files.readAllLines(dir.resolve("cluster.env"))) {
            int eq = line.indexOf('=');
            env.put(line.substring(0, eq), line.substring(eq + 1).replace("\"", ""));
        }
        return new StandaloneCluster(dir, env, hook);
    }

    public String masterUrl() {
        return env.get("SDTI_MASTER");
    }

    /** The Spark home's spark-submit (deploy/standalone/spark-submit), for deploy/sdti-submit's SPARK_SUBMIT. */
    public String sparkSubmit() {
        return env.get("SPARK_SUBMIT");
    }

    public Path dir() {
        return dir;
    }

    /** The pid of the running executor JVM with this Spark executor id. */
    public long executorPid(String executorId) {
        return executors().stream()
                .filter(h -> ProcessTrees.commandLine(h.pid()).orElse("").contains(" --executor-id " + executorId + " "))
                .map(ProcessHandle::pid).findFirst()
                .orElseThrow(() -> new IllegalStateException("no running executor " + executorId));
    }

    /** The executor JVMs the workers run now. */
    public List<ProcessHandle> executors() {
        List<ProcessHandle> out = new ArrayList<>();
        for (long d : daemons) {
            for (ProcessHandle h : ProcessTrees.tree(d)) {
                if (ProcessTrees.commandLine(h.pid()).orElse("").contains("CoarseGrainedExecutorBackend")) {
                    out.add(h);
                }
            }
        }
        return out;
    }

    /** Stops everything the cluster started; fails naming any process or port left behind. */
    @Override
    public void close() throws IOException, InterruptedException {
        List<ProcessHandle> everything = new ArrayList<>();
        daemons.forEach(d -> everything.addAll(ProcessTrees.tree(d)));
        try {
            Process stop = new ProcessBuilder("bash", SCRIPT.toString(), "stop", dir.toString())
                    .redirectErrorStream(true).redirectOutput(dir.resolve("logs/stop.log").toFile()).start();
            if (!stop.waitFor(2, TimeUnit.MINUTES)) {
                stop.destroyForcibly();
            }
        } finally {
            ProcessTrees.killAll(everything, Duration.ofSeconds(30));
            Runtime.getRuntime().removeShutdownHook(hook);
        }
        List<Long> alive = ProcessTrees.alive(everything);
        List<Integer> bound = ports.stream().filter(port -> !free(port)).toList();
        if (!alive.isEmpty() || !bound.isEmpty()) {
            throw new IllegalStateException("cluster left processes " + alive + " and listening ports " + bound
                    + "; stop log: " + Files.readString(dir.resolve("logs/stop.log")));
        }
    }

    /** The shutdown hook's and a failed start's last resort: SIGKILL to each daemon's process tree. */
    private static void killLeftovers(Path dir) {
        try (var files = Files.list(dir.resolve("pids"))) {
            List<ProcessHandle> all = new ArrayList<>();
            for (Path f : (Iterable<Path>) files::iterator) {
                all.addAll(ProcessTrees.tree(Long.parseLong(Files.readString(f).strip())));
            }
            ProcessTrees.killAll(all, Duration.ofSeconds(10));
        } catch (IOException | RuntimeException e) {
            // nothing started, or the pid files are gone with the processes they named
        }
    }

    static boolean free(int port) {
        try (ServerSocket s = new ServerSocket(port, 1, InetAddress.getLoopbackAddress())) {
            return true;
        } catch (IOException e) {
            return false;
        }
    }
}
