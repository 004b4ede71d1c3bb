package org.sdti.jobs.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.IOException;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** The driver's per-concept file work runs side by side and ends whole (issue 15: per-round writes one by one). */
class ConceptWritesTest {
    @Test
    void itemsRunSideBySideAndTheirResultsComeInTheItemsOrder() throws IOException {
        try (ConceptWrites writes = new ConceptWrites(4)) {
            CountDownLatch started = new CountDownLatch(4);
            List<Integer> out = writes.each(List.of(1, 2, 3, 4), i -> {
                started.countDown();
                // every item waits for all four to have started: one by one, the first would wait in vain
                if (!await(started)) {
                    throw new IOException("item " + i + " ran alone");
                }
                sleep(10L * (5 - i)); // the first item ends last
                return i * 10;
            });
            assertEquals(List.of(10, 20, 30, 40), out);
            assertEquals(List.of(), writes.each(List.<Integer>of(), i -> i));
        }
    }

    @Test
    void theFirstFailureIsThrownOnceEveryItemEndedWithTheLaterOnesSuppressed() {
        AtomicInteger ended = new AtomicInteger();
        try (ConceptWrites writes = new ConceptWrites(2)) {
            IOException e = assertThrows(IOException.class, () -> writes.each(List.of(0, 1, 2, 3), i -> {
                try {
                    if (i == 1 || i == 3) {
                        throw new IOException("no space left writing c" + i);
                    }
                    sleep(50);
                    return i;
                } finally {
                    ended.incrementAndGet();
                }
            }));
            assertEquals("no space left writing c1", e.getMessage(), "the first item's failure, in item order");
            assertEquals(1, e.getSuppressed().length);
            assertEquals("no space left writing c3", e.getSuppressed()[0].getMessage());
            assertEquals(4, ended.get(), "no write still running behind the error");
            IllegalStateException bug = assertThrows(IllegalStateException.class, () -> writes.each(List.of(0),
                    i -> {
                        throw new IllegalStateException("a bug stays a bug");
                    }));
            assertEquals("a bug stays a bug", bug.getMessage());
        }
    }

    private static boolean await(CountDownLatch latch) {
        try {
            return latch.await(30, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    private static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
