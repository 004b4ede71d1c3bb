package org.sdti.jobs.pipeline;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.FileNotFoundException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.LocatedFileStatus;
import org.apache.hadoop.fs.Path;
import org.apache.hadoop.fs.RemoteIterator;
import org.sdti.jobs.runtime.OutputLayout;
import org.sdti.model.inversion.EmbeddingExport;
import org.sdti.model.inversion.LossLog;

/**
 * Where a concept's results are, read from its output folder (so a rerun that redid nothing still reports them):
 * the learned embedding, the steps and final smoothed loss of its loss curve, and its rendered images.
 *
 * @param embedding the {@code learned_embeds.safetensors} URI, or null when there is none
 * @param steps     the last step of {@code loss.csv}, or null
 * @param finalLoss the smoothed loss at that step, or null
 * @param images    PNGs under {@code imagesAt}
 */
public record ConceptOutputs(String embedding, Long steps, Double finalLoss, long images, String imagesAt) {
    private static final ObjectMapper JSON = new ObjectMapper();
    /** The generate stage's images of a concept, under its folder. */
    static final String IMAGES = "images";

    static ConceptOutputs read(OutputLayout layout, String concept) throws IOException {
        FileSystem fs = layout.fileSystem();
        Path folder = layout.conceptFolder(concept);
        Path embedding = new Path(folder, EmbeddingExport.FILE);
        Long steps = null;
        Double loss = null;
        String csv = readIfExists(fs, new Path(folder, LossLog.FILE));
        if (csv != null) {
            List<LossLog.Entry> entries = LossLog.parse(csv, Long.MAX_VALUE).entries();
            if (!entries.isEmpty()) {
                LossLog.Entry last = entries.get(entries.size() - 1);
                steps = last.step();
                loss = last.smoothed();
            }
        }
        Path images = new Path(folder, IMAGES);
        return new ConceptOutputs(fs.exists(embedding) ? embedding.toString() : null, steps, loss,
                countPngs(fs, images), images.toString());
    }

    private static String readIfExists(FileSystem fs, Path p) throws IOException {
        try (InputStream in = fs.open(p)) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (FileNotFoundException e) {
            return null;
        }
    }

    private static long countPngs(FileSystem fs, Path dir) throws IOException {
        if (!fs.exists(dir)) {
            return 0;
        }
        long n = 0;
        RemoteIterator<LocatedFileStatus> it = fs.listFiles(dir, true);
        while (it.hasNext()) {
            if (it.next().getPath().getName().endsWith(".png")) {
                n++;
            }
        }
        return n;
    }

    ObjectNode toJson() {
        ObjectNode o = JSON.createObjectNode();
        if (embedding != null) {
            o.put("embedding", embedding);
        }
        if (steps != null) {
            o.put("steps", steps);
            o.put("final_loss", finalLoss);
        }
        o.put("images", images);
        o.put("images_at", imagesAt);
        return o;
    }
}
