package org.sdti.jobs.world;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.sdti.dataprep.world.Colour;
import org.sdti.dataprep.world.Position;
import org.sdti.dataprep.world.Shape;
import org.sdti.dataprep.world.Size;
import org.sdti.dataprep.world.Texture;
import org.sdti.model.testing.TestData;
import org.sdti.model.text.ClipTokenizer;

/**
 * Every word the world's captions use for a label is one token of the SD 2 tokenizer, so a colour or shape is one
 * text-encoder position and a learned token can stand in for it. (Here, in spark-jobs, because data-prep does not
 * depend on the model's tokenizer.)
 */
class WorldVocabularyTest {
    @Test
    void labelWordsAreSingleTokens() throws Exception {
        ClipTokenizer tokenizer = ClipTokenizer.load(TestData.path("reference/sd2/sd21/tokenizer"));
        List<String> words = new ArrayList<>();
        for (Colour c : Colour.values()) {
            words.add(c.word());
        }
        for (Shape s : Shape.values()) {
            words.add(s.word());
        }
        for (Size s : Size.values()) {
            words.add(s.word());
        }
        for (Texture t : Texture.values()) {
            words.add(t.word());
        }
        for (Position p : Position.values()) {
            words.add(p.word());
        }
        for (String w : words) {
            assertEquals(1, tokenizer.encodeContent(w).length, () -> "\"" + w + "\" is not one token");
            assertEquals(w, tokenizer.decode(tokenizer.encodeContent(w)).strip());
        }
    }
}
