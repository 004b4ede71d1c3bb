package org.sdti.jobs.generate;

import java.io.FileNotFoundException;
import java.io.IOException;
import java.util.Map;
import org.apache.hadoop.conf.Configuration;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.sdti.model.BadInputException;
import org.sdti.model.io.SafeTensorsFile;
import org.sdti.model.io.SafeTensorsWriter;
import org.sdti.model.io.TensorInfo;

/** Latents as safetensors files: {@code --latents} (initial noise) in, {@code --save-latents} (final latents) out. */
public final class LatentsFile {
    /** The tensor name written, and read when a file holds several. */
    public static final String KEY = "latents";
    /** Values of a {@code --latents} tensor: 64 images of 4 channels at 512x512 latent pixels. */
    static final long MAX_ELEMENTS = 64L * 4 * 512 * 512;

    private LatentsFile() {}

    /** The file's only tensor, or its tensor {@code latents}: floating point {@code [N, C, h, w]}. */
    public static INDArray read(String location, Configuration conf) throws IOException {
        try (SafeTensorsFile f = SafeTensorsFile.open(location, conf)) {
            String name = f.names().size() == 1 ? f.names().get(0) : KEY;
            if (!f.contains(name)) {
                throw new BadInputException("latents file " + location + " holds " + f.names().size()
                        + " tensors and none named '" + KEY + "'");
            }
            TensorInfo t = f.info(name);
            if (!t.dtype().isFloating() || t.rank() != 4) {
                throw new BadInputException("latents file " + location + ": tensor '" + name + "' is " + t.dtype()
                        + " " + t.shapeString() + ", expected floating-point [N, C, h, w]");
            }
            long elements = 1;
            for (long d : t.shape()) {
                // each factor at most MAX_ELEMENTS + 1 (about 2^26): the product cannot overflow
                elements = d <= 0 ? 0 : Math.min(elements * Math.min(d, MAX_ELEMENTS + 1), MAX_ELEMENTS + 1);
            }
            if (elements == 0 || elements > MAX_ELEMENTS) {
                throw new BadInputException("latents file " + location + ": tensor '" + name + "' " + t.shapeString()
                        + (elements == 0 ? " is empty" : " has more than " + MAX_ELEMENTS + " values (the cap on "
                        + "latents: 64 images of 4096x4096 pixels)"));
            }
            return Nd4j.create(f.floats(name), t.shape(), 'c');
        } catch (FileNotFoundException | java.nio.file.NoSuchFileException e) {
            throw new BadInputException("latents file " + location + " does not exist");
        }
    }

    /** One image's latents {@code [1, C, h, w]} as a file with the generation record in its metadata. */
    public static SafeTensorsWriter of(float[] values, int c, int h, int w, Map<String, String> metadata) {
        return new SafeTensorsWriter().metadata(metadata).addFloats(KEY, new long[] {1, c, h, w}, values);
    }
}
