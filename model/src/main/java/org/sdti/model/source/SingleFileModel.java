package org.sdti.model.source;

import java.io.IOException;
import java.util.Locale;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.sdti.model.config.ConfigException;
import org.sdti.model.config.JsonConfig;
import org.sdti.model.config.UNetConfig;
import org.sdti.model.embeddings.TorchCheckpoint;
import org.sdti.model.io.ModelConfigs;
import org.sdti.model.io.ModelPresets;
import org.sdti.model.io.ModelSource;
import org.sdti.model.io.SafeTensorsFile;
import org.sdti.model.io.WeightFile;
import org.sdti.model.models.WeightsException;
import org.sdti.model.text.TokenizerFiles;

/**
 * A single-file SD 2.x checkpoint in the original LDM layout ({@code .safetensors} or {@code .ckpt}; float32,
 * float16 or bfloat16) with its architecture from a preset or a diffusers config folder: the weights cannot say
 * whether the model predicts noise or velocity, nor its tokenizer. Each {@link #openWeights} opens the file anew,
 * so components close independently (the text encoder keeps its file open while the others are done).
 */
public final class SingleFileModel implements ModelSource {
    private static final String OPENCLIP_MARK = LdmNames.TEXT_PREFIX + "token_embedding.weight";
    private static final String SD1_MARK = "cond_stage_model.transformer.text_model.embeddings.token_embedding.weight";

    private final FileSystem fs;
    private final Path file;
    private final ModelConfigs configs;

    SingleFileModel(FileSystem fs, Path file, ModelConfigs configs) {
        this.fs = fs;
        this.file = file;
        this.configs = configs;
    }

    /** True for the names sdti reads as single files: {@code .safetensors}, {@code .ckpt} and {@code .pt}. */
    static boolean isSingleFileName(String name) {
        String n = name.toLowerCase(Locale.ROOT);
        return n.endsWith(".safetensors") || n.endsWith(".ckpt") || n.endsWith(".pt");
    }

    /** The file's qualified URI. */
    @Override
    public String location() {
        return file.toString();
    }

    /** Where the architecture comes from: a folder's URI or {@code preset:NAME}. */
    @Override
    public String modelConfig() {
        return configs.location();
    }

    @Override
    public String readTextIfExists(String relative) throws IOException {
        return configs.readTextIfExists(relative);
    }

    @Override
    public JsonConfig json(String relative) throws IOException {
        return configs.json(relative);
    }

    /** The config folder's tokenizer when it has one, else the SD 2 tokenizer sdti ships. */
    @Override
    public TokenizerFiles tokenizerFiles() throws IOException {
        if (configs.readTextIfExists(TOKENIZER + "/" + TokenizerFiles.VOCAB) != null) {
            return configs.tokenizerFiles();
        }
        return ModelPresets.sd2Tokenizer("sdti's SD 2 tokenizer");
    }

    @Override
    public WeightFile openWeights(String component) throws IOException {
        WeightFile raw = openRaw();
        try {
            return switch (component) {
                case UNET -> {
                    UNetConfig uc = unetConfig();
                    requireLevels(uc.blockOutChannels().length, "unet/config.json block_out_channels");
                    requireKey(raw, LdmNames.UNET_PREFIX + "input_blocks.0.0.weight", "U-Net");
                    yield new LdmWeights(raw, component, name -> LdmNames.unet(name, uc));
                }
                case VAE -> {
                    requireLevels(vaeConfig().blockOutChannels().length, "vae/config.json block_out_channels");
                    requireKey(raw, LdmNames.VAE_PREFIX + "decoder.conv_in.weight", "VAE");
                    yield new LdmWeights(raw, component, LdmNames::vae);
                }
                case TEXT_ENCODER -> {
                    if (!raw.contains(OPENCLIP_MARK) && raw.contains(SD1_MARK)) {
                        throw new WeightsException(raw.source() + ": an SD 1.x checkpoint (CLIP ViT-L text encoder "
                                + "under cond_stage_model.transformer.*); sdti reads SD 2.x, whose OpenCLIP text "
                                + "tower is under " + LdmNames.TEXT_PREFIX + "*");
                    }
                    requireKey(raw, OPENCLIP_MARK, "SD 2 (OpenCLIP) text encoder");
                    yield new LdmWeights(raw, component, LdmNames::textEncoder);
                }
                default -> throw new IllegalArgumentException("no component '" + component + "' in a checkpoint");
            };
        } catch (IOException | RuntimeException e) {
            raw.close();
            throw e;
        }
    }

    private WeightFile openRaw() throws IOException {
        String name = file.getName().toLowerCase(Locale.ROOT);
        return name.endsWith(".safetensors") ? SafeTensorsFile.open(fs, file) : TorchCheckpoint.open(fs, file);
    }

    private static void requireKey(WeightFile raw, String key, String what) throws WeightsException {
        if (!raw.contains(key)) {
            throw new WeightsException(raw.source() + ": no tensor '" + key + "', so no " + what + " in the original "
                    + "SD 2.x single-file layout");
        }
    }

    private void requireLevels(int levels, String where) {
        if (levels > LdmNames.maxLevels()) {
            throw new ConfigException(configs.location() + ": " + where + " has " + levels + " levels; a single-file "
                    + "SD 2.x checkpoint numbers at most " + LdmNames.maxLevels());
        }
    }

    @Override
    public FileStatus weightFile(String component) throws IOException {
        return fs.getFileStatus(file);
    }

    @Override
    public FileSystem fileSystem() {
        return fs;
    }

    @Override
    public String toString() {
        return location() + " (architecture " + configs.location() + ")";
    }
}
