package org.sdti.jobs.cli;

import java.io.PrintWriter;
import java.util.List;
import java.util.concurrent.Callable;
import org.sdti.jobs.config.Redaction;
import org.sdti.jobs.runtime.ExitCodes;
import org.sdti.jobs.runtime.RunFailedException;
import org.sdti.model.Version;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Spec;

/**
 * The single entry point: {@code bin/sdti <command>} locally and
 * {@code spark-submit --class org.sdti.jobs.cli.Main sdti.jar <command>} on a cluster.
 */
@Command(name = "sdti", mixinStandardHelpOptions = true, versionProvider = Main.VersionProvider.class,
        description = "Textual inversion for Stable Diffusion 2, from one machine to a Spark cluster.",
        subcommands = {TokenizeCommand.class, GenerateCommand.class, TrainCommand.class, InitModelCommand.class,
                PretrainCommand.class, WorldCommand.class, EvaluateModelCommand.class,
                PrepareCommand.class, LatentsCommand.class, PipelineCommand.class,
                org.sdti.jobs.bench.BenchCommand.class,
                CommandLine.HelpCommand.class})
public final class Main implements Callable<Integer> {
    @Spec
    CommandLine.Model.CommandSpec spec;


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
        cl.setResourceBundle(new ReferenceDefaults());
        cl.setExecutionExceptionHandler(Main::handle);
        cl.setParameterExceptionHandler(Main::handleUsage);
        return cl;
    }

    /** {@code sdti} without a command: the usage on stderr and exit 2, as for any other incomplete command line. */
    @Override
    public Integer call() {
        PrintWriter err = spec.commandLine().getErr();
        spec.commandLine().usage(err);
        err.println("sdti: name a command (see above)");
        err.flush();
        return ExitCodes.BAD_INPUT;
    }

    /** A command line picocli cannot parse: one line naming the command, the argument and the closest options. */
    private static int handleUsage(CommandLine.ParameterException e, String[] args) {
        CommandLine cl = e.getCommandLine();
        String name = cl.getCommandSpec().qualifiedName();
        String message = e.getMessage();
        if (e instanceof CommandLine.UnmatchedArgumentException u && !u.getUnmatched().isEmpty()) {
            String first = u.getUnmatched().get(0);
            List<String> close = u.getSuggestions().stream().limit(3).toList();
            message = (first.startsWith("-") ? "unknown option '" : "unexpected argument '") + first + "'"
                    + (close.isEmpty() ? "" : "; did you mean " + String.join(" or ", close) + "?");
        }
        PrintWriter err = cl.getErr();
        err.println(name + ": " + message + " (see '" + name + " --help')");
        err.flush();
        return ExitCodes.BAD_INPUT;
    }

    private static int handle(Exception e, CommandLine cl, CommandLine.ParseResult parsed) {
        PrintWriter err = cl.getErr();
        int code = ExitCodes.of(e);
        // messages may quote a URI a file system was given: never its user info (credentials)
        if (code == ExitCodes.BAD_INPUT) {
            err.println(cl.getCommandSpec().qualifiedName() + ": " + Redaction.uris(oneLine(e.getMessage())));
        } else if (e instanceof RunFailedException) {
            err.println(cl.getCommandSpec().qualifiedName() + " failed: " + Redaction.uris(oneLine(e.getMessage())));
        } else {
            java.io.StringWriter trace = new java.io.StringWriter();
            e.printStackTrace(new PrintWriter(trace));
            err.println(cl.getCommandSpec().qualifiedName() + " failed: " + Redaction.uris(e.toString()));
            err.print(Redaction.uris(trace.toString()));
        }
        err.flush();
        return code;
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
