package org.sdti.model.inversion;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.sdti.model.text.ClipTokenizer;

class NewTokenTest {
    private final ClipTokenizer base = TinyModel.INSTANCE.tokenizer;

    @Test
    void oneTokenInitializerFillsEveryVector() {
        NewToken t = new NewToken("<joe-bruin>", 3, "bear");
        assertArrayEquals(new int[] {4298, 4298, 4298}, t.initializerIds(base));
        float[][] rows = t.initialRows(base, TinyModel.INSTANCE.encoder.embedding());
        float[] bear = TinyModel.INSTANCE.encoder.embedding().rows(4298).toFloatVector();
        for (float[] r : rows) {
            assertArrayEquals(bear, r);
        }
        ClipTokenizer added = t.addTo(base);
        assertEquals(49408, added.tokenId("<joe-bruin>").getAsInt());
        assertEquals(49410, added.tokenId("<joe-bruin>_2").getAsInt());
    }

    @Test
    void aTextOfAsManyTokensAsVectorsIsSpreadOnePerVector() {
        int[] two = base.idsOf("teddy bear");
        assertEquals(2, two.length);
        assertArrayEquals(two, new NewToken("<t>", 2, "teddy bear").initializerIds(base));
    }

    @Test
    void otherTokenCountsAreRejectedNamingThePieces() {
        IllegalArgumentException one = assertThrows(IllegalArgumentException.class,
                () -> new NewToken("<t>", 1, "teddy bear").initializerIds(base));
        assertTrue(one.getMessage().contains("not in the vocabulary as one token")
                && one.getMessage().contains("2 tokens (teddy, bear)")
                && one.getMessage().contains("--vectors 2"), one.getMessage());
        IllegalArgumentException three = assertThrows(IllegalArgumentException.class,
                () -> new NewToken("<t>", 3, "teddy bear").initializerIds(base));
        assertTrue(three.getMessage().contains("3 vectors"), three.getMessage());
        assertThrows(IllegalArgumentException.class, () -> new NewToken("<t>", 1, " "));
    }

    @Test
    void aRejectionSaysWhichPartAndUsesTheCallersNameForTheVectorCount() {
        NewToken.Rejected init = assertThrows(NewToken.Rejected.class,
                () -> new NewToken("<t>", 1, "teddy bear").addChecked(base, "vectors ="));
        assertEquals(NewToken.Part.INITIALIZER, init.part());
        assertEquals("initializer 'teddy bear' is not in the vocabulary as one token: it splits into 2 tokens "
                + "(teddy, bear); use a word that is one token, or vectors = 2 to start one vector per token",
                init.getMessage());
        NewToken.Rejected token = assertThrows(NewToken.Rejected.class,
                () -> new NewToken("cat", 1, "dog").addChecked(base, "vectors ="));
        assertEquals(NewToken.Part.TOKEN, token.part());
        assertEquals(NewToken.Part.TOKEN, assertThrows(NewToken.Rejected.class,
                () -> new NewToken("<a>", 2, "dog").addChecked(base.withAddedToken("<a>_1"), "vectors =")).part());
        assertEquals(NewToken.Part.TOKEN, assertThrows(NewToken.Rejected.class,
                () -> new NewToken("a b", 1, "dog")).part());
        assertEquals(NewToken.Part.VECTORS, assertThrows(NewToken.Rejected.class,
                () -> new NewToken("<t>", 0, "dog")).part());
        assertEquals(NewToken.Part.INITIALIZER, assertThrows(NewToken.Rejected.class,
                () -> new NewToken("<t>", 1, "")).part());
        assertEquals(49408, new NewToken("<t>", 2, "teddy bear").addChecked(base, "vectors =").tokenId("<t>")
                .getAsInt());
    }

    @Test
    void tokensTheVocabularyAlreadyHasAreRejected() {
        IllegalArgumentException exact = assertThrows(IllegalArgumentException.class,
                () -> new NewToken("cat", 1, "dog").addTo(base));
        assertTrue(exact.getMessage().contains("already in the vocabulary"), exact.getMessage());
        IllegalArgumentException word = assertThrows(IllegalArgumentException.class,
                () -> new NewToken("Bear", 1, "dog").addTo(base));
        assertTrue(word.getMessage().contains("already in the vocabulary") && word.getMessage().contains("<Bear>"),
                word.getMessage());
        // a later vector's name may clash too
        ClipTokenizer withA = base.withAddedToken("<a>_1");
        assertThrows(IllegalArgumentException.class, () -> new NewToken("<a>", 2, "dog").addTo(withA));
    }
}
