package org.sdti.model.models.nn;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Where buffers with known lifetimes go in one arena: largest first, each at the lowest aligned offset not used by
 * a buffer whose lifetime overlaps its own (first fit by decreasing size). The arena comes out near the peak of
 * simultaneously live elements, where pooling by exact size needs a buffer per distinct size at its peak count.
 * Pure: lengths and step intervals in, offsets out ({@link ExecutionPlan} lays its intermediates out with it).
 */
final class ArenaLayout {
    private ArenaLayout() {}

    /**
     * A buffer to place: {@code length} elements, live from step {@code first} to step {@code last}, both included.
     */
    record Buffer(String name, long length, int first, int last) {
        Buffer {
            if (length < 0 || first > last) {
                throw new IllegalArgumentException(name + ": length " + length + ", steps " + first + ".." + last);
            }
        }

        boolean overlaps(Buffer o) {
            return first <= o.last && o.first <= last;
        }
    }

    /**
     * @param offsets element offset of each buffer, by name
     * @param length the arena's size in elements: the end of the highest placed buffer
     */
    record Layout(Map<String, Long> offsets, long length) {}

    /**
     * Places {@code buffers} (names unique); buffers of equal length keep their given order.
     *
     * @param align every offset is a multiple of this many elements
     */
    static Layout place(List<Buffer> buffers, long align) {
        if (align < 1) {
            throw new IllegalArgumentException("alignment must be at least 1 element, not " + align);
        }
        List<Buffer> bySize = new ArrayList<>(buffers);
        bySize.sort((a, b) -> Long.compare(b.length(), a.length()));
        List<Buffer> placed = new ArrayList<>();
        List<long[]> spans = new ArrayList<>(); // per placed buffer: offset, end offset
        Map<String, Long> at = new HashMap<>();
        long total = 0;
        for (Buffer l : bySize) {
            List<long[]> busy = new ArrayList<>();
            for (int k = 0; k < placed.size(); k++) {
                if (placed.get(k).overlaps(l)) {
                    busy.add(spans.get(k));
                }
            }
            busy.sort((a, b) -> Long.compare(a[0], b[0]));
            long offset = 0;
            for (long[] b : busy) {
                if (b[0] - offset >= l.length()) {
                    break;
                }
                offset = Math.max(offset, align(b[1], align));
            }
            placed.add(l);
            spans.add(new long[] {offset, offset + l.length()});
            if (at.put(l.name(), offset) != null) {
                throw new IllegalArgumentException("two buffers named '" + l.name() + "'");
            }
            total = Math.max(total, offset + l.length());
        }
        return new Layout(at, total);
    }

    private static long align(long elements, long align) {
        return (elements + align - 1) / align * align;
    }
}
