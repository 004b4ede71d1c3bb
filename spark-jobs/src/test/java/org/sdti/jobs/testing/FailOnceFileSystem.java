package org.sdti.jobs.testing;

import java.io.IOException;
import java.net.URI;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.hadoop.fs.FSDataInputStream;
import org.apache.hadoop.fs.Path;
import org.apache.hadoop.fs.RawLocalFileSystem;

/**
 * The local disk under the scheme {@code failonce:} ({@code fs.failonce.impl}), which fails the first opening of an
 * armed file by a Spark task: a task failure injected on its first attempt only, so Spark's retry has something to
 * retry. Driver threads are never failed. The armed name is static because Hadoop makes file systems by class name.
 */
public final class FailOnceFileSystem extends RawLocalFileSystem {
    public static final String SCHEME = "failonce";
    private static final AtomicReference<String> ARMED = new AtomicReference<>();

    /** Fails the next opening by a task of a path ending in {@code suffix}. */
    public static void arm(String suffix) {
        ARMED.set(suffix);
    }

    /** True once the armed failure has happened (or nothing was armed). */
    public static boolean fired() {
        return ARMED.get() == null;
    }

    @Override
    public URI getUri() {
        return URI.create(SCHEME + ":///");
    }

    @Override
    public String getScheme() {
        return SCHEME;
    }

    @Override
    public FSDataInputStream open(Path f, int bufferSize) throws IOException {
        String armed = ARMED.get();
        if (armed != null && f.toString().endsWith(armed)
                && Thread.currentThread().getName().startsWith("Executor task launch worker")
                && ARMED.compareAndSet(armed, null)) {
            throw new IOException("injected failure: the first opening of " + f + " by a task");
        }
        return super.open(f, bufferSize);
    }
}
