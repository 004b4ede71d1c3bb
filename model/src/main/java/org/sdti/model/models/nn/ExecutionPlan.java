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
 * <p>Buffers are pooled by exact length and reused once their last reader has run; requested outputs are copied
 * out, so a plan's buffers can be kept between runs ({@link #bytes}) or freed ({@link #release}) and allocated
 * again on the next run. Not thread-safe: one plan per graph and thread.
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
        return new ExecutionPlan(sd, order, List.copyOf(outputs), shapes);
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
        return bound ? bytes : 0;
    }

    /** Frees the intermediate buffers; the next run allocates them again. */
    void release() {
        for (DataBuffer b : owned) {
            if (b.closeable()) {
                b.close();
            }
        }
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
        }
        if (!bound) {
            bind(placeholders, listeners);
        } else {
            At at = listeners.isEmpty() ? null : At.defaultAt(Operation.INFERENCE);
            for (Step s : steps) {
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
        }
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
                    INDArray out = allocate(LongShapeDescriptor.fromShape(shape, in[0].dataType()), new HashMap<>());
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
                    INDArray out = allocate(d.dataType() == dt ? d : d.asDataType(dt), free);
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
                INDArray out = allocate(shapes.get(0), free);
                ctx.setOutputArray(0, out);
                arrays.put(s.outputs[0], out);
            }
            if (at != null) {
                before(listeners, at, s);
            }
            if (!s.alias || s.copies) {
                exec(s);
            }
            if (at != null) {
                after(listeners, at, s);
            }
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

    private INDArray allocate(LongShapeDescriptor d, Map<Long, ArrayDeque<DataBuffer>> free) {
        if (d.isEmpty()) {
            return Nd4j.create(d);
        }
        long[] shape = d.getShape();
        long length = 1;
        for (long x : shape) {
            length *= x;
        }
        DataType dt = d.dataType();
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
        char order = d.getOrder() == 'f' ? 'f' : 'c';
        return Nd4j.create(buffer, shape, Nd4j.getStrides(shape, order), 0, order, dt);
    }

    private static void exec(Step s) {
        if (s.custom) {
            Nd4j.exec((CustomOp) s.fn, s.ctx);
        } else {
            Nd4j.exec((Op) s.fn, s.ctx);
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
