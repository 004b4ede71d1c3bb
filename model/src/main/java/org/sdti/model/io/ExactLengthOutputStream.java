package org.sdti.model.io;

import java.io.IOException;
import java.io.OutputStream;

/**
 * Passes one tensor's bytes through, refusing more than the declared length and reporting fewer, so a wrong
 * {@link TensorSource} cannot shift every later tensor. Closing it does not close the file.
 */
final class ExactLengthOutputStream extends OutputStream {
    private final OutputStream out;
    private final long expected;
    private long written;

    ExactLengthOutputStream(OutputStream out, long expected) {
        this.out = out;
        this.expected = expected;
    }

    @Override
    public void write(int b) throws IOException {
        reserve(1);
        out.write(b);
    }

    @Override
    public void write(byte[] b, int off, int len) throws IOException {
        reserve(len);
        out.write(b, off, len);
    }

    private void reserve(int n) throws IOException {
        if (n > expected - written) {
            throw new IOException("the source wrote more than the " + expected + " bytes its dtype and shape need");
        }
        written += n;
    }

    /** Throws unless exactly the declared length was written. */
    void finish() throws IOException {
        if (written != expected) {
            throw new IOException("the source wrote " + written + " bytes, not the " + expected
                    + " its dtype and shape need");
        }
    }

    @Override
    public void close() {
        // the writer owns the underlying stream
    }
}
