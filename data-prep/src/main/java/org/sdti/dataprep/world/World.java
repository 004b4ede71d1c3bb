package org.sdti.dataprep.world;

import java.util.List;
import java.util.SplittableRandom;
import org.sdti.dataprep.RgbImage;

/**
 * A procedural world of captioned pictures: one shape ({@link Shape}) in one colour ({@link Colour}), at one of
 * three sizes and five positions, on a plain, striped or dotted background of another colour. Sample
 * {@code (seed, index)} is a pure function of those two numbers (a SplitMix64 stream keyed by both), so a data set
 * is its seed and count, and any sample can be made alone, on any machine, with the same bytes.
 *
 * <p>Images are 32 × 32 by default: the toy base model trained on this world (issue 12) has to learn it from
 * scratch on 2 CPU cores in about two hours, and a U-Net step costs roughly in proportion to the pixels, so 32 px
 * buys four times the training steps of 64 px, while a 12-px small star still shows its five points. 64 × 64 is
 * supported for a larger model.
 */
public final class World {
    /** The default image side. */
    public static final int DEFAULT_SIDE = 32;
    /** The sides the world draws (and its classifier was measured on). */
    public static final List<Integer> SIDES = List.of(32, 64);

    private static final double SIZE_JITTER = 0.06;

    private final int side;

    private World(int side) {
        this.side = side;
    }

    public static World of(int side) {
        if (!SIDES.contains(side)) {
            throw new IllegalArgumentException("the world draws " + SIDES + " pixel images, not " + side);
        }
        return new World(side);
    }

    public static World standard() {
        return of(DEFAULT_SIDE);
    }

    public int side() {
        return side;
    }

    /** Sample {@code index} of the data set {@code seed}: any shape, colour, background, size and position. */
    public WorldSample sample(long seed, long index) {
        return sample(seed, index, Constraints.NONE);
    }

    /** Sample {@code index} of data set {@code seed} among the images that satisfy {@code fixed}. */
    public WorldSample sample(long seed, long index, Constraints fixed) {
        SplittableRandom random = new SplittableRandom(mix(mix(seed) + index));
        WorldLabels labels = drawLabels(random, fixed);
        Placement at = drawPlacement(random, labels);
        int template = random.nextInt(WorldCaptions.count());
        return new WorldSample(seed, index, render(labels, at), labels, at, template);
    }

    /** The picture of {@code labels} drawn at exactly {@code at}. */
    public RgbImage render(WorldLabels labels, Placement at) {
        return WorldPainter.paint(side, labels, at);
    }

    /** The placement a {@link Position} and {@link Size} mean, without jitter (the middle of what is drawn). */
    public Placement nominal(Size size, Position position) {
        double radius = size.radius() * side;
        double free = free(radius);
        return new Placement(side / 2.0 + position.dx() * free, side / 2.0 + position.dy() * free, radius);
    }

    private static WorldLabels drawLabels(SplittableRandom random, Constraints fixed) {
        Shape shape = pick(random, Shape.values(), fixed.shape());
        Colour colour = fixed.colour() != null ? fixed.colour() : fixed.background() != null
                ? pick(random, Contrast.backgroundsFor(fixed.background()).toArray(Colour[]::new), null)
                : pick(random, Colour.values(), null);
        Colour background = pick(random, Contrast.backgroundsFor(colour).toArray(Colour[]::new), fixed.background());
        // half the backgrounds plain: the simplest pictures are the commonest, as they should be for a small model
        Texture texture = fixed.texture() != null ? fixed.texture()
                : random.nextBoolean() ? Texture.PLAIN : random.nextBoolean() ? Texture.STRIPED : Texture.DOTTED;
        Size size = pick(random, Size.values(), fixed.size());
        Position position = pick(random, Position.values(), fixed.position());
        return new WorldLabels(shape, colour, background, texture, size, position);
    }

    /**
     * Radius jittered ±6 %; pushed towards the position's side to between 85 % and all of the free room, and moved
     * up to a pixel (at 32 px) along the other axis, staying inside the margin.
     */
    private Placement drawPlacement(SplittableRandom random, WorldLabels labels) {
        double radius = labels.size().radius() * side * (1 + SIZE_JITTER * (2 * random.nextDouble() - 1));
        double free = free(radius);
        double wobble = Math.min(free, side / 32.0);
        double along = free * (0.85 + 0.15 * random.nextDouble());
        double cx = side / 2.0 + offset(labels.position().dx(), along, wobble, random);
        double cy = side / 2.0 + offset(labels.position().dy(), along, wobble, random);
        return new Placement(cx, cy, radius);
    }

    private static double offset(int direction, double along, double wobble, SplittableRandom random) {
        double jitter = wobble * (2 * random.nextDouble() - 1);
        return direction == 0 ? jitter : direction * along;
    }

    /** How far a shape of this radius can move from the centre and keep a margin of 1/16 of the side. */
    private double free(double radius) {
        return side / 2.0 - radius - side / 16.0;
    }

    private static <T> T pick(SplittableRandom random, T[] values, T fixed) {
        return fixed != null ? fixed : values[random.nextInt(values.length)];
    }

    /** SplitMix64's finaliser: nearby seeds and indices give unrelated streams. */
    private static long mix(long z) {
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }
}
