package org.sdti.jobs.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sdti.jobs.testing.JobFixtures;

/** Concepts from a JSON-lines manifest and from a folder of concept folders: the same checks, named by place. */
class ConceptSourcesTest {

    static JobConfig load(Path dir, String hocon) throws Exception {
        Path job = dir.resolve("job.conf");
        Files.writeString(job, "sdti.model = /m\nsdti.output = /o\n" + hocon);
        return JobConfig.load(job.toFile(), Map.of());
    }

    static JobConfigException fails(Path dir, String hocon) {
        return assertThrows(JobConfigException.class, () -> load(dir, hocon));
    }

    @Test
    void manifestLinesFollowTheInlineConceptsWithTheirOwnSettings(@TempDir Path tmp) throws Exception {
        Path lists = Files.createDirectories(tmp.resolve("lists"));
        Files.writeString(lists.resolve("concepts.jsonl"), """
                {"token": "<cat-toy>", "init": "toy", "images": "cat-toy/"}

                {"token": "<wc>", "init": "painting", "images": "s3a://b/wc/*.jpg", "property": "style", "vectors": 3, \
                "train": {"steps": 300}}
                """);
        JobConfig job = load(tmp, """
                sdti.concepts = [{ token = "<first>", init = bear, images = /i }]
                sdti.concept-manifest = lists/concepts.jsonl
                sdti.train.steps = 50
                """);
        assertEquals(List.of("<first>", "<cat-toy>", "<wc>"), job.concepts().stream().map(ConceptSpec::token)
                .toList());
        ConceptSpec cat = job.concepts().get(1);
        assertEquals(lists.resolve("cat-toy").toString(), cat.images(), "relative to the manifest's folder");
        assertEquals(50, cat.train().steps());
        assertEquals(lists.resolve("concepts.jsonl") + ":1:", cat.key());
        ConceptSpec wc = job.concepts().get(2);
        assertEquals("s3a://b/wc/*.jpg", wc.images());
        assertEquals(3, wc.vectors());
        assertEquals(300, wc.train().steps());
        assertEquals(lists.resolve("concepts.jsonl") + ":3:", wc.key(), "blank lines still count");
    }

    @Test
    void aBadManifestLineIsNamedByFileLineAndKey(@TempDir Path tmp) throws Exception {
        Path m = tmp.resolve("c.jsonl");
        Files.writeString(m, "{\"token\": \"<a>\", \"init\": \"toy\", \"images\": \"/a\"}\n"
                + "{\"token\": \"<b>\", \"init\": \"toy\", \"images\": \"/b\", \"vectors\": 0}\n");
        JobConfigException e = fails(tmp, "sdti.concept-manifest = " + m);
        assertEquals(m + ":2: vectors", e.key());
        assertTrue(e.getMessage().contains("must be >= 1, got 0"), e.getMessage());

        Files.writeString(m, "{\"token\": \"<a>\", \"init\": \"toy\", \"images\": \"/a\", \"vector\": 2}\n");
        e = fails(tmp, "sdti.concept-manifest = " + m);
        assertEquals(m + ":1: vector", e.key());
        assertTrue(e.getMessage().contains("did you mean vectors?"), e.getMessage());

        Files.writeString(m, "{\"token\": \"<a>\", \"init\": \"toy\", \"images\": \"/a\"}\ntoken = <b>\n");
        e = fails(tmp, "sdti.concept-manifest = " + m);
        assertEquals(m + ":2:", e.key());
        assertTrue(e.getMessage().contains("expected one JSON object per line"), e.getMessage());

        Files.writeString(m, "{\"token\": \"<a>\", \"init\": \"toy\", \"images\": \"/a\", \"train\": "
                + "{\"average-every\": 5}}\n");
        assertEquals(m + ":1: train.average-every", fails(tmp, "sdti.concept-manifest = " + m).key());

        e = fails(tmp, "sdti.concepts = [{ token = \"<a>\", init = x, images = /x }]\nsdti.concept-manifest = "
                + m.resolveSibling("d.jsonl"));
        assertEquals("sdti.concept-manifest", e.key());
        assertTrue(e.getMessage().contains("d.jsonl does not exist"), e.getMessage());
    }

    @Test
    void aTokenTwiceIsNamedInBothPlaces(@TempDir Path tmp) throws Exception {
        Path m = tmp.resolve("c.jsonl");
        Files.writeString(m, "{\"token\": \"<a>\", \"init\": \"toy\", \"images\": \"/a\"}\n");
        JobConfigException e = fails(tmp, "sdti.concepts = [{ token = \"<a>\", init = x, images = /x }]\n"
                + "sdti.concept-manifest = " + m);
        assertEquals(m + ":1: token", e.key());
        assertTrue(e.getMessage().contains("already the token of sdti.concepts[0]"), e.getMessage());
    }

    @Test
    void everyFolderIsAConceptWithTheSettingsBesideIt(@TempDir Path tmp) throws Exception {
        Path root = Files.createDirectories(tmp.resolve("concepts"));
        Files.createDirectories(root.resolve("joe-bruin"));
        Files.createDirectories(root.resolve("mascot"));
        Files.createDirectories(root.resolve(".cache"));
        Files.writeString(root.resolve("_SUCCESS"), "");
        Files.writeString(root.resolve("joe-bruin.conf"), "init = bear\nvectors = 2\ntrain { lr = 1e-3 }\n");
        JobConfig job = load(tmp, "sdti.concept-folders = concepts\nsdti.concept-defaults.init = thing\n");
        assertEquals(List.of("<joe-bruin>", "<mascot>"), job.concepts().stream().map(ConceptSpec::token).toList());
        ConceptSpec joe = job.concepts().get(0);
        assertEquals("bear", joe.init());
        assertEquals(2, joe.vectors());
        assertEquals(1e-3, joe.train().lr());
        assertTrue(joe.images().endsWith("concepts/joe-bruin"), joe.images());
        assertEquals("thing", job.concepts().get(1).init());
    }

    @Test
    void aConceptFolderMistakeIsNamed(@TempDir Path tmp) throws Exception {
        Path root = Files.createDirectories(tmp.resolve("concepts"));
        Files.createDirectories(root.resolve("mascot"));
        JobConfigException e = fails(tmp, "sdti.concept-folders = concepts\n");
        assertTrue(e.key().endsWith("concepts/mascot:") || e.key().endsWith("concepts/mascot: init"), e.key());
        assertTrue(e.getMessage().contains("init"), e.getMessage());

        Files.writeString(root.resolve("notes.txt"), "x");
        e = fails(tmp, "sdti.concept-folders = concepts\nsdti.concept-defaults.init = thing\n");
        assertTrue(e.getMessage().contains("notes.txt: expected only concept folders"), e.getMessage());
        Files.delete(root.resolve("notes.txt"));

        Files.writeString(root.resolve("other.conf"), "init = bear\n");
        e = fails(tmp, "sdti.concept-folders = concepts\nsdti.concept-defaults.init = thing\n");
        assertTrue(e.getMessage().contains("other.conf: no folder other/"), e.getMessage());
        Files.delete(root.resolve("other.conf"));

        Files.writeString(root.resolve("mascot.conf"), "init = bear\nimages = /elsewhere\n");
        e = fails(tmp, "sdti.concept-folders = concepts\n");
        assertTrue(e.getMessage().contains("is the folder"), e.getMessage());

        Files.writeString(root.resolve("mascot.conf"), "include url(\"http://127.0.0.1:9/x.conf\")\ninit = bear\n");
        e = fails(tmp, "sdti.concept-folders = concepts\n");
        assertTrue(e.getMessage().contains("includes are not allowed"), e.getMessage());
    }

    @Test
    void theCommandStopsBeforeAnyWork(@TempDir Path tmp) throws Exception {
        Path m = tmp.resolve("c.jsonl");
        Files.writeString(m, "{\"token\": \"<a>\", \"init\": \"toy\", \"images\": \"/a\", \"vectors\": 0}\n");
        Path job = tmp.resolve("job.conf");
        Path out = tmp.resolve("out");
        Files.writeString(job, "sdti.model = /m\nsdti.output = \"" + out + "\"\nsdti.concept-manifest = c.jsonl\n");
        JobFixtures.Result r = JobFixtures.run("prepare", "--config", job.toString());
        assertEquals(2, r.code(), r.err());
        assertTrue(r.err().contains(m + ":1: vectors: must be >= 1, got 0"), r.err());
        assertFalse(Files.exists(out));
    }
}
