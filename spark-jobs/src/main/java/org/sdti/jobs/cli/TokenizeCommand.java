package org.sdti.jobs.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.typesafe.config.Config;
import java.io.File;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import org.sdti.jobs.config.SdtiConfig;
import org.sdti.jobs.runtime.ExitCodes;
import org.sdti.model.BadInputException;
import org.sdti.model.io.ModelSource;
import org.sdti.model.text.ClipTokenizer;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code sdti tokenize}: the 77 input ids Stable Diffusion 2's text encoder sees for each text. */
@Command(name = "tokenize",
        header = "Print the 77 text-encoder input ids of each text, one JSON array per line.",
        mixinStandardHelpOptions = true,
        description = {"Print, for each TEXT, one line with a JSON array of the 77 input ids the text encoder sees.",
                "Needs only the tokenizer/ folder of the model folder."})
final class TokenizeCommand implements Callable<Integer> {
    private static final ObjectMapper JSON = new ObjectMapper();

    @Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Mixin
    ModelOption model = new ModelOption();

    @Option(names = "--add-token", paramLabel = "TOKEN[:VECTORS]",
            description = "Add a placeholder token (ids 49408, 49409, ...); with VECTORS > 1 it expands to "
                    + "TOKEN TOKEN_1 ... TOKEN_{n-1}. Repeatable.")
    List<String> addTokens = new ArrayList<>();

    @Option(names = "--input", paramLabel = "FILE", description = "Read the texts from a JSON array of strings.")
    File input;

    @Option(names = "--config", paramLabel = "FILE", description = "HOCON job file (flags override it).")
    File config;

    @Parameters(paramLabel = "TEXT", arity = "0..*", description = "Texts to tokenize.")
    List<String> texts = new ArrayList<>();

    @Override
    public Integer call() throws IOException {
        Config cfg = SdtiConfig.load(config, model.flags());
        ModelSource folder = ModelOption.open(cfg);
        List<String> all = new ArrayList<>(texts);
        if (input != null) {
            all.addAll(readInput(input));
        }
        if (all.isEmpty()) {
            throw new BadInputException("nothing to tokenize: give TEXT arguments or --input FILE");
        }
        ClipTokenizer tokenizer = ClipTokenizer.load(folder.tokenizerFiles());
        for (String spec : addTokens) {
            try {
                tokenizer = tokenizer.withAddedToken(tokenName(spec), vectors(spec));
            } catch (IllegalArgumentException e) {
                throw new BadInputException("--add-token " + spec + ": " + e.getMessage(), e);
            }
        }
        PrintWriter out = this.spec.commandLine().getOut();
        for (String text : all) {
            out.println(JSON.writeValueAsString(tokenizer.encode(text)));
        }
        out.flush();
        return ExitCodes.OK;
    }

    static String tokenName(String spec) {
        int colon = spec.lastIndexOf(':');
        return colon > 0 && spec.substring(colon + 1).matches("\\d+") ? spec.substring(0, colon) : spec;
    }

    static int vectors(String spec) {
        int colon = spec.lastIndexOf(':');
        if (colon > 0 && spec.substring(colon + 1).matches("\\d+")) {
            int n = Integer.parseInt(spec.substring(colon + 1));
            if (n < 1) {
                throw new BadInputException("--add-token " + spec + ": VECTORS must be at least 1");
            }
            return n;
        }
        return 1;
    }

    private static List<String> readInput(File file) throws IOException {
        if (!file.isFile()) {
            throw new BadInputException("--input " + file + " does not exist");
        }
        JsonNode node;
        try {
            node = JSON.readTree(Files.readString(file.toPath()));
        } catch (IOException e) {
            throw new BadInputException("--input " + file + " is not valid JSON: " + e.getMessage());
        }
        if (node == null || !node.isArray()) {
            throw new BadInputException("--input " + file + " must hold a JSON array of strings");
        }
        List<String> out = new ArrayList<>();
        for (JsonNode n : node) {
            if (!n.isTextual()) {
                throw new BadInputException("--input " + file + ": element " + n + " is not a string");
            }
            out.add(n.textValue());
        }
        return out;
    }
}
