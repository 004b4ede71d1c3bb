package org.sdti.jobs.cli;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.function.Function;
import org.sdti.dataprep.world.Colour;
import org.sdti.dataprep.world.Constraints;
import org.sdti.dataprep.world.Position;
import org.sdti.dataprep.world.Shape;
import org.sdti.dataprep.world.Size;
import org.sdti.dataprep.world.Texture;
import org.sdti.dataprep.world.World;
import org.sdti.dataprep.world.WorldCaptions;
import org.sdti.dataprep.world.WorldDataset;
import org.sdti.jobs.generate.Progress;
import org.sdti.jobs.runtime.ExitCodes;
import org.sdti.model.BadInputException;
import org.sdti.model.pipelines.StepListener;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code sdti world}: writes images of the procedural world of coloured shapes, with captions and labels. */
@Command(name = "world", mixinStandardHelpOptions = true,
        header = "Write captioned images of the toy world of coloured shapes (a data set or a concept folder).",
        description = {"Writes COUNT images (samples 0..COUNT-1 of SEED): OUTPUT/images/NNNNN.png with NNNNN.txt "
                + "captions (a concept folder for --images), OUTPUT/manifest.jsonl (file, caption, labels, placement) "
                + "and OUTPUT/contact-sheet.png. OUTPUT must not exist; it appears only when complete."})
final class WorldCommand implements Callable<Integer> {
    @Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Option(names = "--output", required = true, paramLabel = "DIR", description = "Folder to create.")
    Path output;

    @Option(names = "--count", defaultValue = "1000", paramLabel = "N", description = "Images (default ${DEFAULT-VALUE}).")
    int count;

    @Option(names = "--seed", defaultValue = "0", paramLabel = "S", description = "Data set seed (default ${DEFAULT-VALUE}).")
    long seed;

    @Option(names = "--resolution", defaultValue = "32", paramLabel = "PX",
            description = "Image side: 32 or 64 (default ${DEFAULT-VALUE}).")
    int resolution;

    @Option(names = "--shape", paramLabel = "WORD", description = "Only this shape: circle, square, triangle, star, ring, cross.")
    String shape;

    @Option(names = "--colour", paramLabel = "WORD",
            description = "Only this colour: red, orange, yellow, green, blue, purple, pink, brown, white, black.")
    String colour;

    @Option(names = "--background", paramLabel = "WORD", description = "Only this background colour.")
    String background;

    @Option(names = "--texture", paramLabel = "WORD", description = "Only this background: plain, striped, dotted.")
    String texture;

    @Option(names = "--size", paramLabel = "WORD", description = "Only this size: small, medium, large.")
    String size;

    @Option(names = "--position", paramLabel = "WORD", description = "Only this position: center, left, right, top, bottom.")
    String position;

    @Option(names = "--caption-slot", defaultValue = "none", paramLabel = "WHICH",
            description = "Which words the .txt captions replace by {} (where training puts a concept's token): "
                    + "none, colour, shape, colour-and-shape (default ${DEFAULT-VALUE}); the manifest keeps the full caption.")
    String captionSlot;

    @Override
    public Integer call() throws IOException {
        if (count < 1) {
            throw new BadInputException("--count: must be >= 1, got " + count);
        }
        World world;
        Constraints fixed;
        WorldCaptions.Slot slot;
        try {
            world = World.of(resolution);
        } catch (IllegalArgumentException e) {
            throw new BadInputException("--resolution: " + e.getMessage(), e);
        }
        try {
            fixed = new Constraints(word("--shape", shape, Shape::ofWord), word("--colour", colour, Colour::ofWord),
                    word("--background", background, Colour::ofWord), word("--texture", texture, Texture::ofWord),
                    word("--size", size, Size::ofWord), word("--position", position, Position::ofWord));
        } catch (IllegalArgumentException e) {
            throw new BadInputException("--colour/--background: " + e.getMessage(), e);
        }
        slot = word("--caption-slot", captionSlot, WorldCommand::slot);

        PrintWriter err = spec.commandLine().getErr();
        Progress progress = new Progress(err, "world", System.console() != null);
        int every = Math.max(1, count / 100);
        try {
            WorldDataset.write(new WorldDataset.Request(world, seed, count, fixed, slot), output, done -> {
                if (done == 1 || done % every == 0 || done == count) {
                    progress.onStep(new StepListener.Step(done - 1, count, 0, null, null));
                }
            });
        } catch (FileAlreadyExistsException e) {
            throw new BadInputException("--output " + output + ": exists; give a new folder", e);
        }
        spec.commandLine().getOut().println(output.resolve("images") + ": " + count + " images; manifest "
                + output.resolve("manifest.jsonl"));
        return ExitCodes.OK;
    }

    private static WorldCaptions.Slot slot(String word) {
        for (WorldCaptions.Slot s : WorldCaptions.Slot.values()) {
            if (s.name().toLowerCase(Locale.ROOT).replace('_', '-').equals(word)) {
                return s;
            }
        }
        throw new IllegalArgumentException("unknown \"" + word + "\"; expected none, colour, shape or colour-and-shape");
    }

    /** A flag's word as a label, or null when the flag is not given. */
    private static <T> T word(String flag, String value, Function<String, T> parse) {
        if (value == null) {
            return null;
        }
        try {
            return parse.apply(value.trim().toLowerCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new BadInputException(flag + ": " + e.getMessage(), e);
        }
    }
}
