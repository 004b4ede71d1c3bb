package org.sdti.jobs.runtime;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/** SHA-256 over a sequence of fields (each length-prefixed, so "ab"+"c" differs from "a"+"bc"). */
public final class Fingerprint {
    private final MessageDigest digest;

    public Fingerprint(String kind) {
        try {
            digest = MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is required of every JVM", e);
        }
        add(kind);
    }

    public Fingerprint add(Object field) {
        byte[] b = String.valueOf(field).getBytes(StandardCharsets.UTF_8);
        digest.update(new byte[] {(byte) (b.length >>> 24), (byte) (b.length >>> 16), (byte) (b.length >>> 8),
                (byte) b.length});
        digest.update(b);
        return this;
    }

    /** Lower-case hex of the first {@code hexChars / 2} bytes. */
    public String hex(int hexChars) {
        return HexFormat.of().formatHex(digest.digest()).substring(0, hexChars);
    }
}
