package org.sdti.model.testing;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;

/**
 * Locates the repository's {@code testdata/} folder (fixtures and reference files the tests read; its README says
 * where each came from): system property {@code sdti.testdata}, else the first {@code testdata/} found walking up
 * from the working directory (Maven runs each module's tests in the module's folder).
 */
public final class TestData {
    private static final Path ROOT = locate();

    private TestData() {}

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
        String explicit = System.getProperty("sdti.testdata");
        if (explicit != null && !explicit.isBlank()) {
            return Paths.get(explicit).toAbsolutePath().normalize();
        }
        for (Path dir = Paths.get("").toAbsolutePath(); dir != null; dir = dir.getParent()) {
            Path candidate = dir.resolve("testdata");
            if (Files.isDirectory(candidate.resolve("fixtures")) && Files.isDirectory(candidate.resolve("reference"))) {
                return candidate;
            }
        }
        // Thrown from a static initialiser: every test class using it then fails with "Could not initialize class",
        // so the message must say everything at once.
        throw new IllegalStateException("cannot find the repository's testdata/ folder walking up from "
                + Paths.get("").toAbsolutePath() + ": run the tests from inside the checkout, or set -Dsdti.testdata=DIR");
    }
}
