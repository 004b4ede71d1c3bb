package org.sdti.jobs.generate;

import java.awt.Color;
import java.awt.Font;
import java.awt.FontMetrics;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;

/**
 * A grid of one folder's images: one row per request (in {@code sdti.generate.prompts} order) under its prompt,
 * written once across the sheet's width and wrapped over {@value #PROMPT_LINES} lines; one cell per image of it
 * (seeds in the listed order, then the images of each seed) labelled with its seed. Each image is scaled to
 * {@code sdti.generate.contact-sheet-thumbnail} px on its longest side: larger ones down, smaller ones up by a whole
 * factor with their pixels as blocks (a 16 px image of a tiny model is unreadable as it is). A failed image is a
 * grey cell labelled "failed". The size depends on the cells only, never on the fonts: a cell is
 * {@code max(}{@value #MIN_CELL_WIDTH}{@code , widest thumbnail)} wide, a row the prompt lines, the tallest
 * thumbnail and the seed line high, the sheet at least {@value #MIN_WIDTH} px wide, with {@value #PAD} px around
 * everything. Without usable fonts (a bare headless JVM) the labels are left out and the order above is the only key.
 * {@code sdti evaluate-model}'s grid uses it too, with a colour per row and a strip of seeds per cell.
 */
public final class ContactSheet {
    static final int PAD = 4;
    static final int MIN_CELL_WIDTH = 128;
    static final int MIN_WIDTH = 392;
    static final int LINE = 14;
    static final int PROMPT_LINES = 2;
    static final int PROMPT_HEIGHT = PROMPT_LINES * LINE;

    /** One cell: the image (null when it failed), its size, and its label line. */
    public record Cell(BufferedImage image, int width, int height, String seedLine) {}

    /** One request: its prompt and its cells. */
    public record Row(String prompt, List<Cell> cells) {}

    private ContactSheet() {}

    /**
     * The width and height of a {@code w × h} image on the sheet: scaled down to {@code max} px on its longest side,
     * or up by the largest whole factor that stays within it.
     */
    static int[] thumbSize(int w, int h, int max) {
        int longest = Math.max(w, h);
        double scale = longest > max ? (double) max / longest : Math.max(1, max / longest);
        return new int[] {Math.max(1, (int) Math.round(w * scale)), Math.max(1, (int) Math.round(h * scale))};
    }

    public static BufferedImage draw(List<Row> rows, int maxThumb) {
        int cols = rows.stream().mapToInt(r -> r.cells().size()).max().orElse(0);
        int thumbW = 1;
        int thumbH = 1;
        for (Row row : rows) {
            for (Cell c : row.cells()) {
                int[] t = thumbSize(c.width(), c.height(), maxThumb);
                thumbW = Math.max(thumbW, t[0]);
                thumbH = Math.max(thumbH, t[1]);
            }
        }
        int cellW = Math.max(MIN_CELL_WIDTH, thumbW);
        int rowH = PROMPT_HEIGHT + thumbH + LINE;
        int width = Math.max(MIN_WIDTH, PAD + Math.max(cols, 1) * (cellW + PAD));
        BufferedImage sheet = new BufferedImage(width, PAD + Math.max(rows.size(), 1) * (rowH + PAD),
                BufferedImage.TYPE_INT_RGB);
        Graphics2D g = sheet.createGraphics();
        try {
            g.setColor(Color.WHITE);
            g.fillRect(0, 0, sheet.getWidth(), sheet.getHeight());
            boolean labels = true;
            for (int r = 0; r < rows.size(); r++) {
                int y = PAD + r * (rowH + PAD);
                List<Cell> cells = rows.get(r).cells();
                if (labels) {
                    String prompt = rows.get(r).prompt();
                    labels = text(g, m -> wrap(prompt, m, width - 2 * PAD, PROMPT_LINES), PAD, y, Color.BLACK);
                }
                for (int c = 0; c < cells.size(); c++) {
                    Cell cell = cells.get(c);
                    int x = PAD + c * (cellW + PAD);
                    int[] t = thumbSize(cell.width(), cell.height(), maxThumb);
                    int ix = x + (cellW - t[0]) / 2;
                    int iy = y + PROMPT_HEIGHT + (thumbH - t[1]) / 2;
                    if (cell.image() == null) {
                        g.setColor(Color.LIGHT_GRAY);
                        g.fillRect(ix, iy, t[0], t[1]);
                    } else {
                        g.setRenderingHint(RenderingHints.KEY_INTERPOLATION, t[0] > cell.width()
                                ? RenderingHints.VALUE_INTERPOLATION_NEAREST_NEIGHBOR
                                : RenderingHints.VALUE_INTERPOLATION_BILINEAR);
                        g.drawImage(cell.image(), ix, iy, t[0], t[1], null);
                    }
                    if (labels) {
                        labels = text(g, m -> List.of(fit(cell.seedLine(), m, cellW - 2)), x + 1,
                                y + PROMPT_HEIGHT + thumbH, Color.DARK_GRAY);
                    }
                }
            }
        } finally {
            g.dispose();
        }
        return sheet;
    }

    /** Draws the lines from {@code y} down; false when the JVM has no usable font (then no label is drawn). */
    private static boolean text(Graphics2D g, Function<FontMetrics, List<String>> layout, int x, int y,
            Color color) {
        try {
            g.setRenderingHint(RenderingHints.KEY_TEXT_ANTIALIASING, RenderingHints.VALUE_TEXT_ANTIALIAS_ON);
            g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 11));
            g.setColor(color);
            List<String> lines = layout.apply(g.getFontMetrics());
            for (int i = 0; i < lines.size(); i++) {
                g.drawString(lines.get(i), x, y + (i + 1) * LINE - 3);
            }
            return true;
        } catch (RuntimeException | LinkageError | InternalError e) {
            // a JRE without fonts or fontconfig: the sheet still shows the images in the documented order
            return false;
        }
    }

    /**
     * The text word-wrapped into at most {@code maxLines} lines of {@code width} pixels; a word wider than a line is
     * broken, and what does not fit into the last line ends it with "...".
     */
    static List<String> wrap(String text, FontMetrics m, int width, int maxLines) {
        List<String> lines = new ArrayList<>();
        String rest = text.strip();
        while (!rest.isEmpty() && lines.size() < maxLines) {
            if (lines.size() == maxLines - 1 || m.stringWidth(rest) <= width) {
                lines.add(fit(rest, m, width));
                break;
            }
            int end = rest.length();
            while (end > 1 && m.stringWidth(rest.substring(0, end)) > width) {
                end--;
            }
            int space = rest.lastIndexOf(' ', end);
            int cut = space > 0 && end < rest.length() ? space : end;
            lines.add(rest.substring(0, cut).strip());
            rest = rest.substring(cut).strip();
        }
        return lines;
    }

    /** The text, cut with "..." to fit {@code width} pixels. */
    static String fit(String text, FontMetrics m, int width) {
        if (m.stringWidth(text) <= width) {
            return text;
        }
        String ellipsis = "...";
        int end = text.length();
        while (end > 0 && m.stringWidth(text.substring(0, end) + ellipsis) > width) {
            end--;
        }
        return text.substring(0, end) + ellipsis;
    }
}
