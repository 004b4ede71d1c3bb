package org.sdti.jobs.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/** The CLI sits on top: no other package of spark-jobs imports it (the error model lives below, in model). */
class PackageDependencyTest {
    private static final Path MAIN = Path.of("src/main/java/org/sdti/jobs");

    @Test
    void onlyTheCliImportsTheCli() throws IOException {
        assertTrue(Files.isDirectory(MAIN.resolve("cli")), "run from the spark-jobs module: " + MAIN.toAbsolutePath());
        List<String> offenders;
        try (Stream<Path> files = Files.walk(MAIN)) {
            offenders = files.filter(p -> p.toString().endsWith(".java") && !p.startsWith(MAIN.resolve("cli")))
                    .filter(p -> read(p).contains("import org.sdti.jobs.cli."))
                    .map(Path::toString).sorted().toList();
        }
        assertEquals(List.of(), offenders);
    }

    private static String read(Path p) {
        try {
            return Files.readString(p);
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }
}
