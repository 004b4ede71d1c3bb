package org.sdti.jobs.train;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.sdti.model.inversion.TrainingConfig;

/**
 * What one round of the train stage runs, decided on the driver before any Spark job: each concept trains up to its
 * next multiple of {@code average-every} (fewer steps in its last round) in each of its replicas, one (concept,
 * replica) <em>unit</em> per replica, and the units are grouped to share U-Net passes. Pure: no Spark, no I/O.
 *
 * <p>Units share a pass only when they agree on everything that shapes it ({@link PassShape}: batch size, gradient
 * accumulation, latent size, step count), at most {@code units-per-pass} of them, a concept's replicas side by side
 * and in the order the concepts are given. Which units share a group is what can change numbers (a shared pass is
 * another BLAS call), so it depends on nothing but that order; the group numbers only name Spark partitions.
 */
final class RoundPlan {
    /** A concept's latent size: channels × height × width of its examples' latents. */
    record Latent(long channels, long height, long width) implements Serializable {}

    /** A concept about to train a round, as the plan needs it. */
    record Trainee(String concept, long step, TrainingConfig config, int replicas, Latent latent) {}

    /**
     * A concept's part of the round: steps {@code from + 1 .. until} in each of its replicas.
     *
     * @param last whether {@code until} is the concept's final step
     */
    record Part(String concept, long from, long until, int replicas, boolean last) {
        int steps() {
            return (int) (until - from);
        }

        /** Whether validation images are due after this part: at the end, or when it passes a multiple of every. */
        boolean validationDue(int every) {
            return last || every > 0 && from / every != until / every;
        }
    }

    /** One replica of a concept for the round's steps: what one executor runs, in a group. */
    record Unit(String concept, int replica, int steps) {}

    /** What units must agree on to share U-Net passes. */
    private record PassShape(int batchSize, int gradientAccumulation, Latent latent, int steps) {}

    private final long round;
    private final List<Part> parts;
    private final List<List<Unit>> groups;

    private RoundPlan(long round, List<Part> parts, List<List<Unit>> groups) {
        this.round = round;
        this.parts = List.copyOf(parts);
        this.groups = List.copyOf(groups);
    }

    /**
     * Round number {@code round} of the given concepts (every one still training), grouping at most
     * {@code unitsPerPass} units of the same pass shape.
     */
    static RoundPlan of(long round, List<Trainee> active, int averageEvery, int unitsPerPass) {
        if (active.isEmpty() || averageEvery < 1 || unitsPerPass < 1) {
            throw new IllegalArgumentException("a round needs concepts, average-every >= 1 and units-per-pass >= 1; "
                    + "got " + active.size() + " concept(s), " + averageEvery + ", " + unitsPerPass);
        }
        List<Part> parts = new ArrayList<>();
        Map<PassShape, List<Unit>> byShape = new LinkedHashMap<>();
        for (Trainee t : active) {
            long total = t.config().steps();
            if (t.step() >= total) {
                throw new IllegalArgumentException("concept '" + t.concept() + "' is at step " + t.step() + " of "
                        + total + ": nothing to train");
            }
            long until = Math.min(total, (t.step() / averageEvery + 1) * averageEvery);
            Part p = new Part(t.concept(), t.step(), until, t.replicas(), until == total);
            parts.add(p);
            PassShape shape = new PassShape(t.config().batchSize(), t.config().gradientAccumulation(), t.latent(),
                    p.steps());
            List<Unit> same = byShape.computeIfAbsent(shape, k -> new ArrayList<>());
            for (int i = 0; i < t.replicas(); i++) {
                same.add(new Unit(t.concept(), i, p.steps()));
            }
        }
        List<List<Unit>> groups = new ArrayList<>();
        for (List<Unit> same : byShape.values()) {
            for (int i = 0; i < same.size(); i += unitsPerPass) {
                groups.add(List.copyOf(same.subList(i, Math.min(same.size(), i + unitsPerPass))));
            }
        }
        return new RoundPlan(round, parts, groups);
    }

    /**
     * The number of the next round of concepts at these steps: rounds count from the start of training, so a
     * resumed run goes on from its checkpoints' round (the least advanced concept's).
     */
    static long next(Collection<Long> steps, int averageEvery) {
        return steps.stream().mapToLong(s -> s / averageEvery).min().orElse(0) + 1;
    }

    long round() {
        return round;
    }

    /** Each concept's part, in the order the concepts were given. */
    List<Part> parts() {
        return parts;
    }

    /** The groups of units that share passes; a group's number is its index. */
    List<List<Unit>> groups() {
        return groups;
    }

    int units() {
        return groups.stream().mapToInt(List::size).sum();
    }

    /** The groups each concept has units in (its data goes to each of them), in increasing order. */
    Map<String, List<Integer>> groupsOf() {
        Map<String, List<Integer>> of = new LinkedHashMap<>();
        for (int g = 0; g < groups.size(); g++) {
            for (Unit u : groups.get(g)) {
                List<Integer> gs = of.computeIfAbsent(u.concept(), k -> new ArrayList<>());
                if (gs.isEmpty() || gs.get(gs.size() - 1) != g) {
                    gs.add(g);
                }
            }
        }
        return of;
    }

    /** Steps of the round counted over every replica. */
    long replicaSteps() {
        return parts.stream().mapToLong(p -> (long) p.steps() * p.replicas()).sum();
    }
}
