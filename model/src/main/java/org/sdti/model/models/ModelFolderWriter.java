package org.sdti.model.models;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.List;
import java.util.Map;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.sdti.model.io.AtomicFiles;
import org.sdti.model.io.DType;
import org.sdti.model.io.SafeTensorsWriter;
import org.sdti.model.text.BpeVocabFiles;

/**
 * Writes a complete diffusers-layout model folder: an {@link Architecture}'s configs, the SD 2 tokenizer and the
 * weights of the three networks (float32 safetensors, each file written atomically). {@code init-model} writes
 * seeded random weights through it ({@link RandomModelFolder}), {@code pretrain} the trained ones.
 */
public final class ModelFolderWriter {
    /** One network's float32 PyTorch-layout tensors, produced one at a time while its file is written. */
    @FunctionalInterface
    public interface Weights {
        float[] tensor(String name) throws IOException;
    }

    private ModelFolderWriter() {}

    public static void write(Architecture arch, String location, Weights unet, Weights vae, Weights textEncoder,
                             Map<String, String> metadata, Configuration conf) throws IOException {
        Path root = new Path(location);
        FileSystem fs = root.getFileSystem(conf);
        for (Map.Entry<String, String> e : arch.configs().entrySet()) {
            AtomicFiles.writeText(fs, new Path(root, e.getKey()), e.getValue());
        }
        BpeVocabFiles bpe = BpeVocabFiles.bundled();
        AtomicFiles.writeText(fs, new Path(root, "tokenizer/vocab.json"), bpe.vocabJson());
        AtomicFiles.writeText(fs, new Path(root, "tokenizer/merges.txt"), bpe.mergesTxt());
        for (String f : List.of("special_tokens_map.json", "tokenizer_config.json")) {
            AtomicFiles.writeText(fs, new Path(root, "tokenizer/" + f), Architecture.resource("tokenizer-sd2/" + f));
        }
        writeWeights(Layouts.unet(arch.unet()), unet, metadata, new Path(root, "unet/diffusion_pytorch_model.safetensors"),
                conf);
        writeWeights(Layouts.vae(arch.vae()), vae, metadata, new Path(root, "vae/diffusion_pytorch_model.safetensors"),
                conf);
        writeWeights(Layouts.textEncoder(arch.textEncoder()), textEncoder, metadata,
                new Path(root, "text_encoder/model.safetensors"), conf);
    }

    private static void writeWeights(WeightLayout layout, Weights weights, Map<String, String> meta, Path file,
                                     Configuration conf) throws IOException {
        SafeTensorsWriter w = new SafeTensorsWriter().metadata(meta);
        for (Map.Entry<String, long[]> e : layout.shapes().entrySet()) {
            String name = e.getKey();
            w.add(name, DType.F32, e.getValue(), out -> {
                float[] v = weights.tensor(name);
                byte[] buf = new byte[v.length * 4];
                ByteBuffer.wrap(buf).order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer().put(v);
                out.write(buf);
            });
        }
        w.write(file.toString(), conf);
    }
}
