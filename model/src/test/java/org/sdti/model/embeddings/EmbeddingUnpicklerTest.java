package org.sdti.model.embeddings;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.math.BigInteger;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The unpickler's data opcodes, and the pickle writer's encodings read back. */
class EmbeddingUnpicklerTest {
    /** No storages: the tests here need none. */
    private static final TorchGlobals.Storages NONE = new TorchGlobals.Storages() {
        @Override
        public ByteBuffer entry(String key) {
            return null;
        }

        @Override
        public ByteOrder order() {
            return ByteOrder.LITTLE_ENDIAN;
        }
    };

    private static Object load(byte[] pickle) throws EmbeddingFileException {
        return new Unpickler(pickle, "test", new TorchGlobals(NONE)).load();
    }

    @Test
    void integersInEveryEncoding() throws EmbeddingFileException {
        assertEquals(200L, load(PickleBytes.proto2().op('K', 200).stop()));
        assertEquals(65535L, load(PickleBytes.proto2().op('M', 0xff, 0xff).stop()));
        assertEquals(-2L, load(PickleBytes.proto2().i32(-2).stop()));
        assertEquals(0L, load(PickleBytes.proto2().op(0x8a, 0).stop()));
        assertEquals(-129L, load(PickleBytes.proto2().op(0x8a, 2, 0x7f, 0xff).stop()));
        assertEquals(new BigInteger("18446744073709551615"),
                load(PickleBytes.proto2().op(0x8a, 9, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0).stop()));
    }

    @Test
    void writerIntegersReadBack() throws EmbeddingFileException {
        long[] values = {0, 1, 255, 256, 65535, 65536, -1, -128, Integer.MAX_VALUE, Integer.MIN_VALUE,
            Integer.MAX_VALUE + 1L, Integer.MIN_VALUE - 1L, 1L << 40, -(1L << 40), Long.MAX_VALUE, Long.MIN_VALUE};
        for (long v : values) {
            byte[] pkl = new PickleWriter().proto2().integer(v).stop().toByteArray();
            assertEquals(v, load(pkl), "value " + v);
        }
        // Python's sizes: BININT1, BININT2, BININT, then the shortest LONG1
        assertEquals(5, new PickleWriter().proto2().integer(255).stop().toByteArray().length);
        assertEquals(6, new PickleWriter().proto2().integer(65535).stop().toByteArray().length);
        assertEquals(8, new PickleWriter().proto2().integer(-1).stop().toByteArray().length);
        assertEquals(2 + 2 + 5 + 1, new PickleWriter().proto2().integer(1L << 32).stop().toByteArray().length);
    }

    @Test
    void floatsBoolsNoneAndStrings() throws EmbeddingFileException {
        byte[] pkl = PickleBytes.proto2().op('(')
                .op('G').op(ByteBuffer.allocate(8).putDouble(-1.25).array()) // big-endian, as pickle has it
                .op(0x88, 0x89, 'N')
                .op('U', 3).op("abc".getBytes(StandardCharsets.US_ASCII))
                .op('T', 2, 0, 0, 0).op("de".getBytes(StandardCharsets.US_ASCII))
                .op(0x8c, 5).op("ñ€".getBytes(StandardCharsets.UTF_8)).str("<ok>")
                .op('t').stop();
        assertEquals(Py.Tuple.of(-1.25, true, false, null, "abc", "de", "ñ€", "<ok>"), load(pkl));
    }

    @Test
    void containersAndTheMemo() throws EmbeddingFileException {
        // {'a': [1, 2, 3], 'b': <same list>, 'c': (1,), 'd': {'x': None}} with LONG_BINPUT/GET and a MEMOIZE
        byte[] pkl = PickleBytes.proto2().op('}', '(')
                .str("a").op(']', 'r', 7, 0, 0, 0, 'K', 1, 'a', '(', 'K', 2, 'K', 3, 'e')
                .str("b").op('j', 7, 0, 0, 0)
                .str("c").op('K', 1, 0x85, 0x94)
                .str("d").op('(').str("x").op('N', 'd')
                .op('u').stop();
        @SuppressWarnings("unchecked")
        Map<String, Object> d = (Map<String, Object>) load(pkl);
        assertEquals(List.of("a", "b", "c", "d"), new ArrayList<>(d.keySet()));
        assertEquals(List.of(1L, 2L, 3L), d.get("a"));
        assertSame(d.get("a"), d.get("b"), "BINGET returns the same object");
        assertEquals(Py.Tuple.of(1L), d.get("c"));
        Map<String, Object> inner = new LinkedHashMap<>();
        inner.put("x", null);
        assertEquals(inner, d.get("d"));
    }

    @Test
    void appendPopAndPopMark() throws EmbeddingFileException {
        byte[] pkl = PickleBytes.proto2().op(']', 'K', 9, 'a', 'K', 1, '0', '(', 'K', 2, 'K', 3, '1')
                .op('(', 'l', 'a').stop();
        assertEquals(Arrays.asList(9L, List.of()), load(pkl));
    }

    @Test
    void setsFromEitherBuiltinModule() throws EmbeddingFileException {
        for (String module : List.of("__builtin__", "builtins")) {
            byte[] pkl = PickleBytes.proto2().global(module, "set").op(']', 'K', 1, 'a', 0x85, 'R').stop();
            assertEquals(new LinkedHashSet<>(List.of(1L)), load(pkl));
        }
    }

    @Test
    void protocolFourFrameAndStackGlobal() throws EmbeddingFileException {
        byte[] pkl = PickleBytes.proto2().op(0x95, 20, 0, 0, 0, 0, 0, 0, 0)
                .op(0x8c, 11).op("collections".getBytes(StandardCharsets.US_ASCII))
                .op(0x8c, 11).op("OrderedDict".getBytes(StandardCharsets.US_ASCII))
                .op(0x93, ')', 'R').stop();
        assertEquals(new LinkedHashMap<>(), load(pkl));
    }

    @Test
    void parameterDictIsAnInertObjectFilledByBuild() throws EmbeddingFileException {
        byte[] pkl = PickleBytes.proto2().global("torch.nn.modules.container", "ParameterDict").op(')', 0x81)
                .op('}').str("training").op(0x88, 's', 'b').stop();
        Py.Instance obj = (Py.Instance) load(pkl);
        assertEquals("torch.nn.modules.container.ParameterDict", obj.type.toString());
        assertEquals(Map.of("training", true), obj.state);
    }

    @Test
    void buildOnAnythingElseIsRefused() {
        byte[] pkl = PickleBytes.proto2().op('}', '}', 'b').stop();
        EmbeddingFileException e = assertThrows(EmbeddingFileException.class, () -> load(pkl));
        assertEquals("test: data.pkl byte 4: cannot set the state of a dict from a dict", e.getMessage());
    }

    @Test
    void globalNamesMustEndInNewlines() {
        byte[] pkl = PickleBytes.proto2().op('c').op("os system".getBytes(StandardCharsets.US_ASCII)).stop();
        EmbeddingFileException e = assertThrows(EmbeddingFileException.class, () -> load(pkl));
        assertTrue(e.getMessage().endsWith("GLOBAL name is not terminated"), e.getMessage());
    }

    @Test
    void hugeDeclaredLengthsAllocateNothing() {
        byte[] pkl = PickleBytes.proto2().op('X', 0xff, 0xff, 0xff, 0x7f).stop();
        EmbeddingFileException e = assertThrows(EmbeddingFileException.class, () -> load(pkl));
        assertEquals("test: data.pkl byte 2: length 2147483647 runs past the end of the pickle", e.getMessage());
    }
}
