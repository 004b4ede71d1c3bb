package org.sdti.model.testing;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;

/**
 * Locates the team's read-only reference material (the {@code shared/} folder beside the checkout):
 * system property {@code sdti.shared}, else environment variable {@code SDTI_SHARED}, else the first
 * {@code shared/} sibling found walking up from the working directory.
 */
public final class Shared {
    private static final Path ROOT = locate();

    private Shared() {}

    public static Path root() {
        return ROOT;
    }

    public static Path path(String relative) {
        return ROOT.resolve(relative);
    }

    /** The tiny SD2-architecture fixture model folder (diffusers layout). */
    public static Path tinyModel() {
        return path("fixtures/tiny-sd2/model");
    }

    public static Path goldens(String file) {
        return path("fixtures/tiny-sd2/goldens/" + file);
    }

    private static Path locate() {
        String explicit = System.getProperty("sdti.shared", System.getenv("SDTI_SHARED"));
        if (explicit != null && !explicit.isBlank()) {
            return Paths.get(explicit).toAbsolutePath().normalize();
        }
        for (Path dir = Paths.get("").toAbsolutePath(); dir != null; dir = dir.getParent()) {
            Path candidate = dir.resolve("shared");
            if (Files.isDirectory(candidate.resolve("reference")) && Files.isDirectory(candidate.resolve("fixtures"))) {
                return candidate;
            }
        }
        throw new IllegalStateException("cannot find the shared/ reference folder: set -Dsdti.shared or SDTI_SHARED");
    }
}
