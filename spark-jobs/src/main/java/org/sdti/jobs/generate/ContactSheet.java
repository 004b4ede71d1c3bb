package org.sdti.jobs.generate;

import java.awt.Color;
import java.awt.Font;
import java.awt.FontMetrics;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.util.List;

/**
 * A grid of one folder's images: one row per request (in {@code sdti.generate.prompts} order), one cell per image
 * of it (seeds in the listed order, then the images of each seed), each cell the image scaled down to fit
 * {@code sdti.generate.contact-sheet-thumbnail} px and two label lines under it: the image's seed, then its prompt (cut to the cell's width).
 * A failed image is a grey cell labelled "failed". The size depends on the cells only, never on the fonts:
 * a cell is {@code max(}{@value #MIN_CELL_WIDTH}{@code , widest thumbnail)} wide and the tallest thumbnail plus
 * {@value #LABEL_HEIGHT} px high, with {@value #PAD} px around every cell. Without usable fonts (a bare headless
 * JVM) the labels are left out and the order above is the only key.
 */
final class ContactSheet {
    static final int PAD = 4;
    static final int MIN_CELL_WIDTH = 128;
    static final int LINE = 14;
    static final int LABEL_HEIGHT = 2 * LINE;

    /** One cell: the image (null when it failed), its size, and its two label lines. */
    record Cell(BufferedImage image, int width, int height, String seedLine, String promptLine) {}

    private ContactSheet() {}

    /** The width and height of a thumbnail of a {@code w × h} image at most {@code max} px on its longest side. */
    static int[] thumbSize(int w, int h, int max) {
        double scale = Math.min(1.0, (double) max / Math.max(w, h));
        return new int[] {Math.max(1, (int) Math.round(w * scale)), Math.max(1, (int) Math.round(h * scale))};
    }

    static BufferedImage draw(List<List<Cell>> rows, int maxThumb) {
        int cols = rows.stream().mapToInt(List::size).max().orElse(0);
        int thumbW = 1;
        int thumbH = 1;
        for (List<Cell> row : rows) {
            for (Cell c : row) {
                int[] t = thumbSize(c.width(), c.height(), maxThumb);
                thumbW = Math.max(thumbW, t[0]);
                thumbH = Math.max(thumbH, t[1]);
            }
        }
        int cellW = Math.max(MIN_CELL_WIDTH, thumbW);
        int cellH = thumbH + LABEL_HEIGHT;
        BufferedImage sheet = new BufferedImage(PAD + Math.max(cols, 1) * (cellW + PAD),
                PAD + Math.max(rows.size(), 1) * (cellH + PAD), BufferedImage.TYPE_INT_RGB);
        Graphics2D g = sheet.createGraphics();
        try {
            g.setColor(Color.WHITE);
            g.fillRect(0, 0, sheet.getWidth(), sheet.getHeight());
            g.setRenderingHint(RenderingHints.KEY_INTERPOLATION, RenderingHints.VALUE_INTERPOLATION_BILINEAR);
            boolean labels = true;
            for (int r = 0; r < rows.size(); r++) {
                for (int c = 0; c < rows.get(r).size(); c++) {
                    Cell cell = rows.get(r).get(c);
                    int x = PAD + c * (cellW + PAD);
                    int y = PAD + r * (cellH + PAD);
                    int[] t = thumbSize(cell.width(), cell.height(), maxThumb);
                    if (cell.image() == null) {
                        g.setColor(Color.LIGHT_GRAY);
                        g.fillRect(x + (cellW - t[0]) / 2, y + (thumbH - t[1]) / 2, t[0], t[1]);
                    } else {
                        g.drawImage(cell.image(), x + (cellW - t[0]) / 2, y + (thumbH - t[1]) / 2, t[0], t[1], null);
                    }
                    if (labels) {
                        labels = label(g, cell, x, y + thumbH, cellW);
                    }
                }
            }
        } finally {
            g.dispose();
        }
        return sheet;
    }

    /** Draws the two lines; false when the JVM has no usable font (then no cell gets labels). */
    private static boolean label(Graphics2D g, Cell cell, int x, int y, int width) {
        try {
            g.setRenderingHint(RenderingHints.KEY_TEXT_ANTIALIASING, RenderingHints.VALUE_TEXT_ANTIALIAS_ON);
            g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 11));
            g.setColor(Color.BLACK);
            FontMetrics m = g.getFontMetrics();
            g.drawString(fit(cell.seedLine(), m, width - 2), x + 1, y + LINE - 3);
            g.setColor(Color.DARK_GRAY);
            g.drawString(fit(cell.promptLine(), m, width - 2), x + 1, y + 2 * LINE - 3);
            return true;
        } catch (RuntimeException | LinkageError | InternalError e) {
            // a JRE without fonts or fontconfig: the sheet still shows the images in the documented order
            return false;
        }
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
