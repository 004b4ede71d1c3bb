package org.sdti.jobs.evaluate;

import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.sdti.dataprep.world.Colour;
import org.sdti.dataprep.world.Shape;
import org.sdti.dataprep.world.WorldReading;

/**
 * How well a base model draws the toy world ({@code docs/world.md}): for every (colour, shape) pair, the classifier's
 * readings of the pictures rendered for "a photo of a COLOUR SHAPE", scored against the asked colour and shape. A
 * picture in which the classifier finds no figure is a miss for both. Also the markdown table of the scores: one
 * row per colour, one column per shape.
 */
public final class ModelQuality {

    /** The pictures of one pair, read by the classifier (one reading per seed, in seed order). */
    public record Cell(Colour colour, Shape shape, List<WorldReading> readings) {
        public Cell {
            readings = List.copyOf(readings);
        }

        public int pictures() {
            return readings.size();
        }

        public int colourHits() {
            return (int) readings.stream().filter(r -> r.colour().filter(colour::equals).isPresent()).count();
        }

        public int shapeHits() {
            return (int) readings.stream().filter(r -> r.shape().filter(shape::equals).isPresent()).count();
        }

        public int bothHits() {
            return (int) readings.stream().filter(r -> r.shows(colour, shape)).count();
        }
    }

    /** Hits over a set of pictures. */
    public record Hits(int pictures, int colour, int shape, int both) {
        public double colourRate() {
            return rate(colour);
        }

        public double shapeRate() {
            return rate(shape);
        }

        public double bothRate() {
            return rate(both);
        }

        private double rate(int hits) {
            return pictures == 0 ? 0 : (double) hits / pictures;
        }

        static Hits of(List<Cell> cells) {
            int p = 0;
            int c = 0;
            int s = 0;
            int b = 0;
            for (Cell cell : cells) {
                p += cell.pictures();
                c += cell.colourHits();
                s += cell.shapeHits();
                b += cell.bothHits();
            }
            return new Hits(p, c, s, b);
        }
    }

    private final Map<Colour, Map<Shape, Cell>> cells = new EnumMap<>(Colour.class);
    private final int seeds;

    /** @param cells every (colour, shape) pair of the world exactly once, each with the same number of pictures */
    public ModelQuality(List<Cell> cells) {
        if (cells.isEmpty()) {
            throw new IllegalArgumentException("no cells");
        }
        this.seeds = cells.get(0).pictures();
        for (Cell c : cells) {
            if (c.pictures() != seeds) {
                throw new IllegalArgumentException(c.colour().word() + " " + c.shape().word() + " has "
                        + c.pictures() + " pictures, the first cell " + seeds);
            }
            if (this.cells.computeIfAbsent(c.colour(), k -> new EnumMap<>(Shape.class)).put(c.shape(), c) != null) {
                throw new IllegalArgumentException(c.colour().word() + " " + c.shape().word() + " given twice");
            }
        }
        int expected = Colour.values().length * Shape.values().length;
        if (cells.size() != expected) {
            throw new IllegalArgumentException(cells.size() + " cells, not one per (colour, shape): " + expected);
        }
    }

    /** The worlds (model_index.json's {@code _sdti_world}) whose models this measures. */
    public static final List<String> WORLDS = List.of(WorldEvaluator.WORLD);

    /** The prompt of every cell, with the colour and the shape word in its slots. */
    public static final String PROMPT = "a photo of a %s %s";

    /** {@code a photo of a COLOUR SHAPE}: the prompt with its slots named. */
    public static String promptPattern() {
        return String.format(Locale.ROOT, PROMPT, "COLOUR", "SHAPE");
    }

    /** The prompt whose pictures a cell scores: {@code a photo of a red star}. */
    public static String prompt(Colour colour, Shape shape) {
        return String.format(Locale.ROOT, PROMPT, colour.word(), shape.word());
    }

    /** Whether a model that declares this world (null: none) can be measured. */
    public static boolean knows(String world) {
        return world != null && WORLDS.contains(world);
    }

    /** Pictures per cell (the seeds 0..n-1). */
    public int seeds() {
        return seeds;
    }

    public Cell cell(Colour colour, Shape shape) {
        return cells.get(colour).get(shape);
    }

    /** Every cell, colour-major in palette order, shapes in their order. */
    public List<Cell> cells() {
        List<Cell> out = new ArrayList<>();
        cells.values().forEach(row -> out.addAll(row.values()));
        return out;
    }

    public Hits total() {
        return Hits.of(cells());
    }

    public Hits colour(Colour colour) {
        return Hits.of(List.copyOf(cells.get(colour).values()));
    }

    public Hits shape(Shape shape) {
        return Hits.of(cells.values().stream().map(row -> row.get(shape)).toList());
    }

    /**
     * The markdown table: a row per colour, a column per shape, each cell "colour hits/shape hits" of
     * {@link #seeds()} pictures; per colour and per shape the rates, and the totals under the table.
     */
    public String table() {
        StringBuilder md = new StringBuilder();
        md.append("| colour \\ shape |");
        for (Shape s : Shape.values()) {
            md.append(' ').append(s.word()).append(" |");
        }
        md.append(" colour right | shape right |\n|");
        md.append(" --- |".repeat(1 + Shape.values().length)).append(" ---: | ---: |\n");
        for (Colour c : Colour.values()) {
            md.append("| ").append(c.word()).append(" |");
            for (Shape s : Shape.values()) {
                Cell cell = cell(c, s);
                md.append(' ').append(cell.colourHits()).append('/').append(cell.shapeHits()).append(" |");
            }
            Hits row = colour(c);
            md.append(' ').append(percent(row.colourRate(), 0)).append(" | ").append(percent(row.shapeRate(), 0))
                    .append(" |\n");
        }
        md.append("| colour right |");
        for (Shape s : Shape.values()) {
            md.append(' ').append(percent(shape(s).colourRate(), 0)).append(" |");
        }
        md.append(" | |\n| shape right |");
        for (Shape s : Shape.values()) {
            md.append(' ').append(percent(shape(s).shapeRate(), 0)).append(" |");
        }
        md.append(" | |\n");
        Hits t = total();
        md.append(String.format(Locale.ROOT, "%nEach cell: of %d pictures, how many the classifier read in the asked "
                        + "colour / in the asked shape.%n%n**Colour right %s, shape right %s, both right %s** of %d "
                        + "pictures.%n", seeds, percent(t.colourRate(), 1), percent(t.shapeRate(), 1),
                percent(t.bothRate(), 1), t.pictures()));
        return md.toString();
    }

    static String percent(double rate, int decimals) {
        return String.format(Locale.ROOT, "%." + decimals + "f%%", 100 * rate);
    }
}
