package org.sdti.jobs.config;

import java.util.Locale;
import java.util.regex.Pattern;

/**
 * Token to folder name: {@code <joe-bruin>} → {@code joe-bruin}. The name is an output folder on any file system
 * (S3 keys, HDFS, case-insensitive local disks) and a Spark partition value, so it is lower-case ASCII
 * {@code [a-z0-9._-]}, and never starts with '_' or '.' (Hadoop and Spark treat those as hidden and skip them).
 */
public final class ConceptNames {
    private static final Pattern SAFE = Pattern.compile("[a-z0-9](?:[a-z0-9._-]{0,98}[a-z0-9])?");
    private static final int MAX_LENGTH = 100;

    private ConceptNames() {}

    /** The folder name of a token; empty when nothing usable is left (e.g. {@code <>} or {@code <日本>}). */
    public static String fromToken(String token) {
        String s = token.strip();
        if (s.startsWith("<") && s.endsWith(">") && s.length() >= 2) {
            s = s.substring(1, s.length() - 1);
        }
        s = s.toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9._-]+", "-").replaceAll("[-._]{2,}", "-");
        s = s.replaceAll("^[-._]+", "").replaceAll("[-._]+$", "");
        if (s.length() > MAX_LENGTH) {
            s = s.substring(0, MAX_LENGTH).replaceAll("[-._]+$", "");
        }
        return s;
    }

    /** Whether {@code name} may be used as given (an explicit {@code name} key must already be safe). */
    public static boolean isSafe(String name) {
        return SAFE.matcher(name).matches();
    }
}
