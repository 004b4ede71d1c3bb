package org.sdti.model.pretrain;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.hadoop.conf.Configuration;
import org.sdti.model.Version;
import org.sdti.model.inversion.AdamW;
import org.sdti.model.inversion.LossLog;
import org.sdti.model.inversion.StepRandom;
import org.sdti.model.io.OutputFolder;
import org.sdti.model.io.SafeTensorsException;
import org.sdti.model.io.SafeTensorsFile;
import org.sdti.model.io.SafeTensorsWriter;
import org.sdti.model.models.Architecture;
import org.sdti.model.models.IdentityVae;
import org.sdti.model.models.ModelFolderWriter;

/**
 * The output of a full-weight run: an ordinary diffusers model folder (the weights at the latest checkpoint, the
 * VAE the analytic {@link IdentityVae}), plus {@code loss.csv} and {@code checkpoints/state-NNNNNN.safetensors}.
 * A checkpoint writes the model files, then {@code loss.csv}, then the state file (flat float32 {@code params},
 * {@code adam_exp_avg}, {@code adam_exp_avg_sq}, and {@code ema} when the run averages its weights; metadata: step,
 * settings, parameter keys), each atomically: the state file marks a complete checkpoint.
 */
public final class PretrainFolder {
    public static final String FORMAT = "sdti-pretrain-checkpoint";
    static final String VERSION = "1";
    static final String CHECKPOINTS = "checkpoints";
    private static final Pattern STATE = Pattern.compile("state-(\\d{6,})\\.safetensors");

    private final OutputFolder folder;
    private final Configuration conf;
    private final Architecture arch;
    private final IdentityVae vae;

    /** A saved state: where to continue from. */
    public record Checkpoint(long step, AdamW.State optimizer, float[] ema, PretrainSettings settings,
                             List<String> parameters, String source) {}

    public PretrainFolder(String location, Configuration conf, Architecture arch) throws IOException {
        this.folder = OutputFolder.open(location, conf);
        this.conf = conf;
        this.arch = arch;
        this.vae = IdentityVae.of(arch.vae());
    }

    public String location() {
        return folder.location();
    }

    /**
     * Writes the model folder (from the weights {@code nets} hold now), the loss curve and the state of {@code step}.
     *
     * @param ema the weights' moving average, or null
     */
    public void save(long step, TrainableNetworks nets, AdamW.State optimizer, float[] ema, List<String> keys,
                     PretrainSettings settings, LossLog loss) throws IOException {
        Map<String, String> meta = Map.of("format", "pt", "sdti.version", Version.SDTI, "sdti.pretrain_step",
                Long.toString(step), "sdti.pretrain_settings", settings.toJson());
        ModelFolderWriter.write(arch, folder.location(), nets::unetFloats, vae::tensor, nets::textEncoderFloats,
                meta, conf);
        folder.writeText(LossLog.FILE, loss.toCsv());
        long n = optimizer.params().length;
        SafeTensorsWriter w = new SafeTensorsWriter().metadata("format", FORMAT)
                .metadata("checkpoint_version", VERSION)
                .metadata("sdti_version", Version.SDTI)
                .metadata("step", Long.toString(step))
                .metadata("rng_scheme", StepRandom.SCHEME)
                .metadata("settings", settings.toJson())
                .metadata("parameters", String.join(",", keys))
                .addFloats("params", new long[] {n}, optimizer.params())
                .addFloats("adam_exp_avg", new long[] {n}, optimizer.m())
                .addFloats("adam_exp_avg_sq", new long[] {n}, optimizer.v());
        if (ema != null) {
            w.addFloats("ema", new long[] {n}, ema);
        }
        folder.write(stateFile(step), w::writeTo);
    }

    static String stateFile(long step) {
        return String.format("%s/state-%06d.safetensors", CHECKPOINTS, step);
    }

    /** The latest checkpoint, if any. */
    public Optional<Checkpoint> latest() throws IOException {
        List<Long> steps = checkpointSteps();
        return steps.isEmpty() ? Optional.empty() : Optional.of(load(steps.get(steps.size() - 1)));
    }

    private Checkpoint load(long step) throws IOException {
        String file = stateFile(step);
        String source = folder.uri(file);
        try (SafeTensorsFile f = folder.openSafeTensors(file)) {
            Map<String, String> meta = f.metadata();
            if (!FORMAT.equals(meta.get("format")) || !VERSION.equals(meta.get("checkpoint_version"))
                    || !StepRandom.SCHEME.equals(meta.get("rng_scheme"))) {
                throw new SafeTensorsException(source, "is not a pretrain checkpoint this sdti can continue exactly"
                        + " (format " + meta.get("format") + ", version " + meta.get("checkpoint_version")
                        + ", random scheme " + meta.get("rng_scheme") + ")");
            }
            long saved = Long.parseLong(meta.get("step"));
            PretrainSettings settings = PretrainSettings.fromJson(meta.get("settings"));
            AdamW.State o = new AdamW.State(f.floats("params"), f.floats("adam_exp_avg"),
                    f.floats("adam_exp_avg_sq"), saved);
            float[] ema = f.names().contains("ema") ? f.floats("ema") : null;
            return new Checkpoint(saved, o, ema, settings, List.of(meta.get("parameters").split(",")), source);
        }
    }

    /** The loss curve up to {@code step} (a resumed run drops entries after its checkpoint). */
    public LossLog loss(long step) throws IOException {
        return folder.readText(LossLog.FILE).map(csv -> LossLog.parse(csv, step)).orElseGet(LossLog::new);
    }

    /** Steps with a checkpoint, ascending (tests, listings). */
    public List<Long> checkpointSteps() throws IOException {
        List<Long> out = new ArrayList<>();
        for (String name : folder.list(CHECKPOINTS)) {
            Matcher m = STATE.matcher(name);
            if (m.matches()) {
                out.add(Long.parseLong(m.group(1)));
            }
        }
        out.sort(null);
        return out;
    }
}
