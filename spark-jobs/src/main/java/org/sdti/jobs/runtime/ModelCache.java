package org.sdti.jobs.runtime;

import java.io.IOException;
import java.io.Serializable;
import java.io.UncheckedIOException;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.FutureTask;
import java.util.concurrent.atomic.AtomicLong;
import org.nd4j.linalg.api.buffer.DataType;
import org.sdti.model.config.VaeConfig;
import org.sdti.model.io.ModelSource;
import org.sdti.model.models.CheckedWeights;
import org.sdti.model.models.ComponentWeights;
import org.sdti.model.models.Vae;
import org.sdti.model.pipelines.StableDiffusion;
import org.sdti.model.text.ClipTokenizer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The frozen model parts of this JVM, each loaded once and shared by every task that runs here (on an executor,
 * all its task threads; in local mode, the whole job), and the idle single-user objects built on them (training
 * graphs), which later tasks reuse. This is sdti's one piece of static mutable state, on purpose:
 * Spark has no per-executor object lifecycle, and a model part is far too large to ship with tasks or to load per
 * task. Entries live as long as the JVM (an executor serves one application, so one model).
 *
 * <p>Loading is lazy and happens once per key even when many tasks ask at the same time: the first caller loads,
 * the others wait for its result. A failed load is not cached, so a retried task tries again.
 */
public final class ModelCache {
    /** Tokenizer files only; not tied to a dtype. */
    public static final String TOKENIZER = ModelSource.TOKENIZER;
    public static final String VAE = ModelSource.VAE;
    public static final String TEXT_ENCODER = ModelSource.TEXT_ENCODER;
    public static final String UNET = ModelSource.UNET;
    /** A whole {@link StableDiffusion} (tokenizer, text encoder, U-Net, VAE) for generation and training. */
    public static final String PIPELINE = "pipeline";

    private static final Logger LOG = LoggerFactory.getLogger(ModelCache.class);
    private static final Map<Key, FutureTask<Object>> ENTRIES = new ConcurrentHashMap<>();
    private static final AtomicLong LOADS = new AtomicLong();
    private static final Map<Key, java.util.Queue<Object>> IDLE = new ConcurrentHashMap<>();
    private static final AtomicLong BUILT = new AtomicLong();

    private ModelCache() {}

    /**
     * What identifies a loaded part.
     *
     * @param model     the model's {@link ModelRef} text (its qualified URI, and a single file's architecture)
     * @param dtype     the compute type the part was converted to ("-" for the tokenizer)
     * @param component {@link #VAE}, {@link #UNET}, {@link #TEXT_ENCODER}, {@link #TOKENIZER}, or another name
     */
    public record Key(String model, String dtype, String component) implements Serializable {}

    /** Builds a part on a cache miss. */
    @FunctionalInterface
    public interface Loader<T> {
        T load() throws IOException;
    }

    /**
     * The part under {@code key}, loading it with {@code loader} if this JVM has none yet. Blocks while another
     * thread loads the same key.
     *
     * @throws ClassCastException when the key holds a part of another type
     */
    public static <T> T get(Key key, Class<T> type, Loader<T> loader) {
        FutureTask<Object> entry = ENTRIES.computeIfAbsent(key, k -> new FutureTask<>(() -> {
            long t0 = System.nanoTime();
            Object part = loader.load();
            LOADS.incrementAndGet();
            LOG.info("loaded {} of {} ({}) in {} ms", key.component(), key.model(), key.dtype(),
                    (System.nanoTime() - t0) / 1_000_000);
            return part;
        }));
        entry.run(); // a no-op when the load has run or is running in another thread
        try {
            return type.cast(entry.get());
        } catch (ExecutionException e) {
            ENTRIES.remove(key, entry);
            Throwable cause = e.getCause();
            if (cause instanceof IOException io) {
                throw new UncheckedIOException("cannot load " + key.component() + " of " + key.model() + ": "
                        + io.getMessage(), io);
            }
            if (cause instanceof RuntimeException re) {
                throw re;
            }
            if (cause instanceof Error err) {
                throw err;
            }
            throw new IllegalStateException(cause);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while waiting for " + key.component() + " of "
                    + key.model(), e);
        }
    }

    /** The VAE of {@code model} (a qualified URI), converted to {@code dtype}. */
    public static Vae vae(ModelRef model, DataType dtype, HadoopConf conf) {
        return get(new Key(model.toString(), dtype.name(), VAE), Vae.class, () -> {
            ModelSource folder = model.open(conf.get());
            VaeConfig cfg = folder.vaeConfig();
            try (CheckedWeights w = ComponentWeights.vae(folder)) {
                return Vae.load(cfg, w, dtype);
            }
        });
    }

    /**
     * The whole model of {@code model} (a qualified URI) in float32, for rendering and training: its parts are
     * separate from the entries above (a JVM that also encodes latents holds a second VAE, a few hundred MB at full
     * size).
     */
    public static StableDiffusion stableDiffusion(ModelRef model, HadoopConf conf) {
        return get(new Key(model.toString(), DataType.FLOAT.name(), PIPELINE), StableDiffusion.class,
                () -> StableDiffusion.load(model.open(conf.get())));
    }

    /** The tokenizer of {@code model}, without added tokens (callers add their concept's). */
    public static ClipTokenizer tokenizer(ModelRef model, HadoopConf conf) {
        return get(new Key(model.toString(), "-", TOKENIZER), ClipTokenizer.class,
                () -> ClipTokenizer.load(model.open(conf.get()).tokenizerFiles()));
    }

    /**
     * An object only one task may use at a time (a training graph: built from the shared weights in seconds, not
     * thread-safe) under {@code key}: an idle one a finished task of this JVM gave back, or a new one from
     * {@code build}. Hand it back with {@link #release} when done, so that the next round's task reuses it.
     */
    public static <T> T acquire(Key key, Class<T> type, java.util.function.Supplier<T> build) {
        java.util.Queue<Object> idle = IDLE.get(key);
        Object o = idle == null ? null : idle.poll();
        if (o != null) {
            return type.cast(o);
        }
        T built = build.get();
        BUILT.incrementAndGet();
        return built;
    }

    /** Gives back an object of {@link #acquire}; its user must not touch it any more. */
    public static void release(Key key, Object value) {
        IDLE.computeIfAbsent(key, k -> new java.util.concurrent.ConcurrentLinkedQueue<>()).add(value);
    }

    /** Objects {@link #acquire} had to build so far (tests check that rounds reuse them). */
    public static long built() {
        return BUILT.get();
    }

    /** Loads done by this JVM so far (observability, and tests that check a part is loaded once). */
    public static long loads() {
        return LOADS.get();
    }

    /** Whether this JVM holds the part. */
    public static boolean contains(Key key) {
        FutureTask<Object> e = ENTRIES.get(key);
        return e != null && e.isDone();
    }
}
