package org.sdti.dataprep;

import java.util.ArrayList;
import java.util.List;

/**
 * A concept's placeholder token and its vectors, named as diffusers names them: {@code <tok>}, {@code <tok>_1} …
 * {@code <tok>_{n-1}}. Prompts carry all of them, space-separated, wherever the concept is meant.
 */
public record Placeholder(String token, int vectors) {
    public Placeholder {
        if (token == null || token.isBlank() || !token.equals(token.strip()) || token.chars().anyMatch(Character::isWhitespace)) {
            throw new IllegalArgumentException("a placeholder token must be one word without spaces: \"" + token + "\"");
        }
        if (token.contains(PromptTemplates.SLOT)) {
            throw new IllegalArgumentException("a placeholder token cannot contain " + PromptTemplates.SLOT + ": " + token);
        }
        if (vectors < 1) {
            throw new IllegalArgumentException("a placeholder needs at least one vector: " + vectors);
        }
    }

    /** {@code <tok>, <tok>_1, …}, one per vector. */
    public List<String> tokens() {
        List<String> out = new ArrayList<>(vectors);
        out.add(token);
        for (int i = 1; i < vectors; i++) {
            out.add(token + "_" + i);
        }
        return out;
    }

    /** What a template's {@code {}} becomes: {@code <tok> <tok>_1 <tok>_2}. */
    public String text() {
        return String.join(" ", tokens());
    }
}
