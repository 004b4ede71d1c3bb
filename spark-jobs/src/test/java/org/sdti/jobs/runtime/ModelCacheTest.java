package org.sdti.jobs.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class ModelCacheTest {
    @Test
    void concurrentCallersShareOneLoad() throws Exception {
        ModelCache.Key key = new ModelCache.Key("mem://concurrent", "FLOAT", "part");
        AtomicInteger loads = new AtomicInteger();
        CountDownLatch start = new CountDownLatch(1);
        ExecutorService pool = Executors.newFixedThreadPool(8);
        try {
            List<Future<Object>> got = new ArrayList<>();
            for (int i = 0; i < 8; i++) {
                got.add(pool.submit(() -> {
                    start.await();
                    return ModelCache.get(key, Object.class, () -> {
                        loads.incrementAndGet();
                        java.util.concurrent.locks.LockSupport.parkNanos(200_000_000L); // a slow load: the other callers must wait for it, not start their own
                        return new Object();
                    });
                }));
            }
            start.countDown();
            Object first = got.get(0).get();
            for (Future<Object> f : got) {
                assertSame(first, f.get());
            }
        } finally {
            pool.shutdownNow();
        }
        assertEquals(1, loads.get());
        assertTrue(ModelCache.contains(key));
        assertSame(ModelCache.get(key, Object.class, () -> {
            throw new AssertionError("cached: no second load");
        }), ModelCache.get(key, Object.class, Object::new));
    }

    @Test
    void aFailedLoadIsNotCached() {
        ModelCache.Key key = new ModelCache.Key("mem://flaky", "FLOAT", "part");
        UncheckedIOException e = assertThrows(UncheckedIOException.class, () -> ModelCache.get(key, String.class,
                () -> {
                    throw new IOException("connection reset");
                }));
        assertTrue(e.getMessage().contains("connection reset"));
        assertEquals("loaded", ModelCache.get(key, String.class, () -> "loaded"), "a retried task loads again");
    }

    @Test
    void keysSeparateModelsDtypesAndComponents() {
        String a = ModelCache.get(new ModelCache.Key("mem://m", "FLOAT", "vae"), String.class, () -> "float vae");
        String b = ModelCache.get(new ModelCache.Key("mem://m", "HALF", "vae"), String.class, () -> "half vae");
        String c = ModelCache.get(new ModelCache.Key("mem://m", "FLOAT", "unet"), String.class, () -> "unet");
        assertEquals(List.of("float vae", "half vae", "unet"), List.of(a, b, c));
        assertThrows(ClassCastException.class,
                () -> ModelCache.get(new ModelCache.Key("mem://m", "FLOAT", "vae"), Integer.class, () -> 1));
    }
}
