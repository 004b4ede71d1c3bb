package org.sdti.dataprep;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A per-image caption as a training prompt. The caption says where the concept goes in one of three ways, tried
 * in this order:
 * <ol>
 *   <li>it contains {@code {}}: every {@code {}} becomes the placeholder's tokens
 *       ({@code "{} on a beach"} → {@code "<tok> <tok>_1 on a beach"});</li>
 *   <li>it names the token itself: every standalone {@code <tok>} (not already followed by {@code _1} …) becomes all
 *       the tokens, and a caption that already spells them all out is kept as written;</li>
 *   <li>neither: the tokens are put in front, comma-separated, as AUTOMATIC1111's {@code [name], [filewords]}
 *       ({@code "on a beach"} → {@code "<tok> <tok>_1, on a beach"}).</li>
 * </ol>
 */
public final class CaptionPrompts {
    private CaptionPrompts() {
    }

    public static String prompt(String caption, Placeholder placeholder) {
        String text = placeholder.text();
        if (caption.contains(PromptTemplates.SLOT)) {
            return caption.replace(PromptTemplates.SLOT, text);
        }
        if (caption.contains(text) && placeholder.vectors() > 1) {
            return caption;
        }
        // the token, not inside a longer word and not one of its own _i vectors
        Pattern standalone = Pattern.compile("(?<![\\w])" + Pattern.quote(placeholder.token()) + "(?![\\w])");
        Matcher m = standalone.matcher(caption);
        if (m.find()) {
            return m.replaceAll(Matcher.quoteReplacement(text));
        }
        return text + ", " + caption;
    }
}
