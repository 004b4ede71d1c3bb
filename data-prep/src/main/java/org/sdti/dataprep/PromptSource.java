package org.sdti.dataprep;

import java.util.List;
import java.util.Objects;

/**
 * Where an example's prompts come from: a template list (the reference's, or a user file), and optionally the
 * example's own caption, which then replaces the templates for that example (uncaptioned examples keep them).
 */
public record PromptSource(List<String> templates, boolean useCaptions) {
    public PromptSource {
        templates = List.copyOf(Objects.requireNonNull(templates, "templates"));
        if (templates.isEmpty()) {
            throw new IllegalArgumentException("a prompt source needs at least one template");
        }
        for (String t : templates) {
            if (!t.contains(PromptTemplates.SLOT)) {
                throw new IllegalArgumentException("template has no " + PromptTemplates.SLOT + ": \"" + t + "\"");
            }
        }
    }

    /** The reference's list for the property, captions off: exactly what the reference trains with. */
    public static PromptSource reference(LearnableProperty property) {
        return new PromptSource(PromptTemplates.of(property), false);
    }

    /** The prompts one of which is drawn uniformly for each training step on this example, filled. */
    public List<String> promptsFor(PreparedImage example, Placeholder placeholder) {
        if (useCaptions && example.caption().isPresent()) {
            return List.of(CaptionPrompts.prompt(example.caption().get(), placeholder));
        }
        String text = placeholder.text();
        return templates.stream().map(t -> PromptTemplates.fill(t, text)).toList();
    }
}
