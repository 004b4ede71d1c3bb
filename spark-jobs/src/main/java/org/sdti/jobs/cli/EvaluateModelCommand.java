package org.sdti.jobs.cli;

import com.typesafe.config.Config;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.stream.Collectors;
import javax.imageio.ImageIO;
import org.sdti.dataprep.RgbImage;
import org.sdti.dataprep.WholeFolder;
import org.sdti.dataprep.world.Colour;
import org.sdti.dataprep.world.Shape;
import org.sdti.jobs.config.GenerateSettings;
import org.sdti.jobs.config.SdtiConfig;
import org.sdti.jobs.evaluate.ModelQuality;
import org.sdti.jobs.evaluate.QualityGrid;
import org.sdti.jobs.evaluate.QualityReport;
import org.sdti.jobs.evaluate.QualityRun;
import org.sdti.jobs.generate.GenerationInfo;
import org.sdti.jobs.generate.PngText;
import org.sdti.jobs.generate.Progress;
import org.sdti.jobs.runtime.ExitCodes;
import org.sdti.model.BadInputException;
import org.sdti.model.io.ModelSource;
import org.sdti.model.pipelines.GenerationRequest;
import org.sdti.model.pipelines.GenerationResult;
import org.sdti.model.pipelines.StableDiffusion;
import org.sdti.model.pipelines.TextToImage;
import org.sdti.model.schedulers.SamplerChoice;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code sdti evaluate-model}: how well a base model trained on a world sdti knows draws it ({@link ModelQuality}).
 * Everything the user can get wrong (flags, the model's world, the output folder) is checked before the weights
 * load; the folder appears whole when the run ends ({@link WholeFolder}), replacing an earlier result.
 */
@Command(name = "evaluate-model", mixinStandardHelpOptions = true, sortOptions = false,
        header = "Measure how well a model trained on the toy world draws every colour and shape of it.",
        description = {"For a model whose model_index.json declares a world sdti knows (\"_sdti_world\": \"shapes\", "
                + "as the toy model does; docs/world.md), renders \"a photo of a COLOUR SHAPE\" for every colour and "
                + "shape with seeds 0..N-1 and generate's settings (the pictures of a pair are those of sdti generate "
                + "--prompt P --seed 0 --images-per-prompt N), reads every picture with the world's classifier and "
                + "writes DIR/quality.md "
                + "(a table per colour and shape, the totals and how they were made), DIR/quality.json (the same "
                + "with every picture's reading), DIR/grid.png (the first seeds of every pair, enlarged) and "
                + "DIR/images/COLOUR-SHAPE-SEED.png.",
                "DIR appears only when complete; an earlier evaluate-model result there is replaced, any other "
                        + "folder is refused. Exit 2 for a model that declares no world sdti knows."})
final class EvaluateModelCommand implements Callable<Integer> {
    /** Pictures per pair shown on the grid, and the size a picture is enlarged to at least. */
    private static final int GRID_SEEDS = 4;
    private static final int GRID_PIXELS = 64;

    @Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Mixin
    ModelOption model = new ModelOption();

    @Option(names = "--output", required = true, paramLabel = "DIR",
            description = "Folder to write (local); an earlier evaluate-model result in it is replaced.")
    Path output;

    @Option(names = "--seeds", defaultValue = "8", paramLabel = "N",
            description = "Pictures per colour and shape, seeds 0..N-1 (default ${DEFAULT-VALUE}).")
    int seeds;

    @Mixin
    SamplingFlags sampling = new SamplingFlags();

    @Override
    public Integer call() throws IOException {
        if (seeds < 1) {
            throw new BadInputException("--seeds: must be >= 1, got " + seeds);
        }
        Map<String, Object> flags = new HashMap<>(model.flags());
        flags.putAll(sampling.flags());
        Config cfg = SdtiConfig.load(null, flags);
        ModelSource folder = ModelOption.open(cfg);
        String world = folder.modelIndex().world();
        if (!ModelQuality.knows(world)) {
            throw new BadInputException(folder.location() + ": model_index.json " + (world == null
                    ? "has no \"_sdti_world\" field" : "declares \"_sdti_world\": \"" + world + "\"")
                    + "; evaluate-model measures models trained on a world sdti knows (\"_sdti_world\": \""
                    + String.join("\", \"", ModelQuality.WORLDS) + "\", e.g. init-model --config toy)");
        }
        GenerateSettings.Request d = GenerateSettings.from(cfg).defaults();
        Path dir = output.toAbsolutePath().normalize();
        checkOutput(dir);
        String modelName = GenerationInfo.modelName(folder);

        PrintWriter err = spec.commandLine().getErr();
        err.println("evaluate-model: loading " + folder.location());
        err.flush();
        try (StableDiffusion sd = StableDiffusion.load(folder)) {
            TextToImage pipeline = new TextToImage(sd);
            Map<String, String> hashes = sd.weightsSha256(); // the weights' digests, as generate writes them
            SamplerChoice choice = d.scheduler() == null ? pipeline.defaultSampler() : null;
            if (choice != null && choice.fallback()) {
                err.println("evaluate-model: " + choice.note());
            }
            String sampler = choice != null ? choice.name() : d.scheduler();
            err.printf(Locale.ROOT, "evaluate-model: \"%s\" for %d colours x %d shapes x %d seeds, %s, %d steps, "
                            + "guidance %s%n", ModelQuality.promptPattern(), Colour.values().length,
                    Shape.values().length, seeds, sampler, d.steps(), d.guidance());
            err.flush();
            long t0 = System.nanoTime();
            WholeFolder.replace(dir, temp -> {
                QualityRun.Result r = QualityRun.run(pipeline, d, seeds, (colour, shape, request, result) ->
                                writePictures(temp, colour, shape, request, result, modelName, hashes),
                        new Progress(err, "evaluate-model", System.console() != null, "image"));
                RgbImage first = r.pictures(Colour.values()[0], Shape.values()[0]).get(0);
                QualityReport.Run run = new QualityReport.Run(folder.location(), hashes, world, sampler, d.steps(),
                        d.guidance(), first.width(), first.height(), commandLine());
                Files.writeString(temp.resolve(QualityReport.MARKDOWN), QualityReport.markdown(r.quality(), run),
                        StandardCharsets.UTF_8);
                Files.writeString(temp.resolve(QualityReport.JSON), QualityReport.json(r.quality(), run),
                        StandardCharsets.UTF_8);
                int zoom = Math.max(1, GRID_PIXELS / first.width());
                ImageIO.write(QualityGrid.draw(r.quality(), r::pictures, GRID_SEEDS, zoom), "png",
                        temp.resolve(QualityReport.GRID).toFile());
                ModelQuality.Hits t = r.quality().total();
                err.printf(Locale.ROOT, "evaluate-model: colour right %.1f%%, shape right %.1f%%, both right %.1f%% "
                                + "of %d pictures in %.0f s%n", 100 * t.colourRate(), 100 * t.shapeRate(),
                        100 * t.bothRate(), t.pictures(), (System.nanoTime() - t0) / 1e9);
            });
        }
        PrintWriter out = spec.commandLine().getOut();
        out.println(dir.resolve(QualityReport.MARKDOWN));
        out.flush();
        return ExitCodes.OK;
    }

    /** A pair's pictures with generate's PNG metadata (prompt, seed, sampler, model and its hashes). */
    private static void writePictures(Path folder, Colour colour, Shape shape, GenerationRequest request,
            GenerationResult result, String modelName, Map<String, String> hashes) throws IOException {
        for (int i = 0; i < result.images().size(); i++) {
            GenerationInfo info = GenerationInfo.of(request, result, i, modelName, hashes, List.of(), null);
            Path file = folder.resolve(QualityReport.picture(colour, shape, i));
            Files.createDirectories(file.getParent());
            Files.write(file, PngText.encode(result.images().get(i), info));
        }
    }

    /** This run's command line as a shell would take it back: {@code sdti evaluate-model --model ...}. */
    private String commandLine() {
        // the parse result's arguments are the whole command line's: from Main they start with this command's name
        List<String> args = spec.commandLine().getParseResult().originalArgs();
        int from = !args.isEmpty() && args.get(0).equals(spec.name()) ? 1 : 0;
        return "sdti evaluate-model " + args.subList(from, args.size()).stream()
                .map(a -> a.matches("[A-Za-z0-9_./:=@%+,-]+") ? a : "'" + a.replace("'", "'\\''") + "'")
                .collect(Collectors.joining(" "));
    }

    /** A new folder, or an earlier evaluate-model result (it has quality.json): nothing else is ours to replace. */
    private void checkOutput(Path dir) {
        if (Files.exists(dir) && !(Files.isDirectory(dir) && Files.isRegularFile(dir.resolve(QualityReport.JSON)))) {
            throw new BadInputException("--output " + dir + ": exists and is not an evaluate-model result (it has no "
                    + QualityReport.JSON + "); give a new folder");
        }
    }
}
