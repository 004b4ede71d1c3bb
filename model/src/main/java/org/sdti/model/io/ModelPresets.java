package org.sdti.model.io;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.sdti.model.config.JsonConfig;
import org.sdti.model.text.BpeVocabFiles;
import org.sdti.model.text.TokenizerFiles;

/**
 * The bundled architectures, as configs without weights: {@code tiny} (the test fixture's), {@code toy} (what
 * {@code pretrain} trains from scratch), {@code midsize} (the benchmark model), {@code sd21-base} and {@code sd21} (the published Stable Diffusion 2.1 configs), each with the
 * SD 2 tokenizer sdti ships.
 */
public final class ModelPresets implements ModelConfigs {
    public static final List<String> NAMES = List.of("tiny", "toy", "midsize", "sd21-base", "sd21");
    private static final String ROOT = "/org/sdti/model/presets/";

    private final String name;

    private ModelPresets(String name) {
        this.name = name;
    }

    public static boolean isPreset(String name) {
        return NAMES.contains(name);
    }

    public static ModelPresets of(String name) {
        if (!isPreset(name)) {
            throw new IllegalArgumentException("unknown model preset '" + name + "' (expected one of "
                    + String.join(", ", NAMES) + ")");
        }
        return new ModelPresets(name);
    }

    @Override
    public String location() {
        return "preset:" + name;
    }

    @Override
    public String readTextIfExists(String relative) throws IOException {
        return resourceOrNull(name + "/" + relative);
    }

    @Override
    public JsonConfig json(String relative) throws IOException {
        return JsonConfig.parse("preset " + name + ": " + relative, resource(name + "/" + relative));
    }

    @Override
    public TokenizerFiles tokenizerFiles() throws IOException {
        return sd2Tokenizer(location() + "/tokenizer");
    }

    /** The SD 2 tokenizer sdti ships (the OpenAI BPE files and the SD 2.1 tokenizer configs). */
    public static TokenizerFiles sd2Tokenizer(String origin) throws IOException {
        BpeVocabFiles bpe = BpeVocabFiles.bundled();
        return new TokenizerFiles(origin, bpe.vocabJson(), bpe.mergesTxt(),
                resource("tokenizer-sd2/" + TokenizerFiles.TOKENIZER_CONFIG),
                resource("tokenizer-sd2/" + TokenizerFiles.SPECIAL_TOKENS_MAP), null);
    }

    /** A bundled file under the presets folder; missing is a broken build, so an error. */
    public static String resource(String rel) throws IOException {
        String text = resourceOrNull(rel);
        if (text == null) {
            throw new IOException("bundled resource " + ROOT + rel + " is missing from the class path");
        }
        return text;
    }

    private static String resourceOrNull(String rel) throws IOException {
        try (InputStream in = ModelPresets.class.getResourceAsStream(ROOT + rel)) {
            return in == null ? null : new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    @Override
    public String toString() {
        return location();
    }
}
