package org.sdti.dataprep;

/** Why one file cannot be a training image; the preparer turns it into a {@link Rejection}. */
public final class UnusableImageException extends Exception {
    private final Rejection.Reason reason;

    public UnusableImageException(Rejection.Reason reason, String detail) {
        super(detail);
        this.reason = reason;
    }

    public UnusableImageException(Rejection.Reason reason, String detail, Throwable cause) {
        super(detail, cause);
        this.reason = reason;
    }

    public Rejection.Reason reason() {
        return reason;
    }
}
