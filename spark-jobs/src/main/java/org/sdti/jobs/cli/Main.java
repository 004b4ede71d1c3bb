package org.sdti.jobs.cli;

import java.io.FileNotFoundException;
import java.io.PrintWriter;
import org.sdti.model.Version;
import org.sdti.dataprep.TemplateFileException;
import org.sdti.model.config.ConfigException;
import org.sdti.model.embeddings.EmbeddingFileException;
import org.sdti.model.io.SafeTensorsException;
import org.sdti.model.models.WeightsException;
import org.sdti.model.text.TokenizerFileException;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * The single entry point: {@code bin/sdti <command>} locally and
 * {@code spark-submit --class org.sdti.jobs.cli.Main sdti.jar <command>} on a cluster.
 */
@Command(name = "sdti", mixinStandardHelpOptions = true, versionProvider = Main.VersionProvider.class,
        description = "Textual inversion for Stable Diffusion 2, from one machine to a Spark cluster.",
        subcommands = {TokenizeCommand.class, GenerateCommand.class, TrainCommand.class, InitModelCommand.class,
                PrepareCommand.class, LatentsCommand.class, PipelineCommand.class,
                org.sdti.jobs.bench.BenchCommand.class,
                CommandLine.HelpCommand.class})
public final class Main implements Runnable {

    public static void main(String[] args) {
        System.exit(run(args));
    }

    /** Runs a command line and returns its exit code (tests call this instead of {@link #main}). */
    public static int run(String... args) {
        return commandLine().execute(args);
    }

    /** Runs a command line with its output and errors sent to the given writers. */
    public static int run(PrintWriter out, PrintWriter err, String... args) {
        CommandLine cl = commandLine();
        cl.setOut(out);
        cl.setErr(err);
        return cl.execute(args);
    }

    static CommandLine commandLine() {
        CommandLine cl = new CommandLine(new Main());
        cl.setExecutionExceptionHandler(Main::handle);
        cl.setParameterExceptionHandler(Main::handleUsage);
        return cl;
    }

    @Override
    public void run() {
        CommandLine.usage(this, System.out);
    }

    private static int handleUsage(CommandLine.ParameterException e, String[] args) {
        PrintWriter err = e.getCommandLine().getErr();
        err.println("sdti: " + e.getMessage() + " (see '"
                + e.getCommandLine().getCommandSpec().qualifiedName() + " --help')");
        err.flush();
        return ExitCodes.BAD_INPUT;
    }

    private static int handle(Exception e, CommandLine cl, CommandLine.ParseResult parsed) {
        PrintWriter err = cl.getErr();
        int code = exitCodeOf(e);
        if (code == ExitCodes.BAD_INPUT) {
            err.println(cl.getCommandSpec().qualifiedName() + ": " + oneLine(e.getMessage()));
        } else if (e instanceof RunFailedException) {
            err.println(cl.getCommandSpec().qualifiedName() + " failed: " + oneLine(e.getMessage()));
        } else {
            err.println(cl.getCommandSpec().qualifiedName() + " failed: " + e);
            e.printStackTrace(err);
        }
        err.flush();
        return code;
    }

    /**
     * Bad input exits 2: a {@link BadInputException} (job-file keys included), a configuration the user wrote (job
     * file, model config) or a file the user named that is missing or not what it claims to be. Everything else
     * exits 1, including an {@link IllegalArgumentException} from inside sdti, which is a bug, not bad input
     * (the commands turn the ones that come from user input into a {@link BadInputException} where they call).
     * The causes are walked because Spark wraps an executor's exception in its own.
     */
    static int exitCodeOf(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof BadInputException || t instanceof ConfigException
                    || t instanceof com.typesafe.config.ConfigException || t instanceof FileNotFoundException
                    || t instanceof SafeTensorsException || t instanceof WeightsException
                    || t instanceof TokenizerFileException || t instanceof EmbeddingFileException
                    || t instanceof TemplateFileException) {
                return ExitCodes.BAD_INPUT;
            }
        }
        return ExitCodes.FAILURE;
    }

    private static String oneLine(String s) {
        return s == null ? "" : s.replaceAll("\\s*\\R\\s*", " ").trim();
    }

    static final class VersionProvider implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            return new String[] {"sdti " + Version.SDTI};
        }
    }
}
