package org.sdti.jobs.evaluate;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.Locale;
import java.util.Map;
import org.sdti.dataprep.world.Colour;
import org.sdti.dataprep.world.Shape;
import org.sdti.dataprep.world.WorldReading;

/**
 * The files of an {@code sdti evaluate-model} folder that describe it: {@value #MARKDOWN} (the {@link ModelQuality}
 * table and totals under what produced them: model, weight hashes, seeds, sampler, steps, guidance, the command
 * line) and {@value #JSON} (the same as data, with every picture's file and reading). Text only; the command writes.
 */
public final class QualityReport {
    public static final String MARKDOWN = "quality.md";
    public static final String JSON = "quality.json";
    public static final String GRID = "grid.png";
    private static final ObjectMapper MAPPER = new ObjectMapper();

    /**
     * What the pictures were made with.
     *
     * @param model   the model's location
     * @param sha256  its weight files' SHA-256 per component (unet, text_encoder, vae)
     * @param sampler the sampler's sdti name ({@code ddim}, ...)
     * @param command the command line that made them
     */
    public record Run(String model, Map<String, String> sha256, String world, String sampler, int steps,
                      double guidance, int width, int height, String command) {
        public Run {
            sha256 = Map.copyOf(sha256);
        }
    }

    private QualityReport() {}

    /** A picture's path in the folder: {@code images/red-star-0.png}. */
    public static String picture(Colour colour, Shape shape, int seed) {
        return "images/" + colour.word() + "-" + shape.word() + "-" + seed + ".png";
    }

    public static String markdown(ModelQuality q, Run run) {
        return String.format(Locale.ROOT, """
                # How well the model draws the %s world

                Model `%s` (U-Net SHA-256 `%s`): "%s" for every colour and shape of the world, seeds 0–%d, \
                %s with %d steps, guidance %s, %d×%d px; each picture read by the world's classifier \
                (`docs/world.md`).

                %s
                ![the first seeds of every colour and shape](%s)

                Made by `%s`.
                """, run.world(), run.model(), run.sha256().get("unet"), ModelQuality.promptPattern(),
                q.seeds() - 1, run.sampler(), run.steps(), number(run.guidance()), run.width(), run.height(),
                q.table(), GRID, run.command());
    }

    public static String json(ModelQuality q, Run run) {
        ObjectNode n = MAPPER.createObjectNode();
        n.put("model", run.model());
        ObjectNode hashes = n.putObject("sha256");
        run.sha256().entrySet().stream().sorted(Map.Entry.comparingByKey())
                .forEach(e -> hashes.put(e.getKey(), e.getValue()));
        n.put("world", run.world());
        n.put("prompt", ModelQuality.promptPattern());
        n.put("seeds", q.seeds());
        n.put("sampler", run.sampler());
        n.put("steps", run.steps());
        n.put("guidance", run.guidance());
        n.put("width", run.width());
        n.put("height", run.height());
        n.put("command", run.command());
        hits(n.putObject("total"), q.total());
        ArrayNode cells = n.putArray("cells");
        for (ModelQuality.Cell c : q.cells()) {
            ObjectNode cell = cells.addObject();
            cell.put("colour", c.colour().word());
            cell.put("shape", c.shape().word());
            cell.put("prompt", ModelQuality.prompt(c.colour(), c.shape()));
            hits(cell, new ModelQuality.Hits(c.pictures(), c.colourHits(), c.shapeHits(), c.bothHits()));
            ArrayNode readings = cell.putArray("readings");
            for (int seed = 0; seed < c.pictures(); seed++) {
                WorldReading r = c.readings().get(seed);
                readings.addObject().put("seed", seed).put("file", picture(c.colour(), c.shape(), seed))
                        .put("colour", r.colour().map(Colour::word).orElse(null))
                        .put("shape", r.shape().map(Shape::word).orElse(null))
                        .put("background", r.background().word())
                        .put("fit", Math.round(r.fit() * 1000) / 1000.0);
            }
        }
        return n.toPrettyString() + "\n";
    }

    private static void hits(ObjectNode n, ModelQuality.Hits h) {
        n.put("pictures", h.pictures());
        n.put("colour_hits", h.colour());
        n.put("shape_hits", h.shape());
        n.put("both_hits", h.both());
        n.put("colour_rate", h.colourRate());
        n.put("shape_rate", h.shapeRate());
        n.put("both_rate", h.bothRate());
    }

    /** 7.5, 1 (not 1.0). */
    private static String number(double v) {
        return v == Math.rint(v) ? Long.toString((long) v) : Double.toString(v);
    }
}
