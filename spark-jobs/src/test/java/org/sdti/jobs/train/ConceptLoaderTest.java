package org.sdti.jobs.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;

import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.sdti.dataprep.PreparationResult;
import org.sdti.dataprep.PreparedImage;
import org.sdti.dataprep.PromptTemplates;
import org.sdti.dataprep.RgbImage;
import org.sdti.jobs.config.ConceptSpec;
import org.sdti.jobs.config.JobConfig;
import org.sdti.model.io.ModelFolder;
import org.sdti.model.testing.TestData;
import org.sdti.model.text.ClipTokenizer;

/** Prompt ids of a multi-vector token: every vector exactly once, in order, for templates and captions alike. */
class ConceptLoaderTest {

    static ConceptSpec concept(boolean captions) {
        Map<String, Object> c = new LinkedHashMap<>();
        c.put("token", "<teddy>");
        c.put("init", "teddy bear");
        c.put("images", "unused");
        c.put("vectors", 2);
        c.put("captions", captions);
        Map<String, Object> flags = new LinkedHashMap<>();
        flags.put("sdti.model", "unused");
        flags.put("sdti.output", "unused");
        flags.put("sdti.concepts", List.of(c));
        return JobConfig.load(null, flags).concepts().get(0);
    }

    static PreparedImage image(String name, String caption) {
        return new PreparedImage("teddy", name, name + "-hash", PreparedImage.Variant.ORIGINAL,
                RgbImage.of(2, 2, new byte[12]), Optional.ofNullable(caption), 2, 2);
    }

    static long count(int[] ids, int id) {
        return Arrays.stream(ids).filter(x -> x == id).count();
    }

    @Test
    void everyVectorOnceInOrder() throws IOException {
        ClipTokenizer base = ClipTokenizer.load(ModelFolder.open(TestData.tinyModel().toString()).tokenizerFiles());
        ClipTokenizer tok = base.withAddedToken("<teddy>", 2);
        int v0 = tok.tokenId("<teddy>").getAsInt();
        int v1 = tok.tokenId("<teddy>_1").getAsInt();
        List<String> log = new ArrayList<>();
        ConceptLoader loader = new ConceptLoader(concept(true), null, log::add);
        PreparationResult r = new PreparationResult("teddy", "unused", List.of(image("a.png", null),
                image("b.png", "{} on a beach"), image("c.png", "a <teddy> <teddy>_1 at night"),
                image("d.png", "in the snow")), List.of());
        List<List<int[]>> prompts = loader.prompts(r, PromptTemplates.object(), tok);

        assertEquals(27, prompts.get(0).size());
        int[] first = prompts.get(0).get(0);
        assertArrayEquals(tok.encode("a photo of a <teddy>"), first);
        for (List<int[]> ps : prompts) {
            for (int[] ids : ps) {
                assertEquals(1, count(ids, v0), Arrays.toString(ids));
                assertEquals(1, count(ids, v1), Arrays.toString(ids));
                int at = Arrays.stream(ids).boxed().toList().indexOf(v0);
                assertEquals(v1, ids[at + 1], "vectors in order");
            }
        }
        assertEquals(1, prompts.get(1).size(), "a captioned picture trains on its caption");
        assertArrayEquals(tok.encode("<teddy> on a beach"), prompts.get(1).get(0));
        assertArrayEquals(tok.encode("a <teddy> at night"), prompts.get(2).get(0));
        assertArrayEquals(tok.encode("<teddy>, in the snow"), prompts.get(3).get(0));

        ConceptLoader noCaptions = new ConceptLoader(concept(false), null, log::add);
        List<List<int[]>> templatesOnly = noCaptions.prompts(r, PromptTemplates.object(), tok);
        assertSame(templatesOnly.get(0), templatesOnly.get(3), "examples share one list of template ids");
    }
}
