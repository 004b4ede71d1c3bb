package org.sdti.model.inversion;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.sdti.model.Version;
import org.sdti.model.embeddings.EmbeddingFormat;
import org.sdti.model.io.OutputFolder;
import org.sdti.model.io.SafeTensorsException;
import org.sdti.model.io.SafeTensorsFile;
import org.sdti.model.io.SafeTensorsWriter;

/**
 * A concept's checkpoints in {@code <folder>/checkpoints/}: {@code state-000500.safetensors} holds everything a
 * resume needs, as one file written atomically (so a checkpoint is either complete or absent):
 * <ul>
 *   <li>tensors {@code rows}, {@code adam_exp_avg}, {@code adam_exp_avg_sq}: F32 {@code [num_vectors, hidden]};</li>
 *   <li>metadata strings {@code format} = {@value #FORMAT}, {@code checkpoint_version}, {@code sdti_version},
 *       {@code concept}, {@code seed}, {@code step}, {@code num_vectors}, {@code rng_scheme} (the step counter is
 *       the generator's position: see {@link StepRandom}), {@code training} (the settings as a JSON object),
 *       {@code token}, {@code base_model} and the embedding's properties ({@code embedding.*}).</li>
 * </ul>
 * Beside each state file, {@code learned_embeds-000500.safetensors} is the embedding at that step in the diffusers
 * layout, for trying intermediate results; it is written first, so the state file marks a complete checkpoint.
 */
public final class Checkpoints {
    public static final String FOLDER = "checkpoints";
    public static final String FORMAT = "sdti-textual-inversion-checkpoint";
    static final String VERSION = "1";
    static final String ROWS = "rows";
    static final String EXP_AVG = "adam_exp_avg";
    static final String EXP_AVG_SQ = "adam_exp_avg_sq";
    static final String TRAINING = "training";
    private static final Pattern STATE = Pattern.compile("state-(\\d+)\\.safetensors");
    private static final Pattern STEP_FILE = Pattern.compile("(?:state|learned_embeds)-(\\d+)\\.safetensors");
    private static final ObjectMapper JSON = new ObjectMapper();

    private final OutputFolder folder;

    public Checkpoints(OutputFolder folder) {
        this.folder = folder;
    }

    public static String stateFile(long step) {
        return FOLDER + "/" + String.format("state-%06d.safetensors", step);
    }

    public static String embeddingFile(long step) {
        return FOLDER + "/" + String.format("learned_embeds-%06d.safetensors", step);
    }

    /** The state file of a step, as a URI. */
    public String uri(long step) {
        return folder.uri(stateFile(step));
    }

    /** Where checkpoints go, e.g. for messages. */
    public String location() {
        return folder.uri(FOLDER);
    }

    /**
     * Writes the state (and, first, its embedding file).
     *
     * @return the state file's location
     */
    public String save(TrainerState s, TrainingConfig cfg, EmbeddingExport export) throws IOException {
        export.write(folder, embeddingFile(s.step()), s, EmbeddingFormat.DIFFUSERS_SAFETENSORS);
        long[] shape = {s.numVectors(), s.hidden()};
        AdamW.State o = s.optimizer();
        SafeTensorsWriter w = new SafeTensorsWriter().metadata("format", FORMAT)
                .metadata("checkpoint_version", VERSION)
                .metadata("sdti_version", Version.SDTI)
                .metadata("concept", s.concept())
                .metadata("seed", Long.toString(s.seed()))
                .metadata("step", Long.toString(s.step()))
                .metadata("num_vectors", Integer.toString(s.numVectors()))
                .metadata("rng_scheme", StepRandom.SCHEME)
                .metadata(TRAINING, toJson(cfg.describe()));
        export.checkpointMetadata().forEach(w::metadata);
        w.addFloats(ROWS, shape, o.params()).addFloats(EXP_AVG, shape, o.m()).addFloats(EXP_AVG_SQ, shape, o.v());
        String file = stateFile(s.step());
        folder.write(file, w::writeTo);
        return folder.uri(file);
    }

    /** Steps that have a checkpoint, ascending. */
    public List<Long> steps() throws IOException {
        List<Long> out = new ArrayList<>();
        for (String name : folder.list(FOLDER)) {
            Matcher m = STATE.matcher(name);
            if (m.matches()) {
                out.add(Long.parseLong(m.group(1)));
            }
        }
        out.sort(null);
        return out;
    }

    /**
     * Keeps the {@code keep} newest checkpoints and deletes the files of older steps (the state files first, so a
     * half-deleted step is never taken for a checkpoint; an embedding file a kill left alone goes next time).
     * Call it only after the newest checkpoint is written: then a kill at any point leaves one to resume from.
     *
     * @return the steps deleted, ascending
     */
    public List<Long> keepNewest(int keep) throws IOException {
        if (keep < 1) {
            throw new IllegalArgumentException("keep the newest checkpoint at least, got " + keep);
        }
        List<Long> steps = steps();
        if (steps.isEmpty()) {
            return List.of();
        }
        long oldestKept = steps.get(Math.max(0, steps.size() - keep));
        List<Long> deleted = new ArrayList<>();
        for (long step : steps) {
            if (step < oldestKept) {
                delete(stateFile(step));
                deleted.add(step);
            }
        }
        // then the embedding files of those steps, and any a kill left behind between the two
        for (String name : folder.list(FOLDER)) {
            Matcher m = STEP_FILE.matcher(name);
            if (m.matches() && Long.parseLong(m.group(1)) < oldestKept) {
                delete(FOLDER + "/" + name);
            }
        }
        return deleted;
    }

    private void delete(String relative) throws IOException {
        folder.fileSystem().delete(folder.path(relative), false);
    }

    /** The checkpoint with the most steps, if any. */
    public Optional<Checkpoint> latest() throws IOException {
        List<Long> steps = steps();
        return steps.isEmpty() ? Optional.empty() : Optional.of(load(steps.get(steps.size() - 1)));
    }

    public Checkpoint load(long step) throws IOException {
        String file = stateFile(step);
        try (SafeTensorsFile f = folder.openSafeTensors(file)) {
            Map<String, String> meta = f.metadata();
            String source = folder.uri(file);
            if (!FORMAT.equals(meta.get("format"))) {
                throw new SafeTensorsException(source, "is not an sdti checkpoint (format " + meta.get("format") + ")");
            }
            if (!VERSION.equals(meta.get("checkpoint_version"))
                    || !StepRandom.SCHEME.equals(meta.get("rng_scheme"))) {
                throw new SafeTensorsException(source, "was written by another sdti version (checkpoint version "
                        + meta.get("checkpoint_version") + ", random scheme " + meta.get("rng_scheme")
                        + "); it cannot be continued exactly");
            }
            long savedStep = number(meta, "step", source);
            long numVectors = number(meta, "num_vectors", source);
            try {
                AdamW.State o = new AdamW.State(f.floats(ROWS), f.floats(EXP_AVG), f.floats(EXP_AVG_SQ), savedStep);
                TrainerState state = new TrainerState(required(meta, "concept", source),
                        number(meta, "seed", source), Math.toIntExact(numVectors), o);
                return new Checkpoint(state, meta, source);
            } catch (IllegalArgumentException | ArithmeticException e) {
                // a damaged file is bad input, which fails its concept alone, not the run
                throw new SafeTensorsException(source, "is not a consistent checkpoint (" + e.getMessage() + ")", e);
            }
        }
    }

    /** The training settings a checkpoint was made with, as {@link TrainingConfig#describe()} wrote them. */
    public static Map<String, String> training(Checkpoint c) {
        String json = c.metadata().get(TRAINING);
        if (json == null) {
            return Map.of();
        }
        try {
            return JSON.readValue(json, new TypeReference<LinkedHashMap<String, String>>() { });
        } catch (JsonProcessingException e) {
            throw new SafeTensorsException(c.location(), "unreadable training settings: " + e.getMessage(), e);
        }
    }

    private static long number(Map<String, String> meta, String key, String source) throws SafeTensorsException {
        String v = required(meta, key, source);
        try {
            return Long.parseLong(v);
        } catch (NumberFormatException e) {
            throw new SafeTensorsException(source, "checkpoint metadata '" + key + "' is not a number: " + v);
        }
    }

    private static String required(Map<String, String> meta, String key, String source) throws SafeTensorsException {
        String v = meta.get(key);
        if (v == null) {
            throw new SafeTensorsException(source, "checkpoint metadata lacks '" + key + "'");
        }
        return v;
    }

    private static String toJson(Map<String, String> m) {
        try {
            return JSON.writeValueAsString(m);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }
}
