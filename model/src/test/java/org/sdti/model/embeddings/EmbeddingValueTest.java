package org.sdti.model.embeddings;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** LearnedEmbedding and its metadata are immutable values. */
class EmbeddingValueTest {
    @Test
    void arraysAreCopiedInAndOut() {
        float[][] rows = {{1, 2}, {3, 4}};
        LearnedEmbedding e = new LearnedEmbedding("<t>", rows);
        rows[0][0] = 99;
        e.vectors()[1][1] = 99;
        e.vector(0)[1] = 99;
        e.flat()[0] = 99;
        assertArrayEquals(new float[][] {{1, 2}, {3, 4}}, e.vectors());
        assertArrayEquals(new float[] {1, 2, 3, 4}, e.flat());
        assertEquals(2, e.count());
        assertEquals(2, e.width());
    }

    @Test
    void flatAndRowsAgree() {
        LearnedEmbedding e = LearnedEmbedding.ofFlat("<t>", 3, new float[] {1, 2, 3, 4, 5, 6}, EmbeddingMetadata.NONE);
        assertArrayEquals(new float[][] {{1, 2}, {3, 4}, {5, 6}}, e.vectors());
        assertEquals(List.of("<t>", "<t>_1", "<t>_2"), e.tokens());
        assertThrows(IllegalArgumentException.class,
                () -> LearnedEmbedding.ofFlat("<t>", 4, new float[] {1, 2, 3, 4, 5, 6}, EmbeddingMetadata.NONE));
    }

    @Test
    void badShapesAndTokensAreRefused() {
        assertThrows(IllegalArgumentException.class, () -> new LearnedEmbedding("<t>", new float[0][]));
        assertThrows(IllegalArgumentException.class, () -> new LearnedEmbedding("<t>", new float[][] {{}}));
        assertThrows(IllegalArgumentException.class, () -> new LearnedEmbedding("<t>", new float[][] {{1}, {1, 2}}));
        assertThrows(IllegalArgumentException.class, () -> new LearnedEmbedding("", new float[][] {{1}}));
        assertThrows(NullPointerException.class, () -> new LearnedEmbedding("<t>", new float[][] {{1}}, null));
    }

    @Test
    void equalityIsByContent() {
        LearnedEmbedding a = new LearnedEmbedding("<t>", new float[][] {{1, 2}});
        LearnedEmbedding b = new LearnedEmbedding("<t>", new float[][] {{1, 2}});
        assertEquals(a, b);
        assertEquals(a.hashCode(), b.hashCode());
        assertNotEquals(a, b.withToken("<u>"));
        assertNotEquals(a, b.withMetadata(EmbeddingMetadata.NONE.withStep(1)));
        assertNotEquals(a, new LearnedEmbedding("<t>", new float[][] {{1, -2}}));
        assertEquals("LearnedEmbedding[<t>, 1x2, " + EmbeddingMetadata.NONE + "]", a.toString());
    }

    @Test
    void metadataPropertiesAreCopiedAndOrdered() {
        Map<String, String> p = new HashMap<>(Map.of("k", "v"));
        EmbeddingMetadata m = EmbeddingMetadata.NONE.withProperties(p).withBaseModel("m").withBaseModelHash(null);
        p.put("k2", "v2");
        assertEquals(Map.of("k", "v"), m.properties());
        assertThrows(UnsupportedOperationException.class, () -> m.properties().put("x", "y"));
        assertEquals("m", m.baseModel().orElseThrow());
        assertEquals(true, m.baseModelHash().isEmpty());
    }
}
