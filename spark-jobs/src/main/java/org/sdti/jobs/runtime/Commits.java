package org.sdti.jobs.runtime;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.FileNotFoundException;
import java.io.IOException;
import java.io.InputStream;
import java.util.List;
import java.util.Optional;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.sdti.model.io.AtomicFiles;

/**
 * Per-concept commit markers of a stage. A concept's data in a dataset is to be trusted only while its marker
 * exists; the marker records what the data was made from (a fingerprint), so a rerun with the same inputs reuses
 * it and a rerun with other inputs redoes it.
 *
 * <p>Replacing a concept's data: delete the marker, swap each dataset's partition folder for the staged one, then
 * write the marker. A job killed anywhere in between leaves no marker (or the old one, before anything was
 * touched), so the next run redoes the concept instead of trusting half-swapped folders. Works on any Hadoop file
 * system: it needs no atomic folder rename (on S3 a rename is a copy), only an atomic small-file write.
 */
public final class Commits {
    private static final ObjectMapper JSON = new ObjectMapper();

    private final OutputLayout layout;
    private final String stage;

    public Commits(OutputLayout layout, String stage) {
        this.layout = layout;
        this.stage = stage;
    }

    /** The concept's marker, if its data of this stage is complete. */
    public Optional<JsonNode> read(String concept) throws IOException {
        FileSystem fs = layout.fileSystem();
        try (InputStream in = fs.open(layout.commit(stage, concept))) {
            return Optional.of(JSON.readTree(in));
        } catch (FileNotFoundException e) {
            return Optional.empty();
        }
    }

    /** The marker's fingerprint, if there is a marker. */
    public Optional<String> fingerprint(String concept) throws IOException {
        return read(concept).map(n -> n.path("fingerprint").asText(null));
    }

    /**
     * Moves the concept's staged partitions of {@code datasets} into place and commits them with {@code marker}
     * (which gets stage, concept and fingerprint fields).
     *
     * @param staged the staging root holding {@code DATASET/concept=NAME} folders
     */
    public void replace(String concept, Path staged, List<String> datasets, String fingerprint, ObjectNode marker)
            throws IOException {
        invalidate(concept, datasets);
        moveInto(concept, staged, datasets);
        mark(concept, fingerprint, marker);
    }

    /**
     * Rewrites the concept's marker alone, for data that is right as it is but was made from inputs with another
     * fingerprint (e.g. the same pictures under new names).
     */
    public void mark(String concept, String fingerprint, ObjectNode marker) throws IOException {
        ObjectNode m = JSON.createObjectNode();
        m.put("stage", stage);
        m.put("concept", concept);
        m.put("fingerprint", fingerprint);
        m.put("committed_at", java.time.Instant.now().toString());
        m.setAll(marker);
        AtomicFiles.writeText(layout.fileSystem(), layout.commit(stage, concept), JSON.writerWithDefaultPrettyPrinter()
                .writeValueAsString(m) + "\n");
    }

    private void moveInto(String concept, Path staged, List<String> datasets) throws IOException {
        FileSystem fs = layout.fileSystem();
        for (String ds : datasets) {
            Path from = new Path(new Path(staged, ds), "concept=" + concept);
            if (!fs.exists(from)) {
                continue;
            }
            Path to = layout.partition(ds, concept);
            fs.mkdirs(to.getParent());
            if (!fs.rename(from, to)) {
                throw new IOException("cannot move " + from + " to " + to);
            }
        }
    }

    /** Removes the marker first, then the concept's partitions of {@code datasets}. */
    public void invalidate(String concept, List<String> datasets) throws IOException {
        FileSystem fs = layout.fileSystem();
        Path marker = layout.commit(stage, concept);
        if (fs.exists(marker) && !fs.delete(marker, false)) {
            throw new IOException("cannot delete " + marker);
        }
        for (String ds : datasets) {
            Path p = layout.partition(ds, concept);
            if (fs.exists(p) && !fs.delete(p, true)) {
                throw new IOException("cannot delete " + p);
            }
        }
    }
}
