package org.sdti.jobs.generate;

import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.List;
import org.sdti.model.text.ClipTokenizer;

/** As diffusers warns: text beyond the text encoder's positions is cut off. */
public final class PromptLength {
    private PromptLength() {}

    /** One warning per text (each once) that has more tokens than the encoder takes, for this tokenizer. */
    public static List<String> warnings(ClipTokenizer tokenizer, Collection<String> texts) {
        int room = tokenizer.maxLength() - 2;
        List<String> out = new ArrayList<>();
        for (String t : new LinkedHashSet<>(texts)) {
            int n = tokenizer.encodeContent(t).length;
            if (n > room) {
                out.add("only the first " + room + " of " + n + " tokens of \"" + t + "\" are used (the text "
                        + "encoder takes " + tokenizer.maxLength() + " positions)");
            }
        }
        return out;
    }
}
