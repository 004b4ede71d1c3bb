package org.sdti.jobs.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * deploy/ (spark-submit wrapper, Airflow DAG, cron), bin/sdti, the README and CI agree with each other and with
 * the code: the scripts parse, they name the real main class and commands, and they pass the same settings.
 */
class DeployConsistencyTest {
    private static final Path ROOT = Path.of("..").toAbsolutePath().normalize();
    private static final ObjectMapper JSON = new ObjectMapper();
    /** The commands the wrapper submits: the Spark stages and pipeline. */
    private static final List<String> SPARK_COMMANDS = List.of("prepare", "latents", "train", "generate",
            "pipeline");

    record Run(int code, String out, String err) {}

    static Run exec(Map<String, String> env, String... command) throws IOException, InterruptedException {
        ProcessBuilder pb = new ProcessBuilder(command).directory(ROOT.toFile());
        pb.environment().putAll(env);
        Path out = Files.createTempFile("sdti-deploy", ".out");
        Path err = Files.createTempFile("sdti-deploy", ".err");
        try {
            Process p = pb.redirectOutput(out.toFile()).redirectError(err.toFile()).start();
            assertTrue(p.waitFor(60, TimeUnit.SECONDS), String.join(" ", command) + " timed out");
            return new Run(p.exitValue(), Files.readString(out), Files.readString(err));
        } finally {
            Files.deleteIfExists(out);
            Files.deleteIfExists(err);
        }
    }

    static boolean has(String tool) {
        try {
            return exec(Map.of(), "sh", "-c", "command -v " + tool).code() == 0;
        } catch (IOException | InterruptedException e) {
            return false;
        }
    }

    /** The wrapper's spark-submit arguments for a dry run. */
    static List<String> dryRun(Map<String, String> env, String... args) throws Exception {
        List<String> cmd = new ArrayList<>(List.of("bash", "deploy/sdti-submit", "--dry-run"));
        cmd.addAll(Arrays.asList(args));
        Map<String, String> e = new LinkedHashMap<>(env);
        e.put("SPARK_SUBMIT", "spark-submit");
        Run r = exec(e, cmd.toArray(String[]::new));
        assertEquals(0, r.code(), r.err());
        return r.out().lines().toList();
    }

    static String option(List<String> args, String name) {
        int i = args.indexOf(name);
        assertTrue(i >= 0 && i + 1 < args.size(), name + " in " + args);
        return args.get(i + 1);
    }

    static Map<String, String> confs(List<String> args) {
        Map<String, String> m = new TreeMap<>();
        for (int i = 0; i < args.size() - 1; i++) {
            if (args.get(i).equals("--conf")) {
                String kv = args.get(i + 1);
                m.put(kv.substring(0, kv.indexOf('=')), kv.substring(kv.indexOf('=') + 1));
            }
        }
        return m;
    }

    static List<String> javaOptions() throws IOException {
        return Files.readAllLines(ROOT.resolve("conf/java17-options")).stream().map(String::strip)
                .filter(l -> !l.isEmpty() && !l.startsWith("#")).toList();
    }

    @Test
    void scriptsParse() throws Exception {
        assumeTrue(has("bash"), "no bash");
        for (String script : List.of("deploy/sdti-submit", "deploy/sdti-gpus.sh", "deploy/cron/sdti-cron",
                "deploy/standalone/local-cluster", "deploy/standalone/spark-submit", "bin/sdti")) {
            Run r = exec(Map.of(), "bash", "-n", script);
            assertEquals(0, r.code(), script + ": " + r.err());
            assertTrue(Files.isExecutable(ROOT.resolve(script)), script + " is executable");
        }
    }

    @Test
    void theWrapperSubmitsMainsCommandsWithTheSettingsItDocuments() throws Exception {
        assumeTrue(has("bash"), "no bash");
        Map<String, picocli.CommandLine> sub = Main.commandLine().getSubcommands();
        for (String command : SPARK_COMMANDS) {
            assertTrue(sub.containsKey(command), "Main has no command " + command);
            List<String> args = dryRun(Map.of(), command, "--config", "job.conf");
            assertEquals(Main.class.getName(), option(args, "--class"));
            assertEquals(List.of(command, "--config", "job.conf"), args.subList(args.size() - 3, args.size()));
            assertTrue(args.get(args.size() - 4).endsWith("spark-jobs/target/sdti.jar"), args.toString());
        }
        Run tokenize = exec(Map.of("SPARK_SUBMIT", "spark-submit"), "bash", "deploy/sdti-submit", "--dry-run",
                "tokenize");
        assertEquals(2, tokenize.code(), "not a Spark command");
        assertTrue(tokenize.err().contains("unknown command 'tokenize'"), tokenize.err());
        Run badSize = exec(Map.of("SPARK_SUBMIT", "spark-submit", "SDTI_EXECUTOR_OFFHEAP", "lots"), "bash",
                "deploy/sdti-submit", "--dry-run", "pipeline");
        assertEquals(2, badSize.code());
        assertTrue(badSize.err().contains("SDTI_EXECUTOR_OFFHEAP"), badSize.err());

        // one task per GPU; the container holds the heap plus ND4J's off-heap budget plus 1 GiB
        List<String> gpu = dryRun(Map.of("SDTI_EXECUTOR_CORES", "8", "SDTI_GPUS_PER_EXECUTOR", "2",
                "SDTI_EXECUTOR_HEAP", "6", "SDTI_EXECUTOR_OFFHEAP", "20"), "--gpu", "train", "--config", "j.conf");
        Map<String, String> conf = confs(gpu);
        assertEquals("2", conf.get("spark.executor.resource.gpu.amount"));
        assertEquals("1", conf.get("spark.task.resource.gpu.amount"));
        assertEquals("4", conf.get("spark.task.cpus"), "8 cores over 2 GPUs");
        assertEquals("4", conf.get("spark.executorEnv.OMP_NUM_THREADS"));
        assertEquals("5000", conf.get("spark.executorEnv.GOMP_SPINCOUNT"));
        assertEquals("./sdti-gpus.sh", conf.get("spark.executor.resource.gpu.discoveryScript"));
        assertTrue(option(gpu, "--files").endsWith("deploy/sdti-gpus.sh"));
        assertEquals("6g", option(gpu, "--executor-memory"));
        assertEquals("21g", conf.get("spark.executor.memoryOverhead"));
        String executorJava = conf.get("spark.executor.extraJavaOptions");
        assertTrue(executorJava.endsWith("-Dorg.bytedeco.javacpp.maxbytes=20g "
                + "-Dorg.bytedeco.javacpp.maxphysicalbytes=27g"), executorJava);
        assertEquals(String.join(" ", javaOptions()), executorJava.substring(0, executorJava.indexOf(" -Dorg.byte")));
        assertTrue(conf.get("spark.driver.extraJavaOptions").startsWith(String.join(" ", javaOptions())));

        Map<String, String> cpu = confs(dryRun(Map.of(), "pipeline", "--config", "j.conf"));
        assertEquals("4", cpu.get("spark.task.cpus"), "CPU: one task per executor, its ops use every core");
        assertTrue(cpu.keySet().stream().noneMatch(k -> k.contains("resource.gpu")), cpu.toString());
    }

    @Test
    void theAirflowDagPassesTheWrappersSettings() throws Exception {
        assumeTrue(has("bash") && has("python3"), "no bash or python3");
        Map<String, String> env = Map.of("PYTHONDONTWRITEBYTECODE", "1");
        Run compiled = exec(env, "python3", "-c", "import sys\nfor f in sys.argv[1:]:\n"
                + "    compile(open(f).read(), f, 'exec')", "deploy/airflow/sdti_dag.py",
                "deploy/airflow/sdti_spark_conf.py");
        assertEquals(0, compiled.code(), compiled.err());
        for (String mode : List.of("gpu", "cpu")) {
            Run r = exec(env, "python3", "deploy/airflow/sdti_spark_conf.py", mode);
            assertEquals(0, r.code(), r.err());
            Map<String, String> dag = new TreeMap<>();
            JSON.readTree(r.out()).fields().forEachRemaining(e -> dag.put(e.getKey(), e.getValue().asText()));
            List<String> args = mode.equals("gpu") ? dryRun(Map.of(), "--gpu", "pipeline")
                    : dryRun(Map.of(), "pipeline");
            assertEquals(confs(args), dag, mode);
        }
        Run names = exec(env, "python3", "-c", "import sys; sys.path.insert(0, 'deploy/airflow')\n"
                + "import sdti_spark_conf as s\n"
                + "print(s.MAIN_CLASS, s.PIPELINE, *s.STAGES, s.EXECUTORS, s.EXECUTOR_CORES, s.EXECUTOR_HEAP_GB,"
                + " s.DRIVER_MEMORY_GB)");
        assertEquals(0, names.code(), names.err());
        List<String> v = List.of(names.out().strip().split(" "));
        assertEquals(Main.class.getName(), v.get(0));
        Map<String, picocli.CommandLine> sub = Main.commandLine().getSubcommands();
        for (String command : v.subList(1, 6)) {
            assertTrue(sub.containsKey(command), "the DAG runs " + command + ", which Main does not have");
        }
        List<String> defaults = dryRun(Map.of(), "pipeline");
        assertEquals(option(defaults, "--num-executors"), v.get(6));
        assertEquals(option(defaults, "--executor-cores"), v.get(7));
        assertEquals(option(defaults, "--executor-memory"), v.get(8) + "g");
        assertEquals(option(defaults, "--driver-memory"), v.get(9) + "g");
        String dagSource = Files.readString(ROOT.resolve("deploy/airflow/sdti_dag.py"));
        assertTrue(dagSource.contains("SparkSubmitOperator(") && dagSource.contains("java_class=sdti.MAIN_CLASS"));
    }

    @Test
    void javaOptionsCronReadmeAndCiAgree() throws IOException {
        // one list of Java 17 options: conf/java17-options, read by bin/sdti and deploy/, and the tests' own
        Matcher pom = Pattern.compile("<spark.jvm.opens>([^<]*)</spark.jvm.opens>")
                .matcher(Files.readString(ROOT.resolve("pom.xml")));
        assertTrue(pom.find());
        assertEquals(javaOptions(), List.of(pom.group(1).strip().split("\\s+")));
        assertTrue(Files.readString(ROOT.resolve("bin/sdti")).contains("conf/java17-options"));
        assertTrue(Files.readString(ROOT.resolve("deploy/sdti-submit")).contains("conf/java17-options"));

        String crontab = Files.readString(ROOT.resolve("deploy/cron/crontab.example"));
        Matcher line = Pattern.compile("(?m)^[0-9*/,-]+ [0-9*/,-]+ \\S+ \\S+ \\S+\\s+(\\S+)").matcher(crontab);
        assertTrue(line.find(), crontab);
        assertTrue(line.group(1).endsWith("deploy/cron/sdti-cron"), line.group(1));
        assertTrue(Files.readString(ROOT.resolve("deploy/cron/sdti-cron")).contains("/../sdti-submit\" \"$@\" pipeline"));

        String readme = Files.readString(ROOT.resolve("README.md"), StandardCharsets.UTF_8);
        String deployReadme = Files.readString(ROOT.resolve("deploy/README.md"), StandardCharsets.UTF_8);
        String test = "mvn -B -ntp test";
        assertTrue(readme.contains("\n" + test + "\n"), "the README's test command");
        assertTrue(Files.readString(ROOT.resolve(".ci/run")).lines().anyMatch(l -> l.strip().equals(test)),
                ".ci/run runs the README's test command");
        for (String doc : List.of(readme, deployReadme)) {
            for (String path : List.of("deploy/sdti-submit", "deploy/airflow/sdti_dag.py",
                    "deploy/cron/crontab.example")) {
                assertTrue(doc.contains(path), path + " is described");
            }
        }
        // the README's main job is bin/run-example, in its two-command set-up, and that runs an existing job file
        assertTrue(readme.contains("\nbin/run-example\n" + test + "\n"), "the README's two commands");
        String example = Files.readString(ROOT.resolve("bin/run-example"));
        Matcher run = Pattern.compile("bin/sdti pipeline --config (\\S+)").matcher(example);
        assertTrue(run.find(), "bin/run-example runs the pipeline");
        assertTrue(Files.isRegularFile(ROOT.resolve(run.group(1))), run.group(1));
        // it writes the trained toy model where the job file reads its model
        Matcher init = Pattern.compile("(?m)^model=(\\S+)$").matcher(example);
        assertTrue(init.find() && example.contains("bin/sdti init-model --config toy --output \"$model\""), example);
        String jobFile = Files.readString(ROOT.resolve(run.group(1)));
        Matcher model = Pattern.compile("(?m)^\\s*model = \"([^\"]+)\"").matcher(jobFile);
        assertTrue(model.find(), "the example job names its model");
        assertEquals(ROOT.resolve(init.group(1)), ROOT.resolve(run.group(1)).resolveSibling(model.group(1)).normalize());
        assertTrue(Files.readString(ROOT.resolve(".ci/run")).lines().anyMatch(l -> l.startsWith("bin/run-example")),
                ".ci/run runs the main job too");
        // CI's slow suites name their test classes: a renamed class must not leave CI running nothing
        Matcher slow = Pattern.compile("-Pslow -Dtest=(\\w+)").matcher(Files.readString(ROOT.resolve(".ci/run")));
        assertTrue(slow.find(), ".ci/run runs the cluster suite");
        do {
            String name = slow.group(1);
            try (var s = Files.walk(ROOT.resolve("spark-jobs/src/test/java"))) {
                assertTrue(s.anyMatch(p -> p.getFileName().toString().equals(name + ".java")), name + " exists");
            }
        } while (slow.find());
    }

    @Test
    void cronMailsSdtiCronsLinesAndSparksOutputGoesToTheLog(@org.junit.jupiter.api.io.TempDir Path tmp)
            throws Exception {
        assumeTrue(has("bash") && has("flock"), "no bash or flock");
        // the crontab must leave the command's output to cron (a redirect would leave MAILTO nothing to mail)
        String crontab = Files.readString(ROOT.resolve("deploy/cron/crontab.example"));
        String entry = crontab.lines().filter(l -> l.contains("deploy/cron/sdti-cron")).findFirst().orElseThrow();
        assertTrue(!entry.contains(">") && !entry.contains("|"), "the cron line redirects its output: " + entry);
        assertTrue(crontab.contains("\nSDTI_LOG="), "the crontab names the Spark log");

        // a spark-submit that talks a lot and exits 3
        Path submit = tmp.resolve("spark-submit");
        Files.writeString(submit, "#!/usr/bin/env bash\necho spark noise on stdout\necho spark noise on stderr >&2\n"
                + "exit 3\n");
        assertTrue(submit.toFile().setExecutable(true));
        Path jar = Files.writeString(tmp.resolve("sdti.jar"), "");
        Path log = tmp.resolve("nightly.log");
        Run r = exec(Map.of("SPARK_SUBMIT", submit.toString(), "SDTI_JAR", jar.toString(), "SDTI_LOCK_DIR",
                tmp.toString(), "SDTI_LOG", log.toString()), "bash", "deploy/cron/sdti-cron", "nightly.conf");
        assertEquals(3, r.code(), r.out() + r.err());
        assertTrue(r.out().lines().allMatch(l -> l.contains(" sdti-cron: ")), r.out());
        assertTrue(r.out().strip().endsWith("sdti-cron: exit 3: some concepts failed, the others done: see "
                + "OUTPUT/_reports/pipeline.json"), r.out());
        String logged = Files.readString(log);
        assertTrue(logged.contains("spark noise on stdout") && logged.contains("spark noise on stderr")
                && logged.contains("sdti-cron: exit 3"), logged);
    }
}
