package org.sdti.jobs.evaluate;

import java.awt.image.BufferedImage;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.function.BiFunction;
import org.sdti.dataprep.RgbImage;
import org.sdti.dataprep.world.Colour;
import org.sdti.dataprep.world.Shape;
import org.sdti.jobs.generate.ContactSheet;

/**
 * {@code grid.png} of an evaluate-model folder: the {@link ModelQuality} table as pictures. One row per colour
 * (headed by its rates), one cell per shape holding the first seeds' pictures side by side (data-prep's world
 * {@link org.sdti.dataprep.world.ContactSheet} strip) under a label with the cell's hits; the generate job's
 * {@link ContactSheet} lays the rows out and enlarges every strip by a whole factor, so pixels stay blocks.
 */
public final class QualityGrid {
    private QualityGrid() {}

    /**
     * @param pictures the pictures of a (colour, shape) cell in seed order
     * @param shown    how many of each cell's pictures to show (at most the seeds)
     * @param zoom     the whole factor each picture is enlarged by
     */
    public static BufferedImage draw(ModelQuality q, BiFunction<Colour, Shape, List<RgbImage>> pictures, int shown,
            int zoom) {
        int k = Math.min(shown, q.seeds());
        List<ContactSheet.Row> rows = new ArrayList<>();
        int longest = 1;
        for (Colour colour : Colour.values()) {
            List<ContactSheet.Cell> cells = new ArrayList<>();
            for (Shape shape : Shape.values()) {
                RgbImage strip = org.sdti.dataprep.world.ContactSheet.of(pictures.apply(colour, shape).subList(0, k),
                        k, 1);
                longest = Math.max(longest, Math.max(strip.width(), strip.height()));
                ModelQuality.Cell c = q.cell(colour, shape);
                BufferedImage image = new org.sdti.model.pipelines.RgbImage(strip.width(), strip.height(),
                        strip.rgb()).toBufferedImage();
                String label = String.format(Locale.ROOT, "%s  %d/%d", shape.word(), c.colourHits(), c.shapeHits());
                cells.add(new ContactSheet.Cell(image, strip.width(), strip.height(), label));
            }
            ModelQuality.Hits h = q.colour(colour);
            rows.add(new ContactSheet.Row(String.format(Locale.ROOT, "%s: colour right %s, shape right %s "
                            + "(label: colour/shape right of %d seeds; seeds 0-%d shown)", colour.word(),
                    ModelQuality.percent(h.colourRate(), 0), ModelQuality.percent(h.shapeRate(), 0), q.seeds(),
                    k - 1), cells));
        }
        return ContactSheet.draw(rows, longest * zoom);
    }
}
