package org.sdti.model.io;

import java.io.FileNotFoundException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.sdti.model.config.ConfigException;
import org.sdti.model.config.JsonConfig;
import org.sdti.model.text.TokenizerFiles;

/**
 * A Stable Diffusion model folder in the diffusers layout ({@code model_index.json}, {@code unet/}, {@code vae/},
 * {@code text_encoder/}, {@code tokenizer/}, {@code scheduler/}) on any Hadoop file system: plain paths,
 * {@code file:}, {@code hdfs:}, {@code s3a:}. Nothing is read until asked for, so a folder holding only the
 * tokenizer or only configs serves the commands that need no more.
 */
public final class ModelFolder implements ModelSource {
    /**
     * Weight file names diffusers/transformers write, in the order they are preferred: float32, then the
     * {@code fp16} variant (half precision, upcast when read) when a folder has only that.
     */
    private static final List<String> WEIGHT_FILES = List.of("diffusion_pytorch_model.safetensors", "model.safetensors",
            "diffusion_pytorch_model.fp16.safetensors", "model.fp16.safetensors");
    private static final List<String> PICKLE_FILES = List.of("diffusion_pytorch_model.bin", "pytorch_model.bin");

    private final FileSystem fs;
    private final Path root;

    private ModelFolder(HadoopLocation at) {
        this.fs = at.fs();
        this.root = at.root();
    }

    /** Opens a folder by path or URI; fails when it does not exist or is not a directory. */
    public static ModelFolder open(String location, Configuration conf) throws IOException {
        return new ModelFolder(HadoopLocation.of(location, conf).requireFolder("model folder"));
    }

    public static ModelFolder open(String location) throws IOException {
        return open(location, new Configuration());
    }

    /** The folder's qualified URI, e.g. {@code file:/models/sd21} or {@code s3a://bucket/sd21}. */
    @Override
    public String location() {
        return root.toString();
    }

    @Override
    public FileSystem fileSystem() {
        return fs;
    }

    public Path resolve(String relative) {
        return new Path(root, relative);
    }

    public boolean exists(String relative) throws IOException {
        return fs.exists(resolve(relative));
    }

    /** A UTF-8 text file of the folder; a missing file is an error naming it. */
    public String readText(String relative) throws IOException {
        Path p = resolve(relative);
        try (InputStream in = fs.open(p)) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (FileNotFoundException e) {
            throw new FileNotFoundException(p + " does not exist (expected in the diffusers model folder "
                    + location() + ")");
        }
    }

    /** A text file of the folder, or null when it does not exist. */
    @Override
    public String readTextIfExists(String relative) throws IOException {
        return exists(relative) ? readText(relative) : null;
    }

    @Override
    public JsonConfig json(String relative) throws IOException {
        return JsonConfig.parse(resolve(relative).toString(), readText(relative));
    }






    /** The {@code tokenizer/} files; vocab.json and merges.txt are required, the config files optional. */
    @Override
    public TokenizerFiles tokenizerFiles() throws IOException {
        String dir = TOKENIZER + "/";
        return new TokenizerFiles(resolve(TOKENIZER).toString(),
                readText(dir + TokenizerFiles.VOCAB),
                readText(dir + TokenizerFiles.MERGES),
                readTextIfExists(dir + TokenizerFiles.TOKENIZER_CONFIG),
                readTextIfExists(dir + TokenizerFiles.SPECIAL_TOKENS_MAP),
                readTextIfExists(dir + TokenizerFiles.ADDED_TOKENS));
    }

    /** Opens a component's safetensors weights (lazily; memory-mapped when local). */
    @Override
    public SafeTensorsFile openWeights(String component) throws IOException {
        return SafeTensorsFile.open(fs, weightFile(component).getPath());
    }

    /** The component's weight file: the first of the names diffusers writes that exists. */
    @Override
    public FileStatus weightFile(String component) throws IOException {
        for (String name : WEIGHT_FILES) {
            Path p = resolve(component + "/" + name);
            if (fs.exists(p)) {
                return fs.getFileStatus(p);
            }
        }
        for (String name : PICKLE_FILES) {
            if (fs.exists(resolve(component + "/" + name))) {
                throw new ConfigException(resolve(component + "/" + name) + ": torch pickle weights are not read "
                        + "(they can run code when loaded); convert the folder to safetensors, e.g. by saving the "
                        + "pipeline with safe_serialization=True");
            }
        }
        throw new FileNotFoundException("no weights for '" + component + "' in model folder " + location()
                + ": expected " + component + "/" + String.join(" or " + component + "/", WEIGHT_FILES));
    }

    @Override
    public String toString() {
        return location();
    }
}
