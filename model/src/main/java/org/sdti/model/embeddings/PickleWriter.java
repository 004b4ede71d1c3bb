package org.sdti.model.embeddings;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;

/**
 * Emits protocol 2 pickle opcodes the way CPython's pickler does for the values we write: strings and globals are
 * memoized on first use and fetched with BINGET afterwards, containers and REDUCE results are memoized, ints use
 * the smallest encoding, the empty tuple is not memoized. The caller drives the order.
 */
final class PickleWriter {
    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    private final Map<Object, Integer> memo = new HashMap<>();
    private int next;

    PickleWriter proto2() {
        return op(0x80).op(2);
    }

    PickleWriter stop() {
        return op('.');
    }

    PickleWriter mark() {
        return op('(');
    }

    PickleWriter emptyDict() {
        return op('}').memoize();
    }

    PickleWriter emptyTuple() {
        return op(')');
    }

    PickleWriter setItem() {
        return op('s');
    }

    PickleWriter setItems() {
        return op('u');
    }

    /** TUPLE of everything since the last mark. */
    PickleWriter tupleFromMark() {
        return op('t').memoize();
    }

    /** TUPLE1, TUPLE2 or TUPLE3 of the last {@code n} values. */
    PickleWriter tuple(int n) {
        if (n < 1 || n > 3) throw new IllegalArgumentException("TUPLE" + n);
        return op(0x84 + n).memoize();
    }

    PickleWriter reduce() {
        return op('R').memoize();
    }

    PickleWriter persistentId() {
        return op('Q');
    }

    PickleWriter none() {
        return op('N');
    }

    PickleWriter bool(boolean b) {
        return op(b ? 0x88 : 0x89);
    }

    PickleWriter integer(long v) {
        if (v >= 0 && v <= 0xff) return op('K').op((int) v);
        if (v >= 0 && v <= 0xffff) return op('M').le(v, 2);
        if (v >= Integer.MIN_VALUE && v <= Integer.MAX_VALUE) return op('J').le(v, 4);
        // LONG1: the shortest little-endian two's complement
        int n = 8;
        while (n > 1 && (v >> (8 * (n - 1) - 1)) == (v >> 63)) n--;
        return op(0x8a).op(n).le(v, n);
    }

    PickleWriter string(String s) {
        if (recall(s)) return this;
        byte[] b = s.getBytes(StandardCharsets.UTF_8);
        op('X').le(b.length, 4);
        out.writeBytes(b);
        return memoize(s);
    }

    /** A string, or None when null. */
    PickleWriter stringOrNone(String s) {
        return s == null ? none() : string(s);
    }

    PickleWriter global(String module, String name) {
        Py.Global g = new Py.Global(module, name);
        if (recall(g)) return this;
        op('c');
        out.writeBytes((module + "\n" + name + "\n").getBytes(StandardCharsets.UTF_8));
        return memoize(g);
    }

    byte[] toByteArray() {
        return out.toByteArray();
    }

    // ---- memo --------------------------------------------------------------------------------------------------

    /** Memoizes the value just written, which nothing will fetch again (containers, tuples, REDUCE results). */
    private PickleWriter memoize() {
        return put(next++);
    }

    /** Memoizes the value just written under {@code key}, so writing it again becomes a BINGET. */
    private PickleWriter memoize(Object key) {
        memo.put(key, next);
        return put(next++);
    }

    private PickleWriter put(int index) {
        return index < 256 ? op('q').op(index) : op('r').le(index, 4);
    }

    private boolean recall(Object key) {
        Integer index = memo.get(key);
        if (index == null) return false;
        if (index < 256) op('h').op(index);
        else op('j').le(index, 4);
        return true;
    }

    private PickleWriter op(int b) {
        out.write(b);
        return this;
    }

    private PickleWriter le(long v, int bytes) {
        for (int i = 0; i < bytes; i++) out.write((int) (v >>> (8 * i)) & 0xff);
        return this;
    }
}
