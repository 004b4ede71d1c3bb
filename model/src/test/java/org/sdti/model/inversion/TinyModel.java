package org.sdti.model.inversion;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.factory.Nd4j;
import org.sdti.model.config.SchedulerConfig;
import org.sdti.model.io.ModelFolder;
import org.sdti.model.models.CheckedWeights;
import org.sdti.model.models.Layouts;
import org.sdti.model.models.TextEncoder;
import org.sdti.model.models.UNet;
import org.sdti.model.models.Vae;
import org.sdti.model.schedulers.NoiseSchedule;
import org.sdti.model.schedulers.Prediction;
import org.sdti.model.testing.TestData;
import org.sdti.model.text.ClipTokenizer;

/** The tiny fixture model, loaded once per test JVM, and trainer parts built on it (graphs cached per shape). */
final class TinyModel {
    static final TinyModel INSTANCE = load();

    final ModelFolder folder;
    final ClipTokenizer tokenizer;
    final TextEncoder encoder;
    final UNet unet;
    final Vae vae;
    final SchedulerConfig schedulerConfig;
    final NoiseSchedule schedule;
    final Prediction prediction;
    private final Map<String, InversionGraph> graphs = new ConcurrentHashMap<>();

    private TinyModel(ModelFolder folder) throws IOException {
        this.folder = folder;
        Path model = TestData.tinyModel();
        tokenizer = ClipTokenizer.load(folder.tokenizerFiles());
        encoder = TextEncoder.load(model.resolve("text_encoder"), DataType.FLOAT);
        unet = UNet.load(folder.unetConfig(),
                CheckedWeights.check(folder.openWeights("unet"), Layouts.unet(folder.unetConfig())));
        vae = Vae.load(folder.vaeConfig(), CheckedWeights.check(folder.openWeights("vae"),
                Layouts.vae(folder.vaeConfig())));
        schedulerConfig = folder.schedulerConfig();
        schedule = NoiseSchedule.from(schedulerConfig);
        prediction = Prediction.of(folder.schedulerConfig());
    }

    private static TinyModel load() {
        try {
            return new TinyModel(ModelFolder.open(TestData.tinyModel().toString()));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    int hidden() {
        return encoder.config().hiddenSize();
    }

    /** The shared graph of a batch size and vector count over 4×8×8 latents (one per shape per JVM). */
    InversionGraph graph(int batch, int numVectors) {
        return graphs.computeIfAbsent(batch + "x" + numVectors, k -> InversionGraph.build(encoder, unet, batch,
                Nd4j.zeros(DataType.FLOAT, numVectors, hidden()), 4, 8, 8));
    }

    InversionStep step(TrainingConfig cfg, int numVectors) {
        return new InversionStep(encoder.embedding(), RowGradients.of(graph(cfg.batchSize(), numVectors)), schedule,
                prediction, cfg, 1);
    }

    LocalRound round(TrainingConfig cfg, int numVectors) {
        return new LocalRound(step(cfg, numVectors), BatchSampler.of(cfg, schedule.numTrainTimesteps()));
    }
}
