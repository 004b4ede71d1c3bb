package org.sdti.model.inversion;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.function.Consumer;

/**
 * K training steps of one concept on one replica: draw the step's micro-batches from
 * {@code (seed, concept, replica, step)}, apply the step, repeat. The result depends only on the starting state,
 * the data and the replica, so a Spark task can run it on any executor, and a retried task gives the same state
 * bit for bit. On one machine the trainer runs rounds between its checkpoints with replica 0.
 */
public final class LocalRound {
    /** The state after the round and one record per step taken. */
    public record Result(TrainerState state, List<StepRecord> steps) {
        public Result {
            steps = List.copyOf(steps);
        }
    }

    private final InversionStep step;
    private final BatchSampler sampler;

    public LocalRound(InversionStep step, BatchSampler sampler) {
        this.step = Objects.requireNonNull(step, "step");
        this.sampler = Objects.requireNonNull(sampler, "sampler");
    }

    public Result run(TrainerState start, ConceptData data, int replica, int steps) {
        return run(start, data, replica, steps, r -> { });
    }

    /**
     * @param onStep called after every step (progress, loss log); a {@link NonFiniteLossException} leaves the
     *               round with nothing applied from the failing step
     */
    public Result run(TrainerState start, ConceptData data, int replica, int steps, Consumer<StepRecord> onStep) {
        if (!start.concept().equals(data.concept())) {
            throw new IllegalArgumentException("state of concept '" + start.concept() + "' given data of '"
                    + data.concept() + "'");
        }
        TrainerState s = start;
        List<StepRecord> records = new ArrayList<>(steps);
        for (int i = 0; i < steps; i++) {
            List<MicroBatch> batches = sampler.draw(data, s.seed(), replica, s.step());
            InversionStep.Outcome o = step.apply(s, batches);
            s = o.state();
            StepRecord r = new StepRecord(s.step(), o.loss(), o.learningRate(), o.gradientNorm());
            records.add(r);
            onStep.accept(r);
        }
        return new Result(s, records);
    }
}
