package org.sdti.model.embeddings;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.stream.Stream;
import java.util.stream.StreamSupport;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.sdti.model.io.DType;
import org.sdti.model.io.SafeTensorsFile;

/** Every ti_samples file reads as its manifest says: dtype, shape, first values, sum, and every element. */
class EmbeddingSamplesTest {
    private static final JsonNode MANIFEST = Samples.manifest();

    static Stream<String> samples() {
        return StreamSupport.stream(((Iterable<String>) MANIFEST::fieldNames).spliterator(), false)
                .filter(n -> !n.startsWith("_"));
    }

    @Test
    void manifestListsEverySampleFile() throws IOException {
        try (Stream<Path> files = Files.list(Samples.path(""))) {
            List<String> onDisk = files.map(p -> p.getFileName().toString()).filter(n -> !n.equals("manifest.json"))
                    .sorted().toList();
            assertEquals(onDisk, samples().sorted().toList());
        }
        assertEquals(6, samples().count());
    }

    @ParameterizedTest
    @MethodSource("samples")
    void fileIsTheOneTheManifestDescribes(String name) throws IOException, NoSuchAlgorithmException {
        byte[] bytes = Files.readAllBytes(Samples.path(name));
        JsonNode m = MANIFEST.get(name);
        assertEquals(m.get("size").asLong(), bytes.length);
        assertEquals(m.get("sha256").asText(),
                HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes)));
    }

    @ParameterizedTest
    @MethodSource("samples")
    void readsShapeValuesAndSum(String name) throws IOException {
        JsonNode m = MANIFEST.get(name);
        LearnedEmbedding e = EmbeddingFiles.read(Samples.path(name));

        List<Integer> shape = StreamSupport.stream(m.get("shape").spliterator(), false).map(JsonNode::asInt).toList();
        int width = shape.get(shape.size() - 1);
        int rows = shape.size() == 1 ? 1 : shape.get(0); // 1-D [dim] reads as [1, dim]
        assertEquals(rows, e.count());
        assertEquals(width, e.width());

        float[] flat = e.flat();
        for (int i = 0; i < m.get("first_values").size(); i++) {
            assertEquals((float) m.get("first_values").get(i).asDouble(), flat[i], 0f, "value " + i);
        }
        // multiples of 1/64 in a small range: any summation order is exact
        double sum = 0;
        for (float v : flat) sum += v;
        assertEquals(m.get("sum").asDouble(), sum, 0.0);
        assertArrayEquals(Samples.formula(rows, width), e.vectors());
    }

    @ParameterizedTest
    @MethodSource("samples")
    void storedDtypeIsTheManifests(String name) throws IOException {
        JsonNode m = MANIFEST.get(name);
        DType expected = switch (m.get("dtype").asText()) {
            case "torch.float32" -> DType.F32;
            case "torch.float16" -> DType.F16;
            default -> throw new AssertionError(m.get("dtype").asText());
        };
        Path file = Samples.path(name);
        if (name.endsWith(".safetensors")) {
            try (SafeTensorsFile f = SafeTensorsFile.open(file)) {
                assertEquals(expected, f.info(m.get("tensor_key").asText()).dtype());
            }
        } else {
            assertEquals(expected, storedTensor(file, m).dtype());
            assertArrayEquals(StreamSupport.stream(m.get("shape").spliterator(), false).mapToLong(JsonNode::asLong)
                    .toArray(), storedTensor(file, m).shape());
        }
    }

    /** The tensor the manifest's tensor_key names, straight from the unpickled dict. */
    private static TorchTensor storedTensor(Path file, JsonNode m) throws IOException {
        Map<?, ?> root = (Map<?, ?>) TorchArchive.read(file, file.toString(), 1 << 20).load();
        assertEquals(StreamSupport.stream(m.get("top_level_keys").spliterator(), false).map(JsonNode::asText)
                .sorted().toList(), root.keySet().stream().map(String::valueOf).sorted().toList());
        Object params = root.get("string_to_param");
        if (params == null) return (TorchTensor) root.get(m.get("tensor_key").asText());
        if (params instanceof Py.Instance module) {
            assertEquals(m.get("string_to_param_type").asText(), module.type.toString());
            params = module.state.get("_parameters");
        } else {
            assertEquals("builtins.dict", m.get("string_to_param_type").asText());
        }
        return (TorchTensor) ((Map<?, ?>) params).get(m.get("tensor_key").asText());
    }

    // ---- what each layout contributes besides the vectors ------------------------------------------------------

    @Test
    void a1111NameStepAndCheckpoint() throws IOException {
        LearnedEmbedding e = EmbeddingFiles.read(Samples.path("a1111_joe-bruin.pt"));
        assertEquals("joe-bruin", e.token());
        assertEquals(new EmbeddingMetadata(Optional.of(EmbeddingFormat.A1111_PT), OptionalLong.of(1500),
                Optional.of("v2-1_768-ema-pruned"), Optional.of("ad2a33c361"), Map.of()), e.metadata());
        assertEquals(List.of("joe-bruin", "joe-bruin_1"), e.tokens());
    }

    @Test
    void ldmParameterDictWithoutNameIsNamedByItsFile() throws IOException {
        LearnedEmbedding e = EmbeddingFiles.read(Samples.path("ldm_style_parameterdict.pt"));
        assertEquals("ldm_style_parameterdict", e.token());
        assertEquals(EmbeddingMetadata.NONE.withFormat(EmbeddingFormat.A1111_PT), e.metadata());
    }

    @Test
    void diffusersSafetensorsTokenIsTheKey() throws IOException {
        LearnedEmbedding e = EmbeddingFiles.read(Samples.path("diffusers_learned_embeds.safetensors"));
        assertEquals("<cat-toy>", e.token());
        assertEquals(List.of("<cat-toy>"), e.tokens());
        assertEquals(Optional.of(EmbeddingFormat.DIFFUSERS_SAFETENSORS), e.metadata().format());
        assertEquals(Map.of("format", "pt"), e.metadata().properties());
        assertTrue(e.metadata().step().isEmpty());
    }

    @Test
    void threeVectorsAreTokTok1Tok2() throws IOException {
        LearnedEmbedding e = EmbeddingFiles.read(Samples.path("diffusers_learned_embeds_3vec.safetensors"));
        assertEquals(3, e.count());
        assertEquals(List.of("<cat-toy>", "<cat-toy>_1", "<cat-toy>_2"), e.tokens());
    }

    @Test
    void legacyBinIsOneVectorFromOneDimension() throws IOException {
        LearnedEmbedding e = EmbeddingFiles.read(Samples.path("diffusers_learned_embeds_legacy.bin"));
        assertEquals("<cat-toy>", e.token());
        assertEquals(1, e.count());
        assertEquals(1024, e.width());
        assertEquals(Optional.of(EmbeddingFormat.DIFFUSERS_BIN), e.metadata().format());
    }

    @Test
    void kohyaHalfPrecisionConvertsExactlyAndIsNamedByItsFile() throws IOException {
        Path file = Samples.path("kohya_emb_params_fp16.safetensors");
        LearnedEmbedding e = EmbeddingFiles.read(file);
        assertEquals("kohya_emb_params_fp16", e.token());
        assertEquals(Optional.of(EmbeddingFormat.KOHYA_SAFETENSORS), e.metadata().format());
        assertEquals("joe-bruin", e.metadata().properties().get("ss_output_name"));

        // every F16 element, decoded by hand from its bits, equals the float we return
        byte[] bytes = Files.readAllBytes(file);
        int dataStart = 8 + (int) java.nio.ByteBuffer.wrap(bytes).order(java.nio.ByteOrder.LITTLE_ENDIAN).getLong();
        float[] flat = e.flat();
        for (int i = 0; i < flat.length; i++) {
            int bits = (bytes[dataStart + 2 * i] & 0xff) | (bytes[dataStart + 2 * i + 1] & 0xff) << 8;
            assertEquals(half(bits), flat[i], 0f, "element " + i);
        }
    }

    /** IEEE binary16 → float, written out for normal numbers and zero (all the sample holds). */
    private static float half(int bits) {
        int sign = bits >> 15 == 1 ? -1 : 1;
        int exponent = bits >> 10 & 0x1f;
        int mantissa = bits & 0x3ff;
        assertTrue(exponent != 0x1f && (exponent != 0 || mantissa == 0), "normal or zero");
        return exponent == 0 ? sign * 0f : sign * (1 + mantissa / 1024f) * (float) Math.pow(2, exponent - 15);
    }
}
