package org.sdti.dataprep;

import java.io.IOException;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Prompt templates: the reference's two lists (identical in diffusers, kohya and the original textual-inversion
 * code: {@code imagenet_templates_small} and {@code imagenet_style_templates_small}) and user template files.
 * The reference picks one template uniformly per sample and fills {@code {}} with all the placeholder's vectors.
 */
public final class PromptTemplates {
    /** Where the concept goes in a template (Python's {@code str.format} slot, as the reference writes it). */
    public static final String SLOT = "{}";

    private static final List<String> OBJECT = List.of(
            "a photo of a {}",
            "a rendering of a {}",
            "a cropped photo of the {}",
            "the photo of a {}",
            "a photo of a clean {}",
            "a photo of a dirty {}",
            "a dark photo of the {}",
            "a photo of my {}",
            "a photo of the cool {}",
            "a close-up photo of a {}",
            "a bright photo of the {}",
            "a cropped photo of a {}",
            "a photo of the {}",
            "a good photo of the {}",
            "a photo of one {}",
            "a close-up photo of the {}",
            "a rendition of the {}",
            "a photo of the clean {}",
            "a rendition of a {}",
            "a photo of a nice {}",
            "a good photo of a {}",
            "a photo of the nice {}",
            "a photo of the small {}",
            "a photo of the weird {}",
            "a photo of the large {}",
            "a photo of a cool {}",
            "a photo of a small {}");

    /** 19 entries; "a cropped painting…" and "a close-up painting…" appear twice, as in the reference (kept: they
     * weigh the uniform draw). */
    private static final List<String> STYLE = List.of(
            "a painting in the style of {}",
            "a rendering in the style of {}",
            "a cropped painting in the style of {}",
            "the painting in the style of {}",
            "a clean painting in the style of {}",
            "a dirty painting in the style of {}",
            "a dark painting in the style of {}",
            "a picture in the style of {}",
            "a cool painting in the style of {}",
            "a close-up painting in the style of {}",
            "a bright painting in the style of {}",
            "a cropped painting in the style of {}",
            "a good painting in the style of {}",
            "a close-up painting in the style of {}",
            "a rendition in the style of {}",
            "a nice painting in the style of {}",
            "a small painting in the style of {}",
            "a weird painting in the style of {}",
            "a large painting in the style of {}");

    private PromptTemplates() {
    }

    /** The reference's 27 object templates, in its order. */
    public static List<String> object() {
        return OBJECT;
    }

    /** The reference's 19 style templates, in its order, duplicates included. */
    public static List<String> style() {
        return STYLE;
    }

    public static List<String> of(LearnableProperty property) {
        return property == LearnableProperty.STYLE ? STYLE : OBJECT;
    }

    /** Every {@code {}} of the template replaced by {@code placeholderText} (normally {@link Placeholder#text()}). */
    public static String fill(String template, String placeholderText) {
        if (!template.contains(SLOT)) {
            throw new IllegalArgumentException("template has no " + SLOT + ": \"" + template + "\"");
        }
        return template.replace(SLOT, placeholderText);
    }

    /** A template file read as UTF-8; see {@link #parse}. */
    public static List<String> load(Path file) throws IOException {
        byte[] data = Files.readAllBytes(file);
        String text;
        try {
            text = StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(data)).toString();
        } catch (CharacterCodingException e) {
            throw new TemplateFileException(file + ": not UTF-8 text");
        }
        return parse(file.toString(), text);
    }

    /**
     * Templates from text: one per line, surrounding whitespace trimmed; blank lines and lines starting with
     * {@code #} skipped. Each must contain {@code {}} (every occurrence is filled) and no other brace, which Python's
     * {@code str.format} would read as a field.
     *
     * @param source names the file in error messages
     * @throws TemplateFileException naming {@code source} and the 1-based line, or when no template is left
     */
    public static List<String> parse(String source, String text) {
        List<String> out = new ArrayList<>();
        String[] lines = text.split("\r\n|\r|\n", -1);
        for (int i = 0; i < lines.length; i++) {
            String line = lines[i].strip();
            if (i == 0 && line.startsWith("\uFEFF")) {
                line = line.substring(1).strip();
            }
            if (line.isEmpty() || line.startsWith("#")) {
                continue;
            }
            String where = source + ":" + (i + 1) + ": ";
            if (!line.contains(SLOT)) {
                throw new TemplateFileException(where + "template has no " + SLOT + " placeholder: \"" + line + "\"");
            }
            String rest = line.replace(SLOT, "");
            if (rest.indexOf('{') >= 0 || rest.indexOf('}') >= 0) {
                throw new TemplateFileException(where + "a brace other than " + SLOT + ": \"" + line + "\"");
            }
            out.add(line);
        }
        if (out.isEmpty()) {
            throw new TemplateFileException(source + ": no templates (only blank or # lines)");
        }
        return List.copyOf(out);
    }
}
