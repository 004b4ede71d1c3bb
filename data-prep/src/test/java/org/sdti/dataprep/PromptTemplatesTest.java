package org.sdti.dataprep;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PromptTemplatesTest {
    @TempDir
    Path dir;

    @Test
    void referenceListsHaveTheirCountsOrderAndDuplicates() {
        List<String> object = PromptTemplates.object();
        assertEquals(27, object.size());
        assertEquals("a photo of a {}", object.get(0));
        assertEquals("a rendering of a {}", object.get(1));
        assertEquals("a photo of a small {}", object.get(26));
        assertEquals(27, new HashSet<>(object).size());

        List<String> style = PromptTemplates.style();
        assertEquals(19, style.size());
        assertEquals("a painting in the style of {}", style.get(0));
        assertEquals("a large painting in the style of {}", style.get(18));
        assertEquals(17, new HashSet<>(style).size(), "two templates appear twice, as in the reference");
        assertEquals(style.get(2), style.get(11));
        assertEquals("a cropped painting in the style of {}", style.get(11));
        assertEquals(style.get(9), style.get(13));
        assertEquals("a close-up painting in the style of {}", style.get(13));

        assertEquals(object, PromptTemplates.of(LearnableProperty.OBJECT));
        assertEquals(style, PromptTemplates.of(LearnableProperty.STYLE));
        assertThrows(UnsupportedOperationException.class, () -> object.set(0, "x {}"));
    }

    @Test
    void placeholderTextHoldsEveryVector() {
        assertEquals("<cat>", new Placeholder("<cat>", 1).text());
        Placeholder three = new Placeholder("<cat>", 3);
        assertEquals(List.of("<cat>", "<cat>_1", "<cat>_2"), three.tokens());
        assertEquals("a photo of a <cat> <cat>_1 <cat>_2", PromptTemplates.fill("a photo of a {}", three.text()));
        assertEquals("a large painting in the style of <cat> <cat>_1 <cat>_2",
                PromptTemplates.fill(PromptTemplates.style().get(18), three.text()));
        assertThrows(IllegalArgumentException.class, () -> new Placeholder("two words", 1));
        assertThrows(IllegalArgumentException.class, () -> new Placeholder("<x>", 0));
        assertThrows(IllegalArgumentException.class, () -> new Placeholder("{}", 1));
        assertThrows(IllegalArgumentException.class, () -> PromptTemplates.fill("no slot", "x"));
    }

    @Test
    void templateFilesAreReadLineByLine() throws IOException {
        Path f = dir.resolve("mine.txt");
        Files.writeString(f, "\uFEFF# my templates\n  a sketch of {}  \r\n\n{} on a shelf, next to another {}\n",
                StandardCharsets.UTF_8);
        List<String> t = PromptTemplates.load(f);
        assertEquals(List.of("a sketch of {}", "{} on a shelf, next to another {}"), t);
        assertEquals("<a> <a>_1 on a shelf, next to another <a> <a>_1",
                PromptTemplates.fill(t.get(1), new Placeholder("<a>", 2).text()));
    }

    @Test
    void templateFileErrorsNameTheFileAndLine() throws IOException {
        Path f = dir.resolve("bad.txt");
        Files.writeString(f, "a photo of {}\n\na photo of my dog\n", StandardCharsets.UTF_8);
        TemplateFileException e = assertThrows(TemplateFileException.class, () -> PromptTemplates.load(f));
        assertEquals(f + ":3: template has no {} placeholder: \"a photo of my dog\"", e.getMessage());

        Files.writeString(f, "a photo of {}\na {0} photo of {}\n", StandardCharsets.UTF_8);
        e = assertThrows(TemplateFileException.class, () -> PromptTemplates.load(f));
        assertEquals(f + ":2: a brace other than {}: \"a {0} photo of {}\"", e.getMessage());

        Files.writeString(f, "# nothing\n\n", StandardCharsets.UTF_8);
        e = assertThrows(TemplateFileException.class, () -> PromptTemplates.load(f));
        assertEquals(f + ": no templates (only blank or # lines)", e.getMessage());

        Files.write(f, new byte[] {'a', ' ', '{', '}', (byte) 0xFF});
        e = assertThrows(TemplateFileException.class, () -> PromptTemplates.load(f));
        assertEquals(f + ": not UTF-8 text", e.getMessage());
    }

    @Test
    void captionsSayWhereTheConceptGoes() {
        Placeholder p = new Placeholder("<cat>", 2);
        assertEquals("<cat> <cat>_1 sleeping on a sofa", CaptionPrompts.prompt("{} sleeping on a sofa", p));
        assertEquals("a photo of <cat> <cat>_1, on a sofa", CaptionPrompts.prompt("a photo of <cat>, on a sofa", p));
        assertEquals("<cat> <cat>_1 and <cat> <cat>_1's toy", CaptionPrompts.prompt("<cat> and <cat>'s toy", p));
        assertEquals("a photo of <cat> <cat>_1 outside", CaptionPrompts.prompt("a photo of <cat> <cat>_1 outside", p));
        assertEquals("<cat> <cat>_1, sleeping on a sofa", CaptionPrompts.prompt("sleeping on a sofa", p));
        // a bare-word token is not found inside longer words
        Placeholder sks = new Placeholder("sks", 1);
        assertEquals("sks, asks for food", CaptionPrompts.prompt("asks for food", sks));
        assertEquals("a sks dog", CaptionPrompts.prompt("a sks dog", sks));
    }

    @Test
    void promptSourceUsesCaptionsOnlyWhenAskedAndPresent() {
        RgbImage px = TestImages.solid(2, 2, 0, 0, 0);
        PreparedImage captioned = new PreparedImage("c", "a.png", "00", PreparedImage.Variant.ORIGINAL, px,
                Optional.of("{} on a beach"), 2, 2);
        PreparedImage plain = new PreparedImage("c", "b.png", "01", PreparedImage.Variant.ORIGINAL, px,
                Optional.empty(), 2, 2);
        Placeholder p = new Placeholder("<d>", 2);

        List<String> reference = PromptSource.reference(LearnableProperty.OBJECT).promptsFor(captioned, p);
        assertEquals(27, reference.size());
        assertEquals("a photo of a <d> <d>_1", reference.get(0));

        PromptSource withCaptions = new PromptSource(PromptTemplates.style(), true);
        assertEquals(List.of("<d> <d>_1 on a beach"), withCaptions.promptsFor(captioned, p));
        List<String> fallback = withCaptions.promptsFor(plain, p);
        assertEquals(19, fallback.size());
        assertTrue(fallback.stream().allMatch(s -> s.endsWith("in the style of <d> <d>_1")));
        assertThrows(IllegalArgumentException.class, () -> new PromptSource(List.of("no slot"), false));
        assertThrows(IllegalArgumentException.class, () -> new PromptSource(List.of(), false));
    }
}
