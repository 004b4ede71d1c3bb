package org.sdti.jobs.train;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import org.sdti.model.inversion.LossLog;
import org.sdti.model.inversion.StepRecord;
import org.sdti.model.io.OutputFolder;

/**
 * A concept's loss curves in its output folder as the train stage keeps them: {@code loss.csv} (per step the mean
 * over replicas, smoothed, see {@link LossLog}) and, with replicas > 1, {@code loss-replicas.csv} (each replica's
 * loss and gradient norm). Both are rewritten whole after every round; a resumed run keeps the lines up to its
 * checkpoint (a killed run may have written more).
 */
final class LossFiles {
    /** Each replica's loss curve (replicas > 1), beside loss.csv's mean. */
    static final String REPLICAS = "loss-replicas.csv";
    static final String REPLICAS_HEADER = "step,replica,loss,gradient_norm";

    private final OutputFolder out;
    private final int replicas;
    private final LossLog mean;
    private final List<String> replicaLines;

    private LossFiles(OutputFolder out, int replicas, LossLog mean, List<String> replicaLines) {
        this.out = out;
        this.replicas = replicas;
        this.mean = mean;
        this.replicaLines = replicaLines;
    }

    /** The curves of {@code out} up to and including step {@code upTo}, to go on with. */
    static LossFiles read(OutputFolder out, int replicas, long upTo) throws IOException {
        LossLog mean = mean(out, upTo);
        List<String> lines = new ArrayList<>();
        out.readText(REPLICAS).ifPresent(csv -> csv.lines().skip(1)
                .filter(l -> Long.parseLong(l.substring(0, l.indexOf(','))) <= upTo)
                .forEach(lines::add));
        return new LossFiles(out, replicas, mean, lines);
    }

    /** The mean curve of a concept that trains no further, for its report: the replicas' file is not read. */
    static LossFiles finished(OutputFolder out, int replicas, long upTo) throws IOException {
        return new LossFiles(out, replicas, mean(out, upTo), List.of());
    }

    private static LossLog mean(OutputFolder out, long upTo) throws IOException {
        return out.readText(LossLog.FILE).map(csv -> LossLog.parse(csv, upTo)).orElse(new LossLog());
    }

    /** The mean curve (what loss.csv holds). */
    LossLog mean() {
        return mean;
    }

    /** Adds a round's steps, rewrites the files and returns the sum of the round's (mean) losses. */
    double add(ReplicaRound.Averaged round) throws IOException {
        double sum = 0;
        for (StepRecord s : round.steps().records()) {
            mean.add(s);
            sum += s.loss();
        }
        out.writeText(LossLog.FILE, mean.toCsv());
        if (replicas > 1) {
            for (int i = 0; i < round.steps().size(); i++) {
                for (int k = 0; k < round.perReplica().size(); k++) {
                    ReplicaRound.Steps mine = round.perReplica().get(k);
                    replicaLines.add(mine.step()[i] + "," + k + "," + mine.loss()[i] + "," + mine.gradientNorm()[i]);
                }
            }
            out.writeText(REPLICAS, REPLICAS_HEADER + "\n" + String.join("\n", replicaLines) + "\n");
        }
        return sum;
    }
}
