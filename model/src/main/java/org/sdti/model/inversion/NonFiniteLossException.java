package org.sdti.model.inversion;

/**
 * A training step produced a NaN or infinite loss or gradient. The step's update is not applied, so the state
 * before it (and every checkpoint written so far) stays good.
 */
public final class NonFiniteLossException extends RuntimeException {
    private final String concept;
    private final long step;
    private final double loss;

    public NonFiniteLossException(String concept, long step, double loss, String what) {
        this("concept '" + concept + "': " + what + " at step " + step
                + " (lower the learning rate, or look for a broken image); the step was not applied", concept,
                step, loss);
    }

    private NonFiniteLossException(String message, String concept, long step, double loss) {
        super(message);
        this.concept = concept;
        this.step = step;
        this.loss = loss;
    }

    /** The same failure, its message extended with what was kept (e.g. the last good checkpoint). */
    public NonFiniteLossException with(String note) {
        NonFiniteLossException e = new NonFiniteLossException(getMessage() + "; " + note, concept, step, loss);
        e.initCause(this);
        return e;
    }

    public String concept() {
        return concept;
    }

    /** The 1-based step whose loss or gradient was not finite. */
    public long step() {
        return step;
    }

    public double loss() {
        return loss;
    }
}
