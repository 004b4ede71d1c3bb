package org.sdti.jobs.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class WorldCommandTest {
    @TempDir
    Path dir;

    @Test
    void writesTheFolderWithFixedLabels() throws Exception {
        Path out = dir.resolve("stars");
        TokenizeCommandTest.Result r = TokenizeCommandTest.run("world", "--output", out.toString(), "--count", "4",
                "--seed", "3", "--shape", "star", "--colour", "Red", "--caption-slot", "colour-and-shape");
        assertEquals(0, r.code(), r.err());
        assertTrue(r.err().contains("world: step 4/4"), r.err());
        List<String> manifest = Files.readAllLines(out.resolve("manifest.jsonl"));
        assertEquals(4, manifest.size());
        assertTrue(manifest.stream().allMatch(l -> l.contains("\"shape\":\"star\"") && l.contains("\"colour\":\"red\"")),
                manifest::toString);
        assertTrue(Files.readString(out.resolve("images/00000.txt")).contains("{}"));
        assertTrue(Files.isRegularFile(out.resolve("images/00003.png")));
    }

    @Test
    void badWordsAndTakenFoldersExit2NamingTheFlag() throws Exception {
        TokenizeCommandTest.Result shape = TokenizeCommandTest.run("world", "--output", dir.resolve("a").toString(),
                "--shape", "hexagon");
        assertEquals(2, shape.code());
        assertTrue(shape.err().contains("--shape: unknown shape \"hexagon\""), shape.err());

        TokenizeCommandTest.Result pair = TokenizeCommandTest.run("world", "--output", dir.resolve("b").toString(),
                "--colour", "blue", "--background", "purple");
        assertEquals(2, pair.code());
        assertTrue(pair.err().contains("blue") && pair.err().contains("purple"), pair.err());

        TokenizeCommandTest.Result side = TokenizeCommandTest.run("world", "--output", dir.resolve("c").toString(),
                "--resolution", "48");
        assertEquals(2, side.code());
        assertTrue(side.err().contains("--resolution"), side.err());
        assertFalse(Files.exists(dir.resolve("a")) || Files.exists(dir.resolve("b")) || Files.exists(dir.resolve("c")));

        Path taken = Files.createDirectory(dir.resolve("taken"));
        TokenizeCommandTest.Result exists = TokenizeCommandTest.run("world", "--output", taken.toString());
        assertEquals(2, exists.code());
        assertTrue(exists.err().contains("--output " + taken), exists.err());
    }
}
