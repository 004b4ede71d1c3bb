package org.sdti.jobs.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;
import org.junit.jupiter.api.Test;
import org.sdti.jobs.runtime.ExitCodes;
import org.sdti.jobs.testing.JobFixtures;
import picocli.CommandLine;

/** What a newcomer reads first: the command list, each command's help, and the answer to a mistyped flag. */
class HelpAndUsageTest {

    @Test
    void theCommandListShowsEveryCommandsWholeSummary() {
        JobFixtures.Result r = JobFixtures.run("--help");
        assertEquals(0, r.code());
        String list = r.out().replaceAll("\\s+", " ");
        for (Map.Entry<String, CommandLine> e : Main.commandLine().getSubcommands().entrySet()) {
            if (e.getKey().equals("help")) {
                continue;
            }
            String[] header = e.getValue().getCommandSpec().usageMessage().header();
            assertEquals(1, header.length, e.getKey() + " has a one-sentence header");
            assertTrue(header[0].endsWith("."), e.getKey() + ": " + header[0]);
            assertTrue(list.contains(e.getKey() + " " + header[0]), e.getKey() + " summary cut in:\n" + r.out());
        }
    }

    @Test
    void helpParagraphsAreNotWrappedByHand() {
        // picocli wraps each description element to the terminal: an element that stops mid-sentence was wrapped
        // by hand and reads as broken lines once picocli wraps it again
        for (Map.Entry<String, CommandLine> e : Main.commandLine().getSubcommands().entrySet()) {
            if (e.getKey().equals("help")) {
                continue; // picocli's own
            }
            for (String paragraph : e.getValue().getCommandSpec().usageMessage().description()) {
                String p = paragraph.strip();
                assertTrue(p.isEmpty() || p.matches("(?s).*[.:;)]$"), e.getKey() + ": \"" + paragraph + "\"");
            }
            JobFixtures.Result help = JobFixtures.run(e.getKey(), "--help");
            assertEquals(0, help.code(), e.getKey());
            assertFalse(help.out().contains("${"), e.getKey() + " help has an unresolved default:\n" + help.out());
        }
    }

    @Test
    void aMistypedFlagNamesTheCommandAndTheFlagItMeant() {
        JobFixtures.Result r = JobFixtures.run("train", "--step", "3");
        assertEquals(ExitCodes.BAD_INPUT, r.code());
        assertTrue(r.err().startsWith("sdti train: unknown option '--step'; did you mean --steps"), r.err());
        assertTrue(r.err().contains("(see 'sdti train --help')"), r.err());
        assertEquals(1, r.err().strip().lines().count(), r.err());
    }

    @Test
    void aMistypedCommandSuggestsTheCommand() {
        JobFixtures.Result r = JobFixtures.run("trian");
        assertEquals(ExitCodes.BAD_INPUT, r.code());
        assertTrue(r.err().contains("'trian'") && r.err().contains("did you mean train"), r.err());
    }

    @Test
    void noCommandPrintsTheUsageAndFails() {
        JobFixtures.Result r = JobFixtures.run();
        assertEquals(ExitCodes.BAD_INPUT, r.code());
        assertTrue(r.err().contains("Usage: sdti") && r.err().contains("pipeline"), r.err());
        assertFalse(r.err().isBlank());
    }

    @Test
    void theReadmesCommandTableListsEveryFlag() throws java.io.IOException {
        java.util.List<String> readme = java.nio.file.Files.readAllLines(java.nio.file.Path.of("..", "README.md"));
        for (Map.Entry<String, CommandLine> e : Main.commandLine().getSubcommands().entrySet()) {
            if (e.getKey().equals("help")) {
                continue;
            }
            // every row of the table that documents this command (train and generate have two forms)
            String rows = String.join("\n", readme.stream().filter(l -> l.startsWith("| `sdti " + e.getKey() + " "))
                    .toList());
            assertFalse(rows.isEmpty(), "README has no row for " + e.getKey());
            for (CommandLine.Model.OptionSpec o : e.getValue().getCommandSpec().options()) {
                if (o.usageHelp() || o.versionHelp()) {
                    continue;
                }
                assertTrue(rows.contains(o.longestName()), "README's " + e.getKey() + " row lacks " + o.longestName());
            }
        }
    }

    @Test
    void defaultsInHelpComeFromTheReferenceConfiguration() {
        com.typesafe.config.Config reference = com.typesafe.config.ConfigFactory.defaultReferenceUnresolved()
                .resolve();
        String train = JobFixtures.run("train", "--help").out().replaceAll("\\s+", " ");
        assertTrue(train.contains("Optimizer steps (default " + reference.getInt("sdti.train.steps") + ")"), train);
        assertTrue(train.contains("Learning rate (default " + reference.getValue("sdti.train.lr").render() + ")"),
                train);
        assertTrue(train.contains("(default " + reference.getString("sdti.concept-defaults.property") + ")"), train);
        String generate = JobFixtures.run("generate", "--help").out().replaceAll("\\s+", " ");
        assertTrue(generate.contains("Sampler steps; default: " + reference.getInt("sdti.generate.steps") + "."),
                generate);
    }
}
