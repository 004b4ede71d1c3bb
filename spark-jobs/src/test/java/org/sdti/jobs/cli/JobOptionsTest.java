package org.sdti.jobs.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sdti.jobs.config.JobConfig;
import org.sdti.jobs.testing.JobFixtures;
import picocli.CommandLine;
import picocli.CommandLine.Model.OptionSpec;

/**
 * Every job command takes {@code --config}, {@code --model} and {@code --output} alike: the same label and help text,
 * the same way into the job (the flags over the job file) and the same errors. Nothing here starts Spark: every run
 * stops at the job file.
 */
class JobOptionsTest {
    static final List<String> JOB_COMMANDS = List.of("prepare", "latents", "train", "generate", "pipeline");
    static final List<String> SHARED = List.of("--config", "--model", "--output");

    static CommandLine command(String name) {
        CommandLine cl = Main.commandLine().getSubcommands().get(name);
        assertNotNull(cl, "Main has no command " + name);
        return cl;
    }

    /** Help text without its line breaks (picocli also breaks after a dot, as in "sdti.|output"). */
    static String unwrapped(String s) {
        return s.replaceAll("\\s+", "");
    }

    /** The job options of {@code sdti ARGS}, parsed as Main parses them. */
    static JobOptions parse(String... args) {
        CommandLine root = Main.commandLine();
        root.parseArgs(args);
        Object options = root.getSubcommands().get(args[0]).getMixins().get("options");
        assertTrue(options instanceof JobOptions, args[0] + " has the JobOptions mixin as 'options'");
        return (JobOptions) options;
    }

    @Test
    void everyJobCommandDeclaresTheSharedOptionsWithOneText() {
        for (String option : SHARED) {
            OptionSpec first = command(JOB_COMMANDS.get(0)).getCommandSpec().findOption(option);
            assertNotNull(first, option);
            String text = String.join(" ", first.description());
            assertFalse(text.isBlank(), option);
            for (String name : JOB_COMMANDS) {
                OptionSpec o = command(name).getCommandSpec().findOption(option);
                assertNotNull(o, name + " " + option);
                assertEquals(first.paramLabel(), o.paramLabel(), name + " " + option);
                assertEquals(text, String.join(" ", o.description()), name + " " + option);
                assertEquals(1, o.arity().max(), name + " " + option);

                JobFixtures.Result help = JobFixtures.run(name, "--help");
                assertEquals(0, help.code(), help.err());
                assertTrue(unwrapped(help.out()).contains(unwrapped(option + "=" + o.paramLabel() + text)),
                        name + " --help lists " + option + " with its text: " + help.out());
            }
        }
        // the single-machine commands' --model is the same flag too
        assertEquals(String.join(" ", command("prepare").getCommandSpec().findOption("--model").description()),
                String.join(" ", command("tokenize").getCommandSpec().findOption("--model").description()));
        // the Spark stages cannot do without a job file; train and generate have a single-machine form
        for (String name : JOB_COMMANDS) {
            boolean stage = !List.of("train", "generate").contains(name);
            assertEquals(stage, command(name).getCommandSpec().findOption("--config").required(), name);
        }
    }

    @Test
    void theFlagsOverrideTheJobFileInEveryJobCommand(@TempDir Path tmp) throws Exception {
        Path job = JobFixtures.twoConceptJob(tmp, "");
        for (String name : JOB_COMMANDS) {
            JobConfig parsed = parse(name, "--config", job.toString(), "--model", "/flag/model", "--output",
                    "/flag/out").job();
            assertEquals("/flag/model", parsed.model(), name);
            assertEquals("/flag/out", parsed.output(), name);
            assertEquals(2, parsed.concepts().size(), name + " read the job file");

            JobConfig fromFile = parse(name, "--config", job.toString()).job();
            assertEquals(org.sdti.model.testing.TestData.tinyModel().toString(), fromFile.model(), name);
            assertEquals(tmp.resolve("out").toString(), fromFile.output(), name);
        }
    }

    @Test
    void everyJobCommandRefusesAJobWithoutModelOrOutputAlike(@TempDir Path tmp) throws Exception {
        Path bare = Files.writeString(tmp.resolve("bare.conf"), "sdti { concepts = [] }\n");
        for (String name : JOB_COMMANDS) {
            JobFixtures.Result noModel = JobFixtures.run(name, "--config", bare.toString());
            assertEquals(2, noModel.code(), name + ": " + noModel.err());
            assertEquals("sdti " + name + ": sdti.model: missing: the model folder (diffusers layout; plain path, "
                    + "file:, hdfs: or s3a:), in the job file or with --model", noModel.err().strip(), name);

            JobFixtures.Result noOutput = JobFixtures.run(name, "--config", bare.toString(), "--model", "/m");
            assertEquals(2, noOutput.code(), name + ": " + noOutput.err());
            assertEquals("sdti " + name + ": sdti.output: missing: the job's output folder, in the job file or with "
                    + "--output", noOutput.err().strip(), name);

            JobFixtures.Result noFile = JobFixtures.run(name, "--config", tmp.resolve("none.conf").toString());
            assertEquals(2, noFile.code(), name);
            assertEquals("sdti " + name + ": config file " + tmp.resolve("none.conf") + " does not exist",
                    noFile.err().strip(), name);
        }
        for (String stage : List.of("prepare", "latents", "pipeline")) {
            JobFixtures.Result r = JobFixtures.run(stage);
            assertEquals(2, r.code(), stage);
            assertEquals("sdti " + stage + ": Missing required option: '--config=FILE' (see 'sdti " + stage + " --help')",
                    r.err().strip(), stage);
        }
    }
}
