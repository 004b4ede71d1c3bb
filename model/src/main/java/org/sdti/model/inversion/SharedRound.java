package org.sdti.model.inversion;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * K training steps of several units (concept replicas) that share one forward/backward per micro-batch: every step
 * draws each unit's micro-batches from its own {@code (seed, concept, replica, step)} streams, computes all their
 * gradients through one graph ({@link InversionStep#gradients}) and gives each unit its own AdamW update with its
 * own settings. A single unit runs exactly {@link LocalRound}'s arithmetic.
 *
 * <p>A unit whose loss or gradient is not finite fails alone: a shared step with any non-finite value is redone
 * with every unit alone (so a NaN in one concept cannot spoil the others' updates through the shared backward pass),
 * the failing unit keeps its state from before that step, and the others go on without it.
 */
public final class SharedRound {
    /**
     * One unit of the round.
     *
     * @param step    the unit's own step (its settings, learning-rate schedule and replica count)
     * @param sampler draws its micro-batches; every unit of a round must have the same accumulation count
     * @param steps   local steps to take
     */
    public record Member(InversionStep step, BatchSampler sampler, ConceptData data, int replica, TrainerState start,
                         int steps) {
        public Member {
            Objects.requireNonNull(step, "step");
            Objects.requireNonNull(sampler, "sampler");
            if (!start.concept().equals(data.concept())) {
                throw new IllegalArgumentException("state of concept '" + start.concept() + "' given data of '"
                        + data.concept() + "'");
            }
        }
    }

    /**
     * A unit's end: its state after the steps it took, one record per step, and the failure that stopped it
     * (null when it took all its steps).
     */
    public record Outcome(TrainerState state, List<StepRecord> steps, NonFiniteLossException failure) {
        public Outcome {
            steps = List.copyOf(steps);
        }
    }

    /** Graphs by shape: a graph for a total batch and a total number of rows (built or reused by the caller). */
    @FunctionalInterface
    public interface Graphs {
        RowGradients of(int batch, int numVectors);
    }

    private final Graphs graphs;

    public SharedRound(Graphs graphs) {
        this.graphs = Objects.requireNonNull(graphs, "graphs");
    }

    /**
     * Runs every member for its steps (members with fewer steps drop out when done).
     *
     * @param onStep called with (member index, record) after every step of a member
     */
    public List<Outcome> run(List<Member> members, StepListener onStep) {
        int n = members.size();
        TrainerState[] states = new TrainerState[n];
        List<List<StepRecord>> records = new ArrayList<>(n);
        NonFiniteLossException[] failures = new NonFiniteLossException[n];
        for (int i = 0; i < n; i++) {
            states[i] = members.get(i).start();
            records.add(new ArrayList<>());
        }
        for (int k = 0; ; k++) {
            List<Integer> active = new ArrayList<>();
            for (int i = 0; i < n; i++) {
                if (failures[i] == null && k < members.get(i).steps()) {
                    active.add(i);
                }
            }
            if (active.isEmpty()) {
                break;
            }
            List<InversionStep.Unit> units = new ArrayList<>(active.size());
            int batch = 0;
            int vectors = 0;
            for (int i : active) {
                Member m = members.get(i);
                List<MicroBatch> batches = m.sampler().draw(m.data(), states[i].seed(), m.replica(), states[i].step());
                units.add(new InversionStep.Unit(states[i], batches));
                batch += batches.get(0).size();
                vectors += states[i].numVectors();
            }
            List<InversionStep.UnitGradient> grads = null;
            if (active.size() > 1) {
                grads = members.get(active.get(0)).step().gradients(graphs.of(batch, vectors), units);
                if (!grads.stream().allMatch(InversionStep.UnitGradient::finite)) {
                    grads = null; // attribute the failure: every unit alone
                }
            }
            for (int j = 0; j < active.size(); j++) {
                int i = active.get(j);
                Member m = members.get(i);
                InversionStep.Unit u = units.get(j);
                try {
                    InversionStep.UnitGradient g = grads != null ? grads.get(j)
                            : m.step().gradients(graphs.of(u.batches().get(0).size(), u.state().numVectors()),
                                    List.of(u)).get(0);
                    InversionStep.Outcome o = m.step().update(states[i], g);
                    states[i] = o.state();
                    StepRecord r = new StepRecord(o.state().step(), o.loss(), o.learningRate(), o.gradientNorm());
                    records.get(i).add(r);
                    onStep.accept(i, r);
                } catch (NonFiniteLossException e) {
                    failures[i] = e;
                }
            }
        }
        List<Outcome> out = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            out.add(new Outcome(states[i], records.get(i), failures[i]));
        }
        return out;
    }

    /** Hears every step of every member. */
    @FunctionalInterface
    public interface StepListener {
        void accept(int member, StepRecord record);
    }
}
