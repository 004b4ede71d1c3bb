package org.sdti.model.models.nn;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.sdti.model.models.nn.ArenaLayout.Buffer;
import org.sdti.model.models.nn.ArenaLayout.Layout;

/**
 * {@link ArenaLayout} on hand-made and random lifetimes: every offset aligned, no two buffers that are live at the
 * same step share an element, and the arena lies between the peak of live elements and the sum of aligned lengths.
 */
class ArenaLayoutTest {
    private static final long ALIGN = 16;

    @Test
    void buffersLiveAtDifferentStepsShareMemory() {
        Layout l = checked(List.of(new Buffer("a", 100, 0, 1), new Buffer("b", 60, 2, 3)), ALIGN);
        assertEquals(Map.of("a", 0L, "b", 0L), l.offsets());
        assertEquals(100, l.length());
    }

    @Test
    void overlappingBuffersGoSideBySideAtAlignedOffsets() {
        // a and c never meet and share offset 0; b meets both and goes after a's end rounded up to 16 (100 -> 112)
        Layout l = checked(List.of(new Buffer("a", 100, 0, 1), new Buffer("b", 50, 1, 2),
                new Buffer("c", 100, 2, 3)), ALIGN);
        assertEquals(Map.of("a", 0L, "b", 112L, "c", 0L), l.offsets());
        assertEquals(162, l.length());
    }

    @Test
    void aLaterBufferTakesTheSpaceAnExpiredOneLeftBelowALiveOne() {
        // a [0, 100) is only live at step 0; b meets it and goes to 112; c meets only b and fits below it at 0
        Layout l = checked(List.of(new Buffer("a", 100, 0, 0), new Buffer("b", 60, 0, 5),
                new Buffer("c", 50, 1, 5)), ALIGN);
        assertEquals(Map.of("a", 0L, "b", 112L, "c", 0L), l.offsets());
        assertEquals(172, l.length());
    }

    @Test
    void buffersToTheEndAndEmptyBuffers() {
        Layout l = checked(List.of(new Buffer("out", 10, 3, Integer.MAX_VALUE), new Buffer("tmp", 10, 0, 4),
                new Buffer("empty", 0, 1, 1)), 8);
        assertEquals(Map.of("out", 0L, "tmp", 16L, "empty", 0L), l.offsets());
        assertEquals(26, l.length());
        assertEquals(0, checked(List.of(), ALIGN).length());
    }

    @Test
    void randomLifetimes() {
        Random random = new Random(11);
        for (int c = 0; c < 300; c++) {
            int steps = 1 + random.nextInt(60);
            int n = random.nextInt(80);
            long align = 1L << random.nextInt(7);
            List<Buffer> buffers = new ArrayList<>();
            for (int i = 0; i < n; i++) {
                int first = random.nextInt(steps);
                int last = random.nextInt(8) == 0 ? Integer.MAX_VALUE : first + random.nextInt(steps - first);
                long length = random.nextInt(10) == 0 ? 1 + random.nextInt(100_000) : 1 + random.nextInt(700);
                buffers.add(new Buffer("b" + i, length, first, last));
            }
            checked(buffers, align);
        }
    }

    @Test
    void refusesWhatItCannotPlace() {
        assertThrows(IllegalArgumentException.class, () -> new Buffer("x", 4, 3, 2));
        assertThrows(IllegalArgumentException.class, () -> new Buffer("x", -1, 0, 0));
        assertThrows(IllegalArgumentException.class, () -> ArenaLayout.place(List.of(), 0));
        assertThrows(IllegalArgumentException.class,
                () -> ArenaLayout.place(List.of(new Buffer("x", 4, 0, 1), new Buffer("x", 4, 2, 3)), ALIGN));
    }

    /** Places {@code buffers} and checks every invariant of the result. */
    private static Layout checked(List<Buffer> buffers, long align) {
        Layout layout = ArenaLayout.place(buffers, align);
        assertEquals(buffers.size(), layout.offsets().size(), "one offset per buffer");
        long alignedSum = 0;
        long longest = 0;
        for (Buffer b : buffers) {
            long at = layout.offsets().get(b.name());
            assertTrue(at >= 0 && at % align == 0, b + " at " + at + " is not aligned to " + align);
            assertTrue(at + b.length() <= layout.length(), b + " at " + at + " ends past the arena " + layout.length());
            alignedSum += (b.length() + align - 1) / align * align;
            longest = Math.max(longest, b.length());
        }
        for (int i = 0; i < buffers.size(); i++) {
            for (int j = i + 1; j < buffers.size(); j++) {
                Buffer a = buffers.get(i);
                Buffer b = buffers.get(j);
                if (a.overlaps(b) && a.length() > 0 && b.length() > 0) {
                    long oa = layout.offsets().get(a.name());
                    long ob = layout.offsets().get(b.name());
                    assertTrue(oa + a.length() <= ob || ob + b.length() <= oa,
                            a + " at " + oa + " and " + b + " at " + ob + " are live together and overlap");
                }
            }
        }
        assertTrue(layout.length() >= peakLive(buffers), "arena smaller than the live elements at some step");
        assertTrue(layout.length() <= Math.max(longest, alignedSum), "arena " + layout.length()
                + " larger than all buffers side by side (" + alignedSum + ")");
        return layout;
    }

    /** The most elements live at any one step (at a buffer's first step, where the live set can only have grown). */
    private static long peakLive(List<Buffer> buffers) {
        long peak = 0;
        for (Buffer at : buffers) {
            long live = 0;
            for (Buffer b : buffers) {
                if (b.first() <= at.first() && at.first() <= b.last()) {
                    live += b.length();
                }
            }
            peak = Math.max(peak, live);
        }
        return peak;
    }
}
