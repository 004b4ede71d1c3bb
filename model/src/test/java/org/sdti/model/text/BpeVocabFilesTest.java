package org.sdti.model.text;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import org.junit.jupiter.api.Test;
import org.sdti.model.testing.TestData;

class BpeVocabFilesTest {
    static String sha256(String s) throws NoSuchAlgorithmException {
        return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(s.getBytes(StandardCharsets.UTF_8)));
    }

    /** Byte-identical to the SD 2.1 tokenizer files (sha256 from the reference's tokenizer.md). */
    @Test
    void buildsTheSd21TokenizerFilesByteForByte() throws Exception {
        BpeVocabFiles f = BpeVocabFiles.bundled();
        assertEquals("e089ad92ba36837a0d31433e555c8f45fe601ab5c221d4f607ded32d9f7a4349", sha256(f.vocabJson()));
        assertEquals("9fd691f7c8039210e0fced15865466c65820d09b63988b0174bfe25de299051a", sha256(f.mergesTxt()));
        assertEquals(Files.readString(TestData.path("reference/sd2/sd21/tokenizer/merges.txt")), f.mergesTxt());
    }
}
