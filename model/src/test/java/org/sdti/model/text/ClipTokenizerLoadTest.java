package org.sdti.model.text;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sdti.model.testing.TestData;

/** Loading tokenizer folders: both published SD 2 layouts, SD 1 padding, and errors that name the file. */
class ClipTokenizerLoadTest {
    private static final String SD1_SPECIAL_TOKENS = "{\"bos_token\": {\"content\": \"<|startoftext|>\"},"
            + " \"eos_token\": {\"content\": \"<|endoftext|>\"}, \"pad_token\": \"<|endoftext|>\","
            + " \"unk_token\": {\"content\": \"<|endoftext|>\"}}";

    @Test
    void originalSd21FolderPadsWithExclamationMarkId0() {
        ClipTokenizer tokenizer = ClipFixtures.sd21();
        assertEquals(0, tokenizer.padId());
        assertEquals(49406, tokenizer.startId());
        assertEquals(49407, tokenizer.endId());
        assertEquals(77, tokenizer.maxLength());
        assertEquals(49408, tokenizer.vocabSize());
        assertTrue(tokenizer.addedTokens().isEmpty());
    }

    @Test
    void folderResavedByNewerTransformersLoadsTheSame() throws IOException {
        Path configs = ClipFixtures.RESAVED_CONFIGS;
        ClipTokenizer resaved = ClipTokenizer.load(ClipFixtures.sd21With(configs.toString(),
                ClipFixtures.read(configs.resolve(TokenizerFiles.TOKENIZER_CONFIG)),
                ClipFixtures.read(configs.resolve(TokenizerFiles.SPECIAL_TOKENS_MAP)),
                ClipFixtures.read(configs.resolve(TokenizerFiles.ADDED_TOKENS))));
        assertEquals(0, resaved.padId());
        assertEquals(77, resaved.maxLength());
        assertEquals(49408, resaved.vocabSize()); // its added tokens are all vocabulary tokens already
        for (String text : new String[] {"a photo of a cat", "hello, world!", "wow!!! amazing!!!", ""}) {
            assertArrayEquals(ClipFixtures.sd21().encode(text), resaved.encode(text), text);
        }
    }

    @Test
    void theTinyFixtureModelFolderLoads() throws IOException {
        ClipTokenizer tiny = ClipTokenizer.load(TestData.tinyModel().resolve("tokenizer"));
        assertEquals(0, tiny.padId());
        assertArrayEquals(ClipFixtures.sd21().encode("a photo of a cat"), tiny.encode("a photo of a cat"));
    }

    @Test
    void specialTokensMapOverridesTheConfig() throws IOException {
        String config = ClipFixtures.read(ClipFixtures.SD21_TOKENIZER.resolve(TokenizerFiles.TOKENIZER_CONFIG));
        assertEquals(49407, ClipTokenizer.load(ClipFixtures.sd21With("config only", config, null, null)).padId());
        assertEquals(0, ClipTokenizer.load(ClipFixtures.sd21With("both", config, "{\"pad_token\": \"!\"}", null))
                .padId());
        assertEquals(0, ClipTokenizer.load(ClipFixtures.sd21With("AddedToken dict", config,
                "{\"pad_token\": {\"__type\": \"AddedToken\", \"content\": \"!\"}}", null)).padId());
    }

    @Test
    void sd1StyleFolderPadsWithTheEndId() throws IOException {
        ClipTokenizer sd1 = ClipTokenizer.load(ClipFixtures.sd21With("sd1", null, SD1_SPECIAL_TOKENS, null));
        assertEquals(49407, sd1.padId());
        int[] row = sd1.encode("a photo of a cat");
        assertArrayEquals(new int[] {49406, 320, 1125, 539, 320, 2368, 49407, 49407}, java.util.Arrays.copyOf(row, 8));
        assertEquals(49407, row[76]);
    }

    @Test
    void withoutConfigFilesTheClipTokenizerDefaultsApply() throws IOException {
        ClipTokenizer bare = ClipTokenizer.load(ClipFixtures.sd21With("bare", null, null, null));
        assertEquals(49407, bare.padId()); // CLIPTokenizer's own default pad token
        assertEquals(77, bare.maxLength());
    }

    @Test
    void modelMaxLengthComesFromTheConfig() throws IOException {
        ClipTokenizer short16 = ClipTokenizer.load(ClipFixtures.sd21With("short", "{\"model_max_length\": 16}",
                "{\"pad_token\": \"!\"}", null));
        assertEquals(16, short16.maxLength());
        assertEquals(16, short16.encode("a photo of a cat").length);
        assertEquals(77, ClipTokenizer.load(ClipFixtures.sd21With("float", "{\"model_max_length\": 77.0}", null,
                null)).maxLength());
        ClipTokenizer unset = ClipTokenizer.load(ClipFixtures.sd21With("unset",
                "{\"model_max_length\": 1000000000000000019884624838656}", null, null));
        assertEquals(77, unset.maxLength());
    }

    @Test
    void savedPlaceholderTokensAreLoadedAfterTheVocabulary() throws IOException {
        ClipTokenizer saved = ClipTokenizer.load(ClipFixtures.sd21With("saved", null, "{\"pad_token\": \"!\"}",
                "{\"<cat-toy>\": 49408, \"<cat-toy>_1\": 49409, \"!\": 0}"));
        assertEquals(49410, saved.vocabSize());
        assertArrayEquals(new int[] {320, 49408, 49409}, saved.encodeContent("a <cat-toy>"));
    }

    @Test
    void missingVocabIsReportedWithItsPath(@TempDir Path dir) throws IOException {
        Files.writeString(dir.resolve("merges.txt"), "#version: 0.2\n");
        TokenizerFileException e = assertThrows(TokenizerFileException.class, () -> ClipTokenizer.load(dir));
        assertTrue(e.getMessage().contains(dir.resolve("vocab.json").toString()), e.getMessage());
        assertTrue(e.getMessage().contains("missing"), e.getMessage());
    }

    @Test
    void missingFolderIsReported(@TempDir Path dir) {
        TokenizerFileException e = assertThrows(TokenizerFileException.class,
                () -> ClipTokenizer.load(dir.resolve("nope")));
        assertTrue(e.getMessage().contains("nope"), e.getMessage());
    }

    @Test
    void badMergesLineIsReportedWithItsNumber() {
        String merges = ClipFixtures.read(ClipFixtures.SD21_TOKENIZER.resolve(TokenizerFiles.MERGES));
        String broken = merges.replaceFirst("\n([^\n]*)\n", "\n$1\nthree symbols here\n");
        TokenizerFileException e = assertThrows(TokenizerFileException.class, () -> ClipTokenizer.load(
                new TokenizerFiles("folder", ClipFixtures.read(ClipFixtures.SD21_TOKENIZER.resolve("vocab.json")),
                        broken, null, null, null)));
        assertTrue(e.getMessage().startsWith("folder/merges.txt: line 3 "), e.getMessage());
        assertTrue(e.getMessage().contains("three symbols here"), e.getMessage());
    }

    @Test
    void mergesWithoutHeaderOrWithUnknownResultsAreRejected() {
        String vocab = ClipFixtures.read(ClipFixtures.SD21_TOKENIZER.resolve("vocab.json"));
        TokenizerFileException noHeader = assertThrows(TokenizerFileException.class, () -> ClipTokenizer.load(
                new TokenizerFiles("f", vocab, "i n\n", null, null, null)));
        assertTrue(noHeader.getMessage().startsWith("f/merges.txt: line 1 "), noHeader.getMessage());
        TokenizerFileException unknown = assertThrows(TokenizerFileException.class, () -> ClipTokenizer.load(
                new TokenizerFiles("f", vocab, "#version: 0.2\nq z\n", null, null, null)));
        assertTrue(unknown.getMessage().contains("'qz' is not in the vocabulary"), unknown.getMessage());
    }

    @Test
    void unknownPadTokenIsReportedWithTheFileThatNamedIt() {
        TokenizerFileException e = assertThrows(TokenizerFileException.class, () -> ClipTokenizer.load(
                ClipFixtures.sd21With("folder", null, "{\"pad_token\": \"<pad>\"}", null)));
        assertTrue(e.getMessage().startsWith("folder/special_tokens_map.json: pad_token '<pad>'"), e.getMessage());
    }

    @Test
    void malformedJsonAndWrongShapesAreReported() {
        TokenizerFileException badJson = assertThrows(TokenizerFileException.class, () -> ClipTokenizer.load(
                ClipFixtures.sd21With("folder", "{\"pad_token\": ", null, null)));
        assertTrue(badJson.getMessage().startsWith("folder/tokenizer_config.json: not valid JSON"),
                badJson.getMessage());
        TokenizerFileException badToken = assertThrows(TokenizerFileException.class, () -> ClipTokenizer.load(
                ClipFixtures.sd21With("folder", null, "{\"pad_token\": 5}", null)));
        assertTrue(badToken.getMessage().contains("pad_token must be a string or an AddedToken"),
                badToken.getMessage());
        TokenizerFileException badVocab = assertThrows(TokenizerFileException.class, () -> ClipTokenizer.load(
                new TokenizerFiles("folder", "[1, 2]", "#version: 0.2\n", null, null, null)));
        assertEquals("folder/vocab.json: expected a JSON object of token to id", badVocab.getMessage());
        TokenizerFileException duplicate = assertThrows(TokenizerFileException.class, () -> ClipTokenizer.load(
                new TokenizerFiles("folder", "{\"a\": 0, \"a\": 1}", "#version: 0.2\n", null, null, null)));
        assertTrue(duplicate.getMessage().startsWith("folder/vocab.json: not valid JSON: Duplicate field 'a'"),
                duplicate.getMessage());
    }

    @Test
    void addedTokensMustFollowTheVocabularyAndAgreeWithIt() {
        TokenizerFileException gap = assertThrows(TokenizerFileException.class, () -> ClipTokenizer.load(
                ClipFixtures.sd21With("folder", null, null, "{\"<x>\": 49410}")));
        assertTrue(gap.getMessage().contains("next free id is 49408"), gap.getMessage());
        TokenizerFileException clash = assertThrows(TokenizerFileException.class, () -> ClipTokenizer.load(
                ClipFixtures.sd21With("folder", null, null, "{\"!\": 5}")));
        assertTrue(clash.getMessage().startsWith("folder/added_tokens.json: added token '!' has id 5"),
                clash.getMessage());
    }
}
