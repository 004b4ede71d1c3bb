package org.sdti.dataprep.world;

/**
 * Where exactly a shape is drawn, in pixels: the centre of its bounding box ({@code cx}, {@code cy}, measured from
 * the image's top-left corner, pixel centres at half-integers) and its radius (half the larger box side).
 */
public record Placement(double cx, double cy, double radius) {
    public Placement {
        if (!(radius > 0) || !Double.isFinite(cx) || !Double.isFinite(cy)) {
            throw new IllegalArgumentException("bad placement " + cx + ", " + cy + ", radius " + radius);
        }
    }

    /** The same centre, radius times {@code factor}. */
    public Placement scaled(double factor) {
        return new Placement(cx, cy, radius * factor);
    }
}
