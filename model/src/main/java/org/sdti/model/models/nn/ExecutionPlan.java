package org.sdti.model.models.nn;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.bytedeco.javacpp.DoublePointer;
import org.bytedeco.javacpp.FloatPointer;
import org.bytedeco.javacpp.Pointer;
import org.bytedeco.javacpp.indexer.DoubleIndexer;
import org.bytedeco.javacpp.indexer.FloatIndexer;
import org.nd4j.autodiff.functions.DifferentialFunction;
import org.nd4j.autodiff.listeners.At;
import org.nd4j.autodiff.listeners.Listener;
import org.nd4j.autodiff.listeners.Operation;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.autodiff.samediff.VariableType;
import org.nd4j.autodiff.samediff.internal.SameDiffOp;
import org.nd4j.autodiff.samediff.internal.Variable;
import org.nd4j.linalg.api.buffer.DataBuffer;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.BaseOp;
import org.nd4j.linalg.api.ops.CustomOp;
import org.nd4j.linalg.api.ops.DynamicCustomOp;
import org.nd4j.linalg.api.ops.Op;
import org.nd4j.linalg.api.ops.OpContext;
import org.nd4j.linalg.api.ops.ReduceOp;
import org.nd4j.linalg.api.ops.ScalarOp;
import org.nd4j.linalg.api.ops.impl.transforms.same.Identity;
import org.nd4j.linalg.api.shape.LongShapeDescriptor;
import org.nd4j.linalg.api.shape.Shape;
import org.nd4j.linalg.factory.Nd4j;

/**
 * A fixed schedule for running one SameDiff graph to a given set of outputs at given placeholder shapes: the ops
 * in topological order, one {@link OpContext} per op bound once to its input and output arrays, and output buffers
 * assigned once from each intermediate's last use. Later runs only rebind placeholders and variables and execute
 * (and size everything again if one of them comes with another shape than the plan was bound to).
 *
 * <p>Why: SameDiff's session re-derives all of this for every op of every pass (dependency tracking, argument
 * lookup, output-shape calculation through JNI, allocation): ~40 µs per op on this machine against ~1 µs for
 * executing a bound context, and a midsize training step has ~2,800 ops. Semantics follow M2.1's
 * {@code InferenceSession} for the op kinds our graphs use (custom ops, legacy transform / pairwise / scalar /
 * reduce ops, {@code Identity} as an alias); anything else (control flow, tensor arrays, in-place {@code Assign},
 * views) is refused at build time with {@link Unsupported}, and the caller runs SameDiff's session instead.
 *
 * <p>Intermediates live in one arena laid out from their lifetimes ({@link #layOut(Map)}, from the outputs of a
 * session pass, or else after the plan's own first run, whose buffers are pooled by exact length); requested
 * outputs are copied out, so the arena can be kept between runs ({@link #bytes}) or freed ({@link #release}) and
 * allocated again on the next run. Not thread-safe: one plan per graph and thread.
 */
final class ExecutionPlan {
    /** A graph the plan cannot run; thrown while building, before anything is executed. */
    static final class Unsupported extends RuntimeException {
        Unsupported(String message) {
            super(message);
        }
    }

    /** Where an op input comes from on every run: a placeholder or a constant/variable that may be replaced. */
    private record External(int step, int input, String name, boolean placeholder) {}

    /** One op: its context, input names, output names; {@code alias} for an Identity that passes its input on. */
    private static final class Step {
        final SameDiffOp op;
        final DifferentialFunction fn;
        final boolean custom;
        /** Identity or reshape of an intermediate: planned to share its input's buffer. */
        final boolean alias;
        /** At bind: the alias could not be a view (a reshape of a non-contiguous array), so the op runs. */
        boolean copies;
        final String[] inputs;
        final String[] outputs;
        OpContext ctx;

        Step(SameDiffOp op, boolean alias) {
            this.op = op;
            this.fn = op.getOp();
            this.custom = fn instanceof CustomOp;
            this.alias = alias;
            String[] args = fn.argNames();
            this.inputs = args == null ? new String[0] : args;
            this.outputs = op.getOutputsOfOp().toArray(new String[0]);
        }
    }

    private final SameDiff sd;
    private final List<Step> steps;
    private final List<String> outputs;
    private final Map<String, long[]> placeholderShapes;
    /** For each array variable, the name of the variable whose buffer it shares (itself unless an alias). */
    private final Map<String, String> root = new HashMap<>();
    /** For each root, the index of the last step that reads it (or any alias of it); MAX for outputs. */
    private final Map<String, Integer> lastUse = new HashMap<>();
    private final List<External> externals = new ArrayList<>();
    /** Shapes of the placeholders, constants and variables the contexts were bound to (outputs are sized by them). */
    private final Map<String, long[]> boundShapes = new HashMap<>();

    private boolean bound;
    private final Map<String, INDArray> arrays = new HashMap<>();
    private final List<DataBuffer> owned = new ArrayList<>();
    private long bytes;
    /** Buffers the first pass allocated one by one, for the arena layout; null once laid out. */
    private List<Lifetime> lifetimes = new ArrayList<>();
    /** Element offset in the arena of each intermediate laid out there (by the variable that owns the buffer). */
    private Map<String, Long> offsets;
    private DataType arenaType;
    private long arenaLength;
    private DataBuffer arena;
    private boolean triedRecordedLayout;

    /** A buffer of the first pass: owner variable, length, first and last step that use it. */
    private record Lifetime(String var, DataType type, long length, int first, int last) {}

    /** Arena offsets are multiples of this many elements (64 bytes for float: whole cache lines, AVX-512 loads). */
    private static final long ALIGN = 16;

    private ExecutionPlan(SameDiff sd, List<Step> steps, List<String> outputs, Map<String, long[]> placeholderShapes) {
        this.sd = sd;
        this.steps = steps;
        this.outputs = outputs;
        this.placeholderShapes = placeholderShapes;
        analyse();
    }

    /**
     * The plan for {@code outputs} of {@code sd} at the shapes of {@code placeholders}.
     *
     * @throws Unsupported if the graph needs an op kind the plan does not run
     */
    static ExecutionPlan build(SameDiff sd, Map<String, INDArray> placeholders, List<String> outputs) {
        Map<String, Variable> variables = sd.getVariables();
        List<Step> order = new ArrayList<>();
        Set<String> visited = new HashSet<>();
        // iterative DFS post-order from the outputs back to placeholders and constants
        ArrayDeque<Object[]> stack = new ArrayDeque<>();
        for (String out : outputs) {
            if (!variables.containsKey(out)) {
                throw new IllegalArgumentException("no variable named '" + out + "' in the graph");
            }
            stack.push(new Object[] {out, Boolean.FALSE});
        }
        while (!stack.isEmpty()) {
            Object[] top = stack.pop();
            String opName = top[0] instanceof String var ? producer(sd, variables, var) : null;
            if (top[0] instanceof SameDiffOp op) {
                order.add(new Step(op, isAlias(sd, op)));
                continue;
            }
            if (opName == null || !visited.add(opName)) {
                continue;
            }
            SameDiffOp op = sd.getOps().get(opName);
            check(op);
            stack.push(new Object[] {op, Boolean.TRUE});
            String[] args = op.getOp().argNames();
            if (args != null) {
                for (int i = args.length - 1; i >= 0; i--) {
                    stack.push(new Object[] {args[i], Boolean.FALSE});
                }
            }
        }
        Map<String, long[]> shapes = new LinkedHashMap<>();
        placeholders.forEach((k, v) -> shapes.put(k, v.shape()));
        return new ExecutionPlan(sd, programOrder(sd, order), List.copyOf(outputs), shapes);
    }

    /**
     * The needed ops in the order the graph was written (SameDiff keeps ops in insertion order), if that order is
     * topological, else the DFS order. Program order is what an eager framework executes and what the graph's
     * author laid out for memory: a DFS from the outputs computes whole subtrees early and keeps their results
     * alive (a full-size training step peaked at 18.4 GB in DFS order, 15.5 GB in program order).
     */
    private static List<Step> programOrder(SameDiff sd, List<Step> dfs) {
        Map<String, Step> needed = new HashMap<>();
        for (Step s : dfs) {
            needed.put(s.op.getName(), s);
        }
        List<Step> ordered = new ArrayList<>(dfs.size());
        Set<String> produced = new HashSet<>();
        for (String name : sd.getOps().keySet()) {
            Step s = needed.get(name);
            if (s == null) {
                continue;
            }
            for (String in : s.inputs) {
                if (sd.getVariable(in).getVariableType() == VariableType.ARRAY && !produced.contains(in)) {
                    return dfs; // an input made by a later op: insertion order is not topological here
                }
            }
            produced.addAll(List.of(s.outputs));
            ordered.add(s);
        }
        return ordered;
    }

    /** The op producing {@code var}, or null for placeholders, constants and variables. */
    private static String producer(SameDiff sd, Map<String, Variable> variables, String var) {
        Variable v = variables.get(var);
        if (v == null) {
            throw new Unsupported("op input '" + var + "' is not a variable of the graph");
        }
        if (v.getVariable().getVariableType() != VariableType.ARRAY) {
            return null;
        }
        String op = v.getOutputOfOp();
        if (op == null) {
            throw new Unsupported("array variable '" + var + "' has no producing op");
        }
        return op;
    }

    private static void check(SameDiffOp op) {
        DifferentialFunction fn = op.getOp();
        if ((op.getControlDeps() != null && !op.getControlDeps().isEmpty())
                || (op.getVarControlDeps() != null && !op.getVarControlDeps().isEmpty())) {
            throw new Unsupported(op.getName() + ": control dependencies");
        }
        String cls = fn.getClass().getName();
        if (cls.contains(".controlflow.") || cls.contains(".tensorops.") || cls.endsWith(".CreateView")
                || cls.endsWith(".custom.Assign") || cls.endsWith(".Invoke") || cls.endsWith("ExternalErrorsFunction")) {
            throw new Unsupported(op.getName() + ": " + fn.getClass().getSimpleName() + " is not run by plans");
        }
        if (!(fn instanceof CustomOp) && !(fn instanceof Op)) {
            throw new Unsupported(op.getName() + ": " + fn.getClass().getSimpleName() + " is neither custom nor legacy");
        }
        if (fn instanceof Op && !(fn instanceof CustomOp)) {
            String[] args = fn.argNames();
            int n = args == null ? 0 : args.length;
            boolean secondIsArgument = (fn instanceof ReduceOp r && r.getOpType() != Op.Type.REDUCE3)
                    || fn instanceof ScalarOp;
            if (n == 2 && secondIsArgument && op.getOp().arg(1).getVariableType() != VariableType.CONSTANT) {
                throw new Unsupported(op.getName() + ": axis or scalar from a computed array");
            }
        }
    }

    /**
     * Identity or reshape of an intermediate: the output is the input array itself (as SameDiff's session does for
     * Identity) or a view of it with the new shape, instead of a copy (the session copies every reshape: ~1.5 % of
     * a training step). Nothing writes into an op's inputs in the graphs plans run ({@code Assign} is refused).
     */
    private static boolean isAlias(SameDiff sd, SameDiffOp op) {
        String[] args = op.getOp().argNames();
        boolean kind = op.getOp() instanceof Identity && args.length == 1
                || "reshape".equals(op.getOp().opName()) && op.getOutputsOfOp().size() == 1;
        return kind && sd.getVariable(args[0]).getVariableType() == VariableType.ARRAY;
    }

    private void analyse() {
        for (int i = 0; i < steps.size(); i++) {
            Step s = steps.get(i);
            for (int j = 0; j < s.inputs.length; j++) {
                String in = s.inputs[j];
                SDVariable v = sd.getVariable(in);
                VariableType type = v.getVariableType();
                if (type == VariableType.ARRAY) {
                    lastUse.merge(rootOf(in), i, Math::max);
                } else if (!secondInputIsArgument(s, j)) {
                    externals.add(new External(i, j, in, type == VariableType.PLACEHOLDER));
                }
            }
            for (String out : s.outputs) {
                root.put(out, s.alias ? rootOf(s.inputs[0]) : out);
                lastUse.merge(rootOf(out), i, Math::max);
            }
        }
        for (String out : outputs) {
            if (sd.getVariable(out).getVariableType() == VariableType.ARRAY) {
                lastUse.put(rootOf(out), Integer.MAX_VALUE);
            }
        }
    }

    private String rootOf(String var) {
        return root.getOrDefault(var, var);
    }

    /** Legacy reduce (axis) and scalar ops take their second argument as a parameter, not as an input array. */
    private static boolean secondInputIsArgument(Step s, int input) {
        return !s.custom && input == 1 && s.inputs.length == 2
                && ((s.fn instanceof ReduceOp r && r.getOpType() != Op.Type.REDUCE3) || s.fn instanceof ScalarOp);
    }

    /** True if this plan was built for these placeholder names and shapes. */
    boolean fits(Map<String, INDArray> placeholders) {
        if (placeholders.size() != placeholderShapes.size()) {
            return false;
        }
        for (Map.Entry<String, INDArray> e : placeholders.entrySet()) {
            long[] shape = placeholderShapes.get(e.getKey());
            if (shape == null || !Arrays.equals(shape, e.getValue().shape())) {
                return false;
            }
        }
        return true;
    }

    /** Off-heap bytes of the intermediate buffers the plan holds now. */
    long bytes() {
        return bound ? bytes + (arena == null ? 0 : arenaLength * arenaType.width()) : 0;
    }

    /** Frees the intermediate buffers; the next run allocates them again. */
    void release() {
        for (DataBuffer b : owned) {
            if (b.closeable()) {
                b.close();
            }
        }
        if (arena != null && arena.closeable()) {
            arena.close();
        }
        arena = null;
        owned.clear();
        arrays.clear();
        bytes = 0;
        bound = false;
    }

    /**
     * Runs the plan. Listeners of {@code sd} are called around every op as in SameDiff's session.
     *
     * @return a copy of every requested output, by name
     */
    Map<String, INDArray> run(Map<String, INDArray> placeholders) {
        List<Listener> listeners = activeListeners();
        if (bound && !rebindExternals(placeholders)) {
            release(); // an input changed shape (e.g. a variable given a new array): size every buffer again
            offsets = null; // and lay them out again
            lifetimes = new ArrayList<>();
        }
        if (!bound) {
            bind(placeholders, listeners);
        } else {
            At at = listeners.isEmpty() ? null : At.defaultAt(Operation.INFERENCE);
            for (Step s : steps) {
                execute(s, listeners, at);
            }
        }
        Map<String, INDArray> out = collect(placeholders);
        if (lifetimes != null && layOut()) {
            release(); // the next run binds its intermediates into the arena
        }
        return out;
    }

    private Map<String, INDArray> collect(Map<String, INDArray> placeholders) {
        Map<String, INDArray> out = new LinkedHashMap<>();
        for (String name : outputs) {
            SDVariable v = sd.getVariable(name);
            INDArray a = switch (v.getVariableType()) {
                case ARRAY -> arrays.get(name);
                case PLACEHOLDER -> external(name, true, placeholders); // cast as the session does
                default -> sd.getArrForVarName(name);
            };
            out.put(name, a.dup());
        }
        return out;
    }

    /** Points the contexts at this run's inputs; false if one has another shape than the plan was bound to. */
    private boolean rebindExternals(Map<String, INDArray> placeholders) {
        for (External e : externals) {
            INDArray a = external(e.name(), e.placeholder(), placeholders);
            Step s = steps.get(e.step());
            if (s.ctx.getInputArray(e.input()) != a) {
                if (!Arrays.equals(boundShapes.get(e.name()), a.shape())) {
                    return false;
                }
                s.ctx.setInputArray(e.input(), a);
            }
        }
        return true;
    }

    private List<Listener> activeListeners() {
        List<Listener> all = sd.getListeners();
        if (all == null || all.isEmpty()) {
            return List.of();
        }
        List<Listener> active = new ArrayList<>();
        for (Listener l : all) {
            if (l.isActive(Operation.INFERENCE)) {
                active.add(l);
            }
        }
        return active;
    }

    private INDArray external(String name, boolean placeholder, Map<String, INDArray> placeholders) {
        if (!placeholder) {
            return sd.getArrForVarName(name);
        }
        INDArray a = placeholders.get(name);
        if (a == null) {
            throw new IllegalArgumentException("no array given for placeholder '" + name + "'");
        }
        DataType want = sd.getVariable(name).dataType();
        return a.dataType() == want ? a : a.castTo(want);
    }

    /** First run (or first after {@link #release}): resolve inputs, size and allocate outputs, execute. */
    private void bind(Map<String, INDArray> placeholders, List<Listener> listeners) {
        Map<Long, ArrayDeque<DataBuffer>> free = new HashMap<>();
        At at = listeners.isEmpty() ? null : At.defaultAt(Operation.INFERENCE);
        for (int i = 0; i < steps.size(); i++) {
            Step s = steps.get(i);
            INDArray[] in = new INDArray[s.inputs.length];
            for (int j = 0; j < in.length; j++) {
                String name = s.inputs[j];
                VariableType type = sd.getVariable(name).getVariableType();
                in[j] = type == VariableType.ARRAY ? arrays.get(name)
                        : external(name, type == VariableType.PLACEHOLDER, placeholders);
                if (in[j] == null) {
                    throw new IllegalStateException(s.op.getName() + ": input '" + name + "' is not computed yet");
                }
                if (type != VariableType.ARRAY) {
                    boundShapes.put(name, in[j].shape());
                }
            }
            if (s.ctx == null) {
                s.ctx = Nd4j.getExecutioner().buildContext();
            }
            OpContext ctx = s.ctx;
            if (s.alias && s.fn instanceof Identity) {
                ctx.setInputArrays(in);
                ctx.setOutputArrays(in[0]);
                arrays.put(s.outputs[0], in[0]);
            } else if (s.alias) { // reshape: a view when the input's layout allows it
                DynamicCustomOp op = (DynamicCustomOp) s.fn;
                ctx.setArgs(in, op.iArgs(), op.dArgs(), op.tArgs(), op.bArgs());
                long[] shape = op.calculateOutputShape(ctx).get(0).getShape();
                // a plain array over the same buffer, not INDArray#reshape's view: libnd4j runs elementwise ops
                // on arrays flagged as views through per-element index arithmetic (a 131k-element multiply: 370 ms)
                boolean whole = in[0].ordering() == 'c' && Shape.hasDefaultStridesForShape(in[0])
                        && in[0].offset() == 0 && in[0].length() == in[0].data().length();
                INDArray view = whole ? Nd4j.create(in[0].data(), shape, Nd4j.getStrides(shape, 'c'), 0, 'c',
                        in[0].dataType()) : null;
                if (view != null) {
                    ctx.setOutputArrays(view);
                    arrays.put(s.outputs[0], view);
                } else { // runs as an op into a buffer of its own, kept until the input's root is released
                    s.copies = true;
                    INDArray out = allocate(s.outputs[0], i, LongShapeDescriptor.fromShape(shape, in[0].dataType()),
                            new HashMap<>());
                    ctx.setOutputArrays(out);
                    arrays.put(s.outputs[0], out);
                }
            } else if (s.custom) {
                DynamicCustomOp op = (DynamicCustomOp) s.fn;
                ctx.setArgs(in, op.iArgs(), op.dArgs(), op.tArgs(), op.bArgs());
                List<LongShapeDescriptor> shapes = op.calculateOutputShape(ctx);
                if (shapes == null || shapes.size() != s.outputs.length) {
                    throw new IllegalStateException(s.op.getName() + ": " + (shapes == null ? 0 : shapes.size())
                            + " output shapes for " + s.outputs.length + " outputs");
                }
                for (int j = 0; j < shapes.size(); j++) {
                    LongShapeDescriptor d = shapes.get(j);
                    DataType dt = sd.getVariable(s.outputs[j]).dataType();
                    INDArray out = allocate(s.outputs[j], i, d.dataType() == dt ? d : d.asDataType(dt), free);
                    ctx.setOutputArray(j, out);
                    arrays.put(s.outputs[j], out);
                }
            } else {
                Op op = (Op) s.fn;
                if (secondInputIsArgument(s, 1) && in.length == 2) {
                    if (op instanceof ReduceOp) {
                        s.fn.setDimensions(Shape.normalizeAxis(in[0].rank(), in[1].toIntVector()));
                    } else {
                        ((ScalarOp) op).setScalar(in[1]);
                    }
                    ctx.setInputArray(0, in[0]);
                } else {
                    ctx.setInputArrays(in);
                }
                List<LongShapeDescriptor> shapes = ((BaseOp) op).calculateOutputShape(ctx);
                if (shapes == null || shapes.size() != 1) {
                    throw new IllegalStateException(s.op.getName() + ": no output shape for " + op.getClass());
                }
                INDArray out = allocate(s.outputs[0], i, shapes.get(0), free);
                ctx.setOutputArray(0, out);
                arrays.put(s.outputs[0], out);
            }
            execute(s, listeners, at);
            // buffers whose last reader was this step go back to the pool (outputs nobody reads, too)
            Set<String> roots = new HashSet<>();
            for (String name : s.inputs) {
                roots.add(rootOf(name));
            }
            for (String name : s.outputs) {
                roots.add(rootOf(name));
            }
            for (String r : roots) {
                Integer last = lastUse.get(r);
                if (last != null && last == i && sd.getVariable(r).getVariableType() == VariableType.ARRAY) {
                    INDArray a = arrays.get(r);
                    if (a != null && !a.isEmpty()) {
                        free.computeIfAbsent(a.data().length(), k -> new ArrayDeque<>()).push(a.data());
                    }
                }
            }
        }
        bound = true;
    }

    /** The output array of {@code var}, made at {@code step}: from the arena once laid out, else pooled. */
    private INDArray allocate(String var, int step, LongShapeDescriptor d, Map<Long, ArrayDeque<DataBuffer>> free) {
        if (d.isEmpty()) {
            return Nd4j.create(d);
        }
        long[] shape = d.getShape();
        long length = 1;
        for (long x : shape) {
            length *= x;
        }
        DataType dt = d.dataType();
        char order = d.getOrder() == 'f' ? 'f' : 'c';
        Long offset = offsets == null ? null : offsets.get(var);
        if (offset != null && dt == arenaType) {
            if (arena == null) {
                arena = Nd4j.createUninitializedDetached(arenaType, arenaLength).data();
            }
            return Nd4j.create(slice(offset, length), shape, Nd4j.getStrides(shape, order), 0, order, dt);
        }
        if (lifetimes != null) {
            lifetimes.add(lifetime(var, dt, length, step));
        }
        ArrayDeque<DataBuffer> pool = free.get(length);
        DataBuffer buffer = null;
        if (pool != null) {
            for (DataBuffer b : pool) {
                if (b.dataType() == dt) {
                    buffer = b;
                    break;
                }
            }
            if (buffer != null) {
                pool.remove(buffer);
            }
        }
        if (buffer == null) {
            buffer = Nd4j.createUninitializedDetached(dt, length).data();
            owned.add(buffer);
            bytes += length * dt.width();
        }
        return Nd4j.create(buffer, shape, Nd4j.getStrides(shape, order), 0, order, dt);
    }

    /** Bytes of the arena the layout asks for (0 before there is a layout). */
    long arenaBytes() {
        return offsets == null ? 0 : arenaLength * arenaType.width();
    }

    /** True until a layout from another run was tried ({@link #layOut(Map)}) or the plan made its own. */
    boolean needsLayout() {
        return !triedRecordedLayout && offsets == null;
    }

    /**
     * Lays the arena out from the output arrays of a run of the same ops elsewhere (SameDiff's session, through a
     * listener), so that the plan's first run already binds into the arena: a first run with pooled buffers
     * peaked 3.4 GB higher than the session in a full-size training step.
     *
     * @param outputs every array op output of such a run, by variable name
     * @return false if some output is missing (the plan then lays out after its own first run)
     */
    boolean layOut(Map<String, OutputRecorder.Output> outputs) {
        triedRecordedLayout = true;
        List<Lifetime> all = new ArrayList<>();
        for (int i = 0; i < steps.size(); i++) {
            Step s = steps.get(i);
            if (s.alias) {
                continue;
            }
            for (String o : s.outputs) {
                OutputRecorder.Output a = outputs.get(o);
                if (a == null) {
                    return false;
                }
                if (a.length() > 0) {
                    all.add(lifetime(o, a.type(), a.length(), i));
                }
            }
        }
        lifetimes = all;
        return layOut();
    }

    /**
     * {@code var}, made at {@code step}, alive until its last reader; a buffer that is not its own root (a reshape
     * that had to copy) and a requested output stay to the end.
     */
    private Lifetime lifetime(String var, DataType type, long length, int step) {
        Integer last = lastUse.get(var);
        return new Lifetime(var, type, length, step,
                last == null || !rootOf(var).equals(var) ? Integer.MAX_VALUE : last);
    }

    /**
     * Places the recorded buffers of the main data type in one arena ({@link ArenaLayout}): full-size U-Net call,
     * 2.6 GB where exact-size pooling needed 207 buffers, and one allocation: every fresh buffer costs a page fault
     * per 4 KiB when first written, 0.6-3 ms per MB on this machine. Buffers of another data type (shape vectors)
     * stay pooled.
     *
     * @return true if there is a layout to switch to
     */
    private boolean layOut() {
        List<Lifetime> all = lifetimes;
        lifetimes = null;
        if (all == null || all.isEmpty()) {
            return false;
        }
        Map<DataType, Long> bytesByType = new HashMap<>();
        for (Lifetime l : all) {
            bytesByType.merge(l.type(), l.length() * l.type().width(), Long::sum);
        }
        DataType type = bytesByType.entrySet().stream().max(Map.Entry.comparingByValue()).get().getKey();
        List<ArenaLayout.Buffer> buffers = all.stream().filter(l -> l.type() == type)
                .map(l -> new ArenaLayout.Buffer(l.var(), l.length(), l.first(), l.last())).toList();
        ArenaLayout.Layout layout = ArenaLayout.place(buffers, ALIGN);
        offsets = layout.offsets();
        arenaType = type;
        arenaLength = layout.length();
        return true;
    }

    /**
     * {@code length} elements of the arena from {@code offset}, as a buffer of its own over that memory: not
     * ND4J's view buffer ({@code createBuffer(arena, offset, length)}), whose arrays count as views and ran a
     * training step 70 % slower. The buffer does not own the memory; the arena does, and outlives it.
     */
    private DataBuffer slice(long offset, long length) {
        Pointer p = switch (arenaType) {
            case FLOAT -> new ArenaSlice(arena.addressPointer(), offset, length, 4);
            case DOUBLE -> new ArenaSlice(arena.addressPointer(), offset, length, 8);
            default -> throw new IllegalStateException("no arena for " + arenaType);
        };
        if (arenaType == DataType.FLOAT) {
            FloatPointer f = new FloatPointer(p);
            return Nd4j.createBuffer(f, arenaType, length, FloatIndexer.create(f));
        }
        DoublePointer d = new DoublePointer(p);
        return Nd4j.createBuffer(d, arenaType, length, DoubleIndexer.create(d));
    }

    /** A pointer into the arena: JavaCPP positions are ignored by ND4J's buffers, so the address itself moves. */
    private static final class ArenaSlice extends Pointer {
        ArenaSlice(Pointer base, long offset, long length, int width) {
            address = base.address() + offset * width;
            limit = length;
            capacity = length;
        }
    }


    private static void exec(Step s) {
        if (s.custom) {
            Nd4j.exec((CustomOp) s.fn, s.ctx);
        } else {
            Nd4j.exec((Op) s.fn, s.ctx);
        }
    }

    /** Runs a bound step (aliases only notify), with the listeners around it when {@code at} is given. */
    private void execute(Step s, List<Listener> listeners, At at) {
        if (at != null) {
            before(listeners, at, s);
        }
        if (!s.alias || s.copies) {
            exec(s);
        }
        if (at != null) {
            after(listeners, at, s);
        }
    }

    private void before(List<Listener> listeners, At at, Step s) {
        for (Listener l : listeners) {
            l.preOpExecution(sd, at, s.op, s.ctx);
        }
    }

    private void after(List<Listener> listeners, At at, Step s) {
        INDArray[] outs = new INDArray[s.outputs.length];
        for (int j = 0; j < outs.length; j++) {
            outs[j] = s.ctx.getOutputArray(j);
        }
        for (Listener l : listeners) {
            l.opExecution(sd, at, null, s.op, s.ctx, outs);
        }
    }

    int size() {
        return steps.size();
    }
}
