package org.sdti.model.embeddings;

import java.math.BigInteger;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.CharBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Reads a pickle (protocol 2, as {@code torch.save} writes it, plus the few protocol 4 opcodes a newer writer may
 * add) into plain Java values. It is an interpreter for data only: opcodes that would import or call something in
 * Python go to a {@link PickleEnvironment}, which allows a short list of globals and builds values for them; every
 * other opcode is an error. Sizes are checked against the bytes left before anything is allocated, and tuples are
 * capped in nesting depth and in size counted through shared parts, so no pickle can make hashing, comparing or
 * printing a value recurse deeply or take exponential time.
 */
final class Unpickler {
    /** Nesting of tuples; torch writes at most 3 or 4 (persistent ids, tensor arguments). */
    static final int MAX_TUPLE_DEPTH = 100;
    /** Items of one tuple counted through its nested tuples, shared ones as often as they occur. */
    static final long MAX_TUPLE_WEIGHT = 100_000;

    private final byte[] data;
    private final String source;
    private final PickleEnvironment env;
    private final List<Object> stack = new ArrayList<>();
    private final List<Integer> marks = new ArrayList<>();
    private final Map<Long, Object> memo = new HashMap<>();
    private int pos;

    Unpickler(byte[] data, String source, PickleEnvironment env) {
        this.data = data;
        this.source = source;
        this.env = env;
    }

    /** Runs to STOP and returns the value it leaves. */
    Object load() throws EmbeddingFileException {
        while (true) {
            int at = pos;
            try {
                if (pos >= data.length) {
                    throw new PickleException("the pickle ends without a STOP opcode");
                }
                int op = data[pos++] & 0xff;
                if (op == '.') {
                    return pop(); // values left below it are ignored, as Python does
                }
                step(op);
            } catch (PickleException e) {
                throw new EmbeddingFileException(source, "data.pkl byte " + at + ": " + e.getMessage());
            }
        }
    }

    private void step(int op) throws PickleException {
        switch (op) {
            case 0x80 -> { // PROTO
                int proto = u8();
                if (proto > 5) throw new PickleException("pickle protocol " + proto + " is not supported");
            }
            case 0x95 -> bytes(8); // FRAME: a length hint for buffered readers
            case '(' -> marks.add(stack.size()); // MARK
            case '}' -> push(new LinkedHashMap<>()); // EMPTY_DICT
            case ']' -> push(new ArrayList<>()); // EMPTY_LIST
            case ')' -> push(Py.Tuple.EMPTY); // EMPTY_TUPLE
            case 'N' -> push(null); // NONE
            case 0x88 -> push(Boolean.TRUE); // NEWTRUE
            case 0x89 -> push(Boolean.FALSE); // NEWFALSE
            case 'X' -> push(utf8(bytes(u32()))); // BINUNICODE
            case 0x8c -> push(utf8(bytes(u8()))); // SHORT_BINUNICODE
            // Python 2 str; torch.load decodes them as UTF-8
            case 'T' -> push(utf8(bytes(s32()))); // BINSTRING
            case 'U' -> push(utf8(bytes(u8()))); // SHORT_BINSTRING
            case 'J' -> push((long) s32()); // BININT
            case 'K' -> push((long) u8()); // BININT1
            case 'M' -> push((long) (u8() | u8() << 8)); // BININT2
            case 0x8a -> push(long1(bytes(u8()))); // LONG1
            case 'G' -> push(ByteBuffer.wrap(bytes(8)).order(ByteOrder.BIG_ENDIAN).getDouble()); // BINFLOAT
            case 't' -> push(checked(new Py.Tuple(popMark()))); // TUPLE
            case 0x85 -> push(checked(Py.Tuple.of(pop()))); // TUPLE1
            case 0x86 -> tupleOf(2); // TUPLE2
            case 0x87 -> tupleOf(3); // TUPLE3
            case 'l' -> push(new ArrayList<>(popMark())); // LIST
            case 'd' -> dict(); // DICT
            case 's' -> { // SETITEM
                Object value = pop();
                Object key = pop();
                put(top(), key, value);
            }
            case 'u' -> { // SETITEMS
                List<Object> items = popMark();
                if (items.size() % 2 != 0) throw new PickleException("SETITEMS with an odd number of values");
                Object target = top();
                for (int i = 0; i < items.size(); i += 2) {
                    put(target, items.get(i), items.get(i + 1));
                }
            }
            case 'a' -> { // APPEND
                Object value = pop();
                list(top()).add(value);
            }
            case 'e' -> { // APPENDS
                List<Object> items = popMark();
                list(top()).addAll(items);
            }
            case 'q' -> memo.put((long) u8(), top()); // BINPUT
            case 'r' -> memo.put(u32Long(), top()); // LONG_BINPUT
            case 0x94 -> memo.put((long) memo.size(), top()); // MEMOIZE
            case 'h' -> push(recall(u8())); // BINGET
            case 'j' -> push(recall(u32Long())); // LONG_BINGET
            case '0' -> pop(); // POP
            case '1' -> popMark(); // POP_MARK
            case 'c' -> push(env.global(line(), line())); // GLOBAL
            case 0x93 -> { // STACK_GLOBAL
                Object name = pop();
                Object module = pop();
                if (!(module instanceof String m) || !(name instanceof String n)) {
                    throw new PickleException("STACK_GLOBAL needs two strings, not " + Py.typeName(module)
                            + " and " + Py.typeName(name));
                }
                push(env.global(m, n));
            }
            case 'R' -> { // REDUCE
                Py.Tuple args = tuple(pop(), "REDUCE arguments");
                push(env.reduce(global(pop(), "REDUCE"), args));
            }
            case 0x81 -> { // NEWOBJ
                Py.Tuple args = tuple(pop(), "NEWOBJ arguments");
                push(env.newObject(global(pop(), "NEWOBJ"), args));
            }
            case 'b' -> { // BUILD
                Object state = pop();
                env.build(top(), state);
            }
            case 'Q' -> push(env.persistentLoad(pop())); // BINPERSID
            default -> throw new PickleException(String.format("unsupported pickle opcode 0x%02x%s", op,
                    op >= 0x20 && op < 0x7f ? " ('" + (char) op + "')" : ""));
        }
    }

    // ---- stack -------------------------------------------------------------------------------------------------

    private void push(Object v) {
        stack.add(v);
    }

    private int floor() {
        return marks.isEmpty() ? 0 : marks.get(marks.size() - 1);
    }

    private Object pop() throws PickleException {
        if (stack.size() <= floor()) throw new PickleException("stack underflow");
        return stack.remove(stack.size() - 1);
    }

    private Object top() throws PickleException {
        if (stack.size() <= floor()) throw new PickleException("stack underflow");
        return stack.get(stack.size() - 1);
    }

    private List<Object> popMark() throws PickleException {
        if (marks.isEmpty()) throw new PickleException("no MARK to pop to");
        int m = marks.remove(marks.size() - 1);
        List<Object> items = new ArrayList<>(stack.subList(m, stack.size()));
        stack.subList(m, stack.size()).clear();
        return items;
    }

    private void tupleOf(int n) throws PickleException {
        Object[] items = new Object[n];
        for (int i = n - 1; i >= 0; i--) items[i] = pop();
        push(checked(Py.Tuple.of(items)));
    }

    private static Py.Tuple checked(Py.Tuple t) throws PickleException {
        if (t.depth() > MAX_TUPLE_DEPTH) {
            throw new PickleException("tuples nested more than " + MAX_TUPLE_DEPTH + " deep (the cap on nesting depth)");
        }
        if (t.weight() > MAX_TUPLE_WEIGHT) {
            throw new PickleException("a tuple of more than " + MAX_TUPLE_WEIGHT + " items counted through its "
                    + "nested tuples (the cap on tuple size)");
        }
        return t;
    }

    private void dict() throws PickleException {
        List<Object> items = popMark();
        if (items.size() % 2 != 0) throw new PickleException("DICT with an odd number of values");
        Map<Object, Object> d = new LinkedHashMap<>();
        for (int i = 0; i < items.size(); i += 2) put(d, items.get(i), items.get(i + 1));
        push(d);
    }

    private Object recall(long index) throws PickleException {
        if (!memo.containsKey(index)) throw new PickleException("memo entry " + index + " was never stored");
        return memo.get(index);
    }

    @SuppressWarnings("unchecked")
    private static void put(Object target, Object key, Object value) throws PickleException {
        if (!(target instanceof Map)) {
            throw new PickleException("cannot set an item on a " + Py.typeName(target));
        }
        if (!Py.isHashable(key)) {
            throw new PickleException("unhashable dict key of type " + Py.typeName(key));
        }
        ((Map<Object, Object>) target).put(key, value);
    }

    @SuppressWarnings("unchecked")
    private static List<Object> list(Object target) throws PickleException {
        if (target instanceof List) return (List<Object>) target;
        throw new PickleException("cannot append to a " + Py.typeName(target));
    }

    private static Py.Tuple tuple(Object v, String what) throws PickleException {
        if (v instanceof Py.Tuple t) return t;
        throw new PickleException(what + " must be a tuple, not " + Py.typeName(v));
    }

    private static Py.Global global(Object v, String what) throws PickleException {
        if (v instanceof Py.Global g) return g;
        throw new PickleException(what + " of a " + Py.typeName(v) + ", which is not a global");
    }

    // ---- bytes -------------------------------------------------------------------------------------------------

    private int u8() throws PickleException {
        need(1);
        return data[pos++] & 0xff;
    }

    private int s32() throws PickleException {
        need(4);
        int v = ByteBuffer.wrap(data, pos, 4).order(ByteOrder.LITTLE_ENDIAN).getInt();
        pos += 4;
        return v;
    }

    private long u32Long() throws PickleException {
        return s32() & 0xffffffffL;
    }

    private int u32() throws PickleException {
        long n = u32Long();
        if (n > data.length - pos) throw new PickleException("length " + n + " runs past the end of the pickle");
        return (int) n;
    }

    private byte[] bytes(int n) throws PickleException {
        if (n < 0) throw new PickleException("negative length " + n);
        need(n);
        byte[] out = java.util.Arrays.copyOfRange(data, pos, pos + n);
        pos += n;
        return out;
    }

    private void need(int n) throws PickleException {
        if (n > data.length - pos) throw new PickleException("the pickle ends in the middle of an opcode");
    }

    /** A GLOBAL argument: text up to a newline. */
    private String line() throws PickleException {
        int end = pos;
        while (end < data.length && data[end] != '\n' && end - pos < 256) end++;
        if (end >= data.length || data[end] != '\n') throw new PickleException("GLOBAL name is not terminated");
        String s = utf8(java.util.Arrays.copyOfRange(data, pos, end));
        pos = end + 1;
        return s;
    }

    private static String utf8(byte[] b) throws PickleException {
        try {
            CharBuffer chars = StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(b));
            return chars.toString();
        } catch (CharacterCodingException e) {
            throw new PickleException("a string is not valid UTF-8");
        }
    }

    /** Little-endian two's complement, as Python's {@code int.to_bytes(..., 'little', signed=True)}. */
    private static Object long1(byte[] le) {
        if (le.length == 0) return 0L;
        byte[] be = new byte[le.length];
        for (int i = 0; i < le.length; i++) be[i] = le[le.length - 1 - i];
        BigInteger v = new BigInteger(be);
        return v.bitLength() < 64 ? (Object) v.longValue() : v;
    }
}
