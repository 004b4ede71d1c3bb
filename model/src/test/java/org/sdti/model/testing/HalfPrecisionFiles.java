package org.sdti.model.testing;

import java.io.IOException;
import java.nio.file.Path;
import org.sdti.model.io.DType;
import org.sdti.model.io.SafeTensorsFile;
import org.sdti.model.io.SafeTensorsWriter;

/** Half-precision copies of safetensors files, as {@code --half} exports and diffusers' fp16 variants are. */
public final class HalfPrecisionFiles {
    private HalfPrecisionFiles() {}

    /** Writes every tensor of {@code from} rounded to {@code half} (F16 or BF16) to {@code to}; returns {@code to}. */
    public static Path copy(Path from, Path to, DType half) throws IOException {
        SafeTensorsWriter w = new SafeTensorsWriter();
        try (SafeTensorsFile f = SafeTensorsFile.open(from)) {
            for (String name : f.names()) {
                w.addFloats(name, half, f.info(name).shape(), f.floats(name));
            }
        }
        w.write(to);
        return to;
    }
}
