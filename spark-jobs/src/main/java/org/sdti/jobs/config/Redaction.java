package org.sdti.jobs.config;

import java.util.regex.Pattern;

/** Hides what must not reach a log, a report or the terminal. */
public final class Redaction {
    /** The user-info part of a URI ({@code s3a://KEY:SECRET@bucket}); no repetition of a group, so no recursion. */
    private static final Pattern USER_INFO = Pattern.compile("([A-Za-z][A-Za-z0-9+.-]*://)[^/?#@\\s]*+@");

    private Redaction() {}

    /** {@code text} with every URI's user info replaced by {@code ***}. */
    public static String uris(String text) {
        return text == null ? null : USER_INFO.matcher(text).replaceAll("$1***@");
    }
}
