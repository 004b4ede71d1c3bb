package org.sdti.model.models.nn;

import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.autodiff.samediff.internal.InferenceSession;
import org.nd4j.autodiff.samediff.internal.SessionMemMgr;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Runs sdti's SameDiff graphs: forward passes through {@link ExecutionPlan}s (or SameDiff's session with the
 * graph's {@link PassMemory}), and gradients through {@link FrozenBackprop}. Every network and training graph
 * calls {@link #output} and {@link #gradients} instead of {@code sd.output} and {@code sd.calculateGradients}.
 */
public final class GraphRunner {
    private GraphRunner() {}

    /**
     * Gradients of the graph's loss variable with respect to {@code variables}, like
     * {@link SameDiff#calculateGradients(Map, String...)} but through {@link FrozenBackprop} (input gradients only,
     * no weight gradients) in one {@link #output} pass that frees intermediates as soon as they are consumed.
     * The gradient ops are added to {@code sd} on the first call, for the shapes of that call's placeholders:
     * later calls must feed the same shapes. Sessions are per thread; concurrent calls on one graph are not
     * supported.
     *
     * @return one gradient per variable, keyed by the variable's name
     */
    public static Map<String, INDArray> gradients(SameDiff sd, Map<String, INDArray> placeholders,
                                                  String... variables) {
        List<String> losses = sd.getLossVariables();
        if (losses == null || losses.size() != 1) {
            throw new IllegalArgumentException("the graph needs exactly one loss variable, not " + losses);
        }
        String[] names = new String[variables.length];
        boolean built = true;
        for (int i = 0; i < variables.length; i++) {
            names[i] = FrozenBackprop.SCOPE + "/" + variables[i] + FrozenBackprop.SUFFIX;
            built &= sd.hasVariable(names[i]);
        }
        if (!built) {
            names = FrozenBackprop.build(sd, losses.get(0), placeholders, variables).toArray(new String[0]);
        }
        Map<String, INDArray> out = output(sd, placeholders, names);
        Map<String, INDArray> byVariable = new LinkedHashMap<>();
        for (int i = 0; i < variables.length; i++) {
            byVariable.put(variables[i], out.get(names[i]));
        }
        return byVariable;
    }

    /**
     * {@code sd.output(placeholders, outputs)}, returning copies in the requested order, through an
     * {@link ExecutionPlan} for these outputs and placeholder shapes (built on the first call, whose pass runs
     * through the session to lay out the plan's arena). Graphs a plan refuses, and plans whose arena would exceed
     * {@link PassMemory#ARENA_BYTES}, run through SameDiff's session with the graph's {@link PassMemory}:
     * intermediates are reused within the pass, and at its end all but {@link PassMemory#RETAINED_BYTES} of them
     * are freed (SameDiff's default session cache lives as long as the graph and grew by ~0.7 GB per full-size
     * U-Net call). Plans and sessions are per thread, but a plan's first run sets parameters on the graph's shared
     * op objects: callers serialise calls on one graph (all of sdti's do).
     */
    public static Map<String, INDArray> output(SameDiff sd, Map<String, INDArray> placeholders, String... outputs) {
        InferenceSession session = sd.getSessions().computeIfAbsent(Thread.currentThread().getId(),
                t -> SameDiff.getInferenceFactory().create(sd));
        SessionMemMgr previous = session.getMmgr();
        if (previous != null && !(previous instanceof PassMemory)) {
            previous.close();
        }
        PassMemory pass = previous instanceof PassMemory kept ? kept : new PassMemory();
        session.setMmgr(pass);
        ExecutionPlan plan = pass.plan(sd, placeholders, List.of(outputs));
        if (plan != null && plan.needsLayout()) {
            // first pass through the session, recording every op output: the plan's arena is laid out from them
            List<String> names = List.of(outputs); // before sd.output, which reorders the array it is given
            Map<String, OutputRecorder.Output> made = new HashMap<>();
            try {
                Map<String, INDArray> viaSession = OutputRecorder.record(sd, made,
                        () -> sd.output(placeholders, outputs));
                if (!plan.layOut(made) || plan.arenaBytes() > PassMemory.ARENA_BYTES) {
                    pass.unplan(names); // too large to keep between passes: the session's pooling serves it better
                }
                Map<String, INDArray> out = new LinkedHashMap<>(); // as the plan returns them: copies, in order
                for (String name : names) {
                    out.put(name, viaSession.get(name).dup());
                }
                return out;
            } finally {
                pass.endPass(0); // the session's pool is not needed once the plan runs
            }
        }
        if (plan != null) {
            try {
                return plan.run(placeholders);
            } finally {
                pass.retain(plan, PassMemory.ARENA_BYTES);
            }
        }
        pass.releasePlans(); // a session pass of this graph gets the memory its kept arenas hold
        try {
            return sd.output(placeholders, outputs);
        } finally {
            pass.endPass(PassMemory.RETAINED_BYTES); // results are never pooled
        }
    }
}
