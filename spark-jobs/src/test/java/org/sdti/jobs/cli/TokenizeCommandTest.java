package org.sdti.jobs.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sdti.model.testing.TestData;

class TokenizeCommandTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    record Result(int code, String out, String err) {
        List<String> lines() {
            return out.lines().toList();
        }
    }

    static Result run(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int code = Main.run(new PrintWriter(out), new PrintWriter(err), args);
        return new Result(code, out.toString(), err.toString());
    }

    static int[] ids(String line) throws Exception {
        JsonNode n = JSON.readTree(line);
        int[] a = new int[n.size()];
        for (int i = 0; i < a.length; i++) {
            a[i] = n.get(i).intValue();
        }
        return a;
    }

    @Test
    void printsOneLineOf77IdsPerTextMatchingTheReference() throws Exception {
        Result r = run("tokenize", "--model", TestData.tinyModel().toString(), "a photo of a cat", "A Photo Of A CAT");
        assertEquals(0, r.code(), r.err());
        assertEquals(2, r.lines().size());
        JsonNode golden = JSON.readTree(TestData.goldens("tokenizer.json").toFile()).get("prompts").get(0).get("ids_77");
        int[] first = ids(r.lines().get(0));
        assertEquals(77, first.length);
        for (int i = 0; i < 77; i++) {
            assertEquals(golden.get(i).intValue(), first[i], "id " + i);
        }
        assertEquals(r.lines().get(0), r.lines().get(1));
    }

    @Test
    void addedTokensExpandToAllTheirVectors() throws Exception {
        // a folder with configs and tokenizer only (no weights) is enough
        Result r = run("tokenize", "--model", TestData.path("reference/sd2/sd21").toString(),
                "--add-token", "<joe-bruin>:3", "--add-token", "<cat-toy>", "a <joe-bruin> and a <cat-toy>");
        assertEquals(0, r.code(), r.err());
        int[] ids = ids(r.lines().get(0));
        assertEquals(List.of(49406, 320, 49408, 49409, 49410, 537, 320, 49411, 49407, 0),
                java.util.Arrays.stream(ids).limit(10).boxed().toList());
    }

    @Test
    void readsTextsFromAJsonFile(@TempDir Path tmp) throws Exception {
        Path input = tmp.resolve("prompts.json");
        Files.writeString(input, "[\"a photo of a cat\", \"bear\"]");
        Result r = run("tokenize", "--model", TestData.tinyModel().toString(), "--input", input.toString());
        assertEquals(0, r.code(), r.err());
        assertEquals(2, r.lines().size());
        assertEquals(4298, ids(r.lines().get(1))[1]);
    }

    @Test
    void badInputExitsTwoWithOneLine(@TempDir Path tmp) {
        Result unknown = run("tokenize", "--model", TestData.tinyModel().toString(), "--frobnicate", "x");
        assertEquals(2, unknown.code());
        assertEquals(1, unknown.err().lines().count(), unknown.err());
        assertTrue(unknown.err().contains("--frobnicate"), unknown.err());

        Result missing = run("tokenize", "--model", tmp.resolve("nowhere").toString(), "x");
        assertEquals(2, missing.code());
        assertEquals(1, missing.err().lines().count(), missing.err());
        assertTrue(missing.err().contains("nowhere") && missing.err().contains("does not exist"), missing.err());

        Result existing = run("tokenize", "--model", TestData.tinyModel().toString(), "--add-token", "cat", "x");
        assertEquals(2, existing.code());
        assertTrue(existing.err().contains("cat"), existing.err());

        Result noModel = run("tokenize", "x");
        assertEquals(2, noModel.code());
        assertTrue(noModel.err().contains("--model"), noModel.err());
    }
}
