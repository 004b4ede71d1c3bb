package org.sdti.model.embeddings;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.sdti.model.io.SafeTensorsFile;
import org.sdti.model.io.TensorInfo;

/**
 * Writes a {@code .ckpt} as {@code torch.save({"state_dict": OrderedDict(...), "global_step": N})} does (a zip with
 * a protocol 2 pickle, one FloatStorage entry per tensor), from a safetensors file's float32 tensors: a checkpoint
 * of the same weights without keeping a second 6 MB fixture. {@code extraGlobal} puts a call of that global in the
 * dict, for refusal tests.
 */
public final class CheckpointFiles {
    private CheckpointFiles() {}

    public static void write(SafeTensorsFile from, Path to, String extraGlobal) throws IOException {
        PickleWriter p = new PickleWriter().proto2().emptyDict().mark();
        p.string("state_dict");
        p.global("collections", "OrderedDict").emptyTuple().reduce().mark();
        TorchZipWriter zip = new TorchZipWriter("archive");
        int key = 0;
        for (Map.Entry<String, TensorInfo> e : from.tensors().entrySet()) {
            TensorInfo t = e.getValue();
            float[] v = from.floats(e.getKey());
            ByteBuffer b = ByteBuffer.allocate(v.length * 4).order(ByteOrder.LITTLE_ENDIAN);
            b.asFloatBuffer().put(v);
            String storage = Integer.toString(key++);
            zip.add("data/" + storage, b.array());
            p.string(e.getKey());
            p.global("torch._utils", "_rebuild_tensor_v2").mark();
            p.mark().string("storage").global("torch", "FloatStorage").string(storage).string("cpu")
                    .integer(v.length).tupleFromMark().persistentId();
            p.integer(0);
            long[] shape = t.shape();
            p.mark();
            for (long d : shape) p.integer(d);
            p.tupleFromMark();
            p.mark();
            long stride = 1;
            long[] strides = new long[shape.length];
            for (int i = shape.length - 1; i >= 0; i--) {
                strides[i] = stride;
                stride *= shape[i];
            }
            for (long s : strides) p.integer(s);
            p.tupleFromMark();
            p.bool(false);
            p.global("collections", "OrderedDict").emptyTuple().reduce();
            p.tupleFromMark().reduce();
        }
        p.setItems();
        p.string("global_step").integer(1234);
        p.string("epoch").integer(5);
        if (extraGlobal != null) {
            int dot = extraGlobal.lastIndexOf('.');
            p.string("payload").global(extraGlobal.substring(0, dot), extraGlobal.substring(dot + 1)).mark()
                    .string("echo owned").tupleFromMark().reduce();
        }
        byte[] pickle = p.setItems().stop().toByteArray();
        zip.add("data.pkl", pickle).add("version", "3\n".getBytes(java.nio.charset.StandardCharsets.US_ASCII));
        try (OutputStream out = Files.newOutputStream(to)) {
            zip.writeTo(out);
        }
    }
}
