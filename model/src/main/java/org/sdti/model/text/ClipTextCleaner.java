package org.sdti.model.text;

import java.util.regex.Pattern;

/**
 * The text normalisation of openai/CLIP's {@code simple_tokenizer}: {@code ftfy.fix_text}, {@code html.unescape}
 * twice, strip, collapse runs of Unicode whitespace to one space, strip, Python {@code lower()}.
 */
final class ClipTextCleaner {
    private static final Pattern WHITESPACE_RUN = Pattern.compile("[" + PythonText.REGEX_WHITE_SPACE + "]+");

    private ClipTextCleaner() {}

    static String clean(String text) {
        String fixed = TextFixer.fixText(text);
        String unescaped = PythonText.strip(HtmlUnescaper.unescape(HtmlUnescaper.unescape(fixed)));
        String collapsed = PythonText.strip(WHITESPACE_RUN.matcher(unescaped).replaceAll(" "));
        return PythonText.lower(collapsed);
    }
}
