package org.sdti.jobs.evaluate;

import java.io.IOException;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import org.sdti.dataprep.RgbImage;
import org.sdti.dataprep.world.Colour;
import org.sdti.dataprep.world.Shape;
import org.sdti.dataprep.world.WorldClassifier;
import org.sdti.dataprep.world.WorldReading;
import org.sdti.jobs.config.GenerateSettings;
import org.sdti.jobs.generate.Progress;
import org.sdti.jobs.generate.Requests;
import org.sdti.model.pipelines.GenerationRequest;
import org.sdti.model.pipelines.GenerationResult;
import org.sdti.model.pipelines.TextToImage;

/**
 * Renders and reads every cell of a {@link ModelQuality}: "a photo of a COLOUR SHAPE" for seeds 0..n-1 as one batch
 * per pair, the very request {@code sdti generate --prompt P --seed 0 --images-per-prompt n} makes with the same
 * settings (so any picture can be remade alone with {@code generate --seed S}), each picture read by the world's
 * classifier.
 */
public final class QualityRun {
    /** Takes each pair's pictures as they are made (to write them). */
    public interface Sink {
        void accept(Colour colour, Shape shape, GenerationRequest request, GenerationResult result) throws IOException;
    }

    /** The scores and every pair's pictures in seed order. */
    public record Result(ModelQuality quality, Map<Colour, Map<Shape, List<RgbImage>>> pictures) {
        public List<RgbImage> pictures(Colour colour, Shape shape) {
            return pictures.get(colour).get(shape);
        }
    }

    private QualityRun() {}

    /**
     * @param sampling generate's settings: sampler, steps, guidance, eta, negative prompt, size
     * @param progress told the pictures made after each pair
     */
    public static Result run(TextToImage pipeline, GenerateSettings.Request sampling, int seeds, Sink sink,
            Progress progress) throws IOException {
        WorldClassifier classifier = new WorldClassifier();
        List<ModelQuality.Cell> cells = new ArrayList<>();
        Map<Colour, Map<Shape, List<RgbImage>>> pictures = new EnumMap<>(Colour.class);
        int total = Colour.values().length * Shape.values().length * seeds;
        progress.start();
        for (Colour colour : Colour.values()) {
            for (Shape shape : Shape.values()) {
                GenerationRequest request = Requests.of(List.of(ModelQuality.prompt(colour, shape)),
                        sampling.negativePrompt(), seeds, List.of(), sampling.scheduler(), sampling.steps(),
                        sampling.guidance(), sampling.eta(), 0, null, sampling.width(), sampling.height());
                GenerationResult result = pipeline.generate(request);
                sink.accept(colour, shape, request, result);
                List<RgbImage> images = result.images().stream()
                        .map(i -> RgbImage.of(i.width(), i.height(), i.rgb())).toList();
                List<WorldReading> readings = images.stream().map(classifier::classify).toList();
                cells.add(new ModelQuality.Cell(colour, shape, readings));
                pictures.computeIfAbsent(colour, c -> new EnumMap<>(Shape.class)).put(shape, images);
                progress.update((long) cells.size() * seeds, total);
            }
        }
        return new Result(new ModelQuality(cells), pictures);
    }
}
