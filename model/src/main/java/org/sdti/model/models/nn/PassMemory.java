package org.sdti.model.models.nn;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.autodiff.samediff.internal.memory.AbstractMemoryMgr;
import org.nd4j.linalg.api.buffer.DataBuffer;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.shape.LongShapeDescriptor;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Session memory of one graph: released arrays are pooled by exact size and handed out again (fewer
 * allocations, less allocator fragmentation). At the end of a pass the pool is cut down to
 * {@link #RETAINED_BYTES}, smallest buffers kept first, for the next pass of the same graph, which needs the
 * very same sizes: a fresh buffer costs a page fault per 4 KiB page when first written (libnd4j zeroes new
 * buffers), ~0.7 ms per MB on this machine, as much as a large matmul into it.
 */
final class PassMemory extends AbstractMemoryMgr {
    /** {@code -Dorg.sdti.executionPlans=false} runs every pass through SameDiff's session (for comparisons). */
    private static final boolean PLANS = !"false".equals(System.getProperty("org.sdti.executionPlans"));
    private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(PassMemory.class);

    /**
     * Bytes of session buffers a graph keeps pooled between passes (graphs plans do not run). All of a
     * midsize pass's buffers fit; at full size most of the pool is freed, so peaks stay as measured.
     */
    static final long RETAINED_BYTES = 512L << 20;

    /**
     * Largest arena a plan may have, and the most a graph keeps between passes. A kept arena is reused by the
     * next pass without page faults (~0.6-3 ms per MB here: a full-size U-Net call takes 12 s with its 2.5 GB
     * arena kept, 15 s with a fresh one each pass). Larger plans (a full-size training step: ~8 GB, a 512²
     * VAE decode) run through the session: kept, their arenas would not leave room for validation images and
     * other graphs beside them, and allocated afresh each pass they were slower than the session's pooling
     * (training step 31 s against 25 s).
     */
    static final long ARENA_BYTES = 3L << 30;

    private record Key(DataType type, long length) {}

    private final Map<Key, ArrayDeque<DataBuffer>> pool = new HashMap<>();
    /** Execution plans by requested outputs, most recently used last; outputs whose graph plans refuse. */
    private final LinkedHashMap<List<String>, ExecutionPlan> plans = new LinkedHashMap<>(4, 0.75f, true);
    private final Set<List<String>> unplanned = new HashSet<>();

    /** The plan for these outputs at these placeholder shapes, built on first use; null to use the session. */
    ExecutionPlan plan(SameDiff sd, Map<String, INDArray> placeholders, List<String> outputs) {
        if (!PLANS || unplanned.contains(outputs)) {
            return null;
        }
        ExecutionPlan plan = plans.get(outputs);
        if (plan != null && plan.fits(placeholders)) {
            return plan;
        }
        if (plan != null) {
            plan.release();
        }
        try {
            plan = ExecutionPlan.build(sd, placeholders, outputs);
        } catch (ExecutionPlan.Unsupported e) {
            LOG.warn("running {} through SameDiff's session: {}", outputs, e.getMessage());
            unplanned.add(outputs);
            return null;
        }
        plans.put(outputs, plan);
        return plan;
    }

    /** Frees the arenas of this graph's plans (each allocates its own again on its next run). */
    void releasePlans() {
        plans.values().forEach(ExecutionPlan::release);
    }

    /** From now on {@code outputs} run through the session. */
    void unplan(List<String> outputs) {
        ExecutionPlan plan = plans.remove(outputs);
        if (plan != null) {
            plan.release();
        }
        unplanned.add(outputs);
    }

    /**
     * Keeps plan buffers between passes up to {@code budget} bytes for all of this graph's plans: the least
     * recently used plans give theirs up first, then {@code current}.
     */
    void retain(ExecutionPlan current, long budget) {
        long total = plans.values().stream().mapToLong(ExecutionPlan::bytes).sum();
        for (ExecutionPlan p : plans.values()) {
            if (total <= budget) {
                return;
            }
            if (p != current && p.bytes() > 0) {
                total -= p.bytes();
                p.release();
            }
        }
        if (total > budget) {
            current.release();
        }
    }

    /** Frees pooled buffers beyond {@code budget} bytes, keeping the smallest. */
    void endPass(long budget) {
        List<DataBuffer> all = new ArrayList<>();
        pool.values().forEach(all::addAll);
        all.sort(Comparator.comparingLong(b -> b.length() * b.getElementSize()));
        pool.clear();
        long kept = 0;
        for (DataBuffer b : all) {
            long bytes = b.length() * b.getElementSize();
            if (kept + bytes <= budget) {
                kept += bytes;
                pool.computeIfAbsent(new Key(b.dataType(), b.length()), k -> new ArrayDeque<>()).push(b);
            } else if (b.closeable()) {
                b.close();
            }
        }
    }

    @Override
    public INDArray allocate(boolean detached, DataType dataType, long... shape) {
        long length = 1;
        for (long d : shape) {
            length *= d;
        }
        ArrayDeque<DataBuffer> free = pool.get(new Key(dataType, length));
        DataBuffer buffer = free == null ? null : free.poll();
        return buffer == null ? Nd4j.createUninitializedDetached(dataType, shape) : Nd4j.create(buffer, shape);
    }

    @Override
    public INDArray allocate(boolean detached, LongShapeDescriptor descriptor) {
        if (descriptor.isEmpty()) {
            return Nd4j.create(descriptor).detach();
        }
        return allocate(detached, descriptor.dataType(), descriptor.getShape());
    }

    @Override
    public void release(INDArray array) {
        if (array.closeable() && array.length() > 0) {
            pool.computeIfAbsent(new Key(array.dataType(), array.length()), k -> new ArrayDeque<>())
                    .push(array.data());
        }
    }

    @Override
    public void close() {
        releasePlans();
        endPass(0);
    }
}
