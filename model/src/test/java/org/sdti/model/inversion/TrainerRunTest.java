package org.sdti.model.inversion;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.hadoop.conf.Configuration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sdti.model.BadInputException;
import org.sdti.model.embeddings.EmbeddingFiles;
import org.sdti.model.embeddings.LearnedEmbedding;
import org.sdti.model.io.OutputFolder;
import org.sdti.model.text.ClipTokenizer;

/** Runs on the tiny fixture model: checkpoints, exact resume, NaN handling, the loss curve and progress lines. */
class TrainerRunTest {
    static final String TOKEN = "<tiny-thing>";
    static final TinyModel M = TinyModel.INSTANCE;
    /** Batch 2 (one graph for every test), a warm-up schedule so that the rate depends on the step. */
    static final TrainingConfig CFG = TrainingConfig.defaults().withSteps(6).withLearningRate(5e-3)
            .withBatch(2, 1).withSchedule(LrSchedule.Kind.LINEAR, 2).withSeed(11);
    static final EmbeddingExport EXPORT = new EmbeddingExport(TOKEN, "tiny-sd2", Map.of("initializer_token", "bear"));
    static final Pattern PROGRESS = Pattern.compile(
            "step (\\d+)/(\\d+) loss (\\S+) smoothed (\\S+) lr (\\S+) (\\S+) steps/s ETA (\\d+:\\d\\d:\\d\\d|\\?)");

    /** Three examples of random latents; prompts with the token. */
    static ConceptData data(boolean poisoned) {
        ClipTokenizer tok = new NewToken(TOKEN, 1, "bear").addTo(M.tokenizer);
        List<int[]> prompts = List.of(tok.encode("a photo of a " + TOKEN), tok.encode("a rendering of a " + TOKEN));
        SplittableRandom r = new SplittableRandom(5);
        List<LatentExample> ex = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            float[] mean = new float[256];
            float[] std = new float[256];
            for (int j = 0; j < 256; j++) {
                mean[j] = poisoned ? Float.NaN : (float) (r.nextGaussian() * 5);
                std[j] = 0.1f;
            }
            ex.add(new LatentExample(mean, std, prompts));
        }
        return new ConceptData(TOKEN, 4, 8, 8, 0.18215, ex);
    }

    static TrainerState initial() {
        return TrainerState.initial(TOKEN, CFG.seed(), new NewToken(TOKEN, 1, "bear").initialRows(M.tokenizer,
                M.encoder.embedding()));
    }

    static OutputFolder folder(Path dir) throws IOException {
        return OutputFolder.open(dir.toString(), new Configuration());
    }

    static Trainer trainer(TrainingConfig cfg, Path dir, int checkpointEvery, int validationEvery,
            Trainer.Validation v, List<String> log) throws IOException {
        return new Trainer(M.round(cfg, 1), cfg, new Trainer.Options(checkpointEvery, validationEvery, 2),
                folder(dir), EXPORT, v, log::add);
    }

    @Test
    void anInterruptedAndResumedRunEqualsAnUninterruptedOneBitForBit(@TempDir Path tmp) throws IOException {
        TrainingConfig cfg = CFG.withSteps(4).withBatch(2, 2); // with gradient accumulation
        Path a = tmp.resolve("a");
        List<Long> validated = new ArrayList<>();
        List<String> logA = new ArrayList<>();
        Trainer ta = trainer(cfg, a, 2, 3, s -> validated.add(s.step()), logA);
        TrainerState full = ta.run(ta.start(initial(), false), data(false));
        assertEquals(4, full.step());
        assertEquals(List.of(3L, 4L), validated);
        assertEquals(List.of(2L, 4L), ta.checkpoints().steps());

        // b: the same run "crashes" right after step 3 (checkpoint 2 is the latest), then resumes
        Path b = tmp.resolve("b");
        Trainer crashing = trainer(cfg, b, 2, 3, s -> {
            throw new IOException("simulated crash at step " + s.step());
        }, new ArrayList<>());
        assertThrows(IOException.class, () -> crashing.run(crashing.start(initial(), false), data(false)));
        assertEquals(List.of(2L), crashing.checkpoints().steps());
        assertEquals(3, LossLog.parse(Files.readString(b.resolve(LossLog.FILE)), 99).lastStep());
        List<String> logB = new ArrayList<>();
        Trainer resumed = trainer(cfg, b, 2, 3, s -> { }, logB);
        TrainerState start = resumed.start(initial(), true);
        assertEquals(2, start.step());
        assertTrue(logB.get(0).startsWith("resuming from ") && logB.get(0).contains("state-000002"), logB.get(0));
        TrainerState end = resumed.run(start, data(false));

        assertEquals(full, end, "rows, moments and step bit for bit");
        assertArrayEquals(full.rows(), end.rows());
        assertFalse(Arrays.equals(full.rows(), initial().rows()), "training moved the rows");
        assertEquals(Files.readString(a.resolve(LossLog.FILE)), Files.readString(b.resolve(LossLog.FILE)));
        assertArrayEquals(Files.readAllBytes(a.resolve(Checkpoints.stateFile(4))),
                Files.readAllBytes(b.resolve(Checkpoints.stateFile(4))));
        assertArrayEquals(Files.readAllBytes(a.resolve(Checkpoints.embeddingFile(4))),
                Files.readAllBytes(b.resolve(Checkpoints.embeddingFile(4))));
    }

    @Test
    void checkpointsHoldTheWholeStateAndTheEmbedding(@TempDir Path tmp) throws IOException {
        Trainer t = trainer(CFG.withSteps(2), tmp, 1, 0, null, new ArrayList<>());
        TrainerState s = t.run(initial(), data(false));
        Checkpoint c = t.checkpoints().latest().orElseThrow();
        assertEquals(s, c.state());
        assertEquals(TOKEN, c.metadata().get("token"));
        assertEquals("tiny-sd2", c.metadata().get("base_model"));
        assertEquals(StepRandom.SCHEME, c.metadata().get("rng_scheme"));
        assertEquals("11", c.metadata().get("seed"));
        assertEquals(CFG.withSteps(2).describe(), Checkpoints.training(c));
        assertEquals(1L, t.checkpoints().load(1).step());
        LearnedEmbedding e = EmbeddingFiles.read(tmp.resolve(Checkpoints.embeddingFile(2)));
        assertEquals(TOKEN, e.token());
        assertArrayEquals(s.rows(), e.flat());
        assertEquals(2L, e.metadata().step().getAsLong());
        try (var files = Files.list(tmp.resolve(Checkpoints.FOLDER))) {
            assertTrue(files.noneMatch(p -> p.getFileName().toString().startsWith(".")), "no temporary files left");
        }
    }

    /** Issue 16: a damaged checkpoint is bad input naming the file (a train job fails its concept alone). */
    @Test
    void aDamagedCheckpointIsBadInput(@TempDir Path tmp) throws IOException {
        Trainer t = trainer(CFG.withSteps(1), tmp, 1, 0, null, new ArrayList<>());
        t.run(initial(), data(false));
        Path file = tmp.resolve(Checkpoints.stateFile(1));
        String bytes = new String(Files.readAllBytes(file), java.nio.charset.StandardCharsets.ISO_8859_1);
        assertTrue(bytes.contains("\"step\":\"1\""), "the metadata as expected");
        Files.write(file, bytes.replace("\"step\":\"1\"", "\"step\":\"x\"")
                .getBytes(java.nio.charset.StandardCharsets.ISO_8859_1));
        org.sdti.model.io.SafeTensorsException e = assertThrows(org.sdti.model.io.SafeTensorsException.class,
                () -> t.checkpoints().load(1));
        assertTrue(e.getMessage().endsWith("state-000001.safetensors: checkpoint metadata 'step' is not a number: x"),
                e.getMessage());
    }

    @Test
    void aNanLossStopsWithAClearErrorAndKeepsTheLastGoodCheckpoint(@TempDir Path tmp) throws IOException {
        // two good steps, then the same run continues on data whose latents are NaN (a broken image)
        Trainer good = trainer(CFG.withSteps(2), tmp, 2, 0, null, new ArrayList<>());
        good.run(good.start(initial(), false), data(false));
        byte[] checkpoint2 = Files.readAllBytes(tmp.resolve(Checkpoints.stateFile(2)));

        Trainer poisoned = trainer(CFG.withSteps(4), tmp, 2, 0, null, new ArrayList<>());
        NonFiniteLossException e = assertThrows(NonFiniteLossException.class,
                () -> poisoned.run(poisoned.start(initial(), true), data(true)));
        assertEquals(3, e.step());
        assertTrue(Double.isNaN(e.loss()));
        String msg = e.getMessage();
        assertTrue(msg.contains("concept '" + TOKEN + "'") && msg.contains("the loss is NaN at step 3")
                && msg.contains("last good checkpoint") && msg.contains("state-000002"), msg);
        assertEquals(List.of(2L), poisoned.checkpoints().steps());
        assertArrayEquals(checkpoint2, Files.readAllBytes(tmp.resolve(Checkpoints.stateFile(2))));
        assertEquals(2, LossLog.parse(Files.readString(tmp.resolve(LossLog.FILE)), 99).lastStep());
    }

    @Test
    void runsRefuseToMixWithOtherRuns(@TempDir Path tmp) throws IOException {
        Trainer t = trainer(CFG.withSteps(1), tmp, 2, 0, null, new ArrayList<>());
        t.run(initial(), data(false));
        BadInputException fresh = assertThrows(BadInputException.class,
                () -> trainer(CFG, tmp, 2, 0, null, new ArrayList<>()).start(initial(), false));
        assertTrue(fresh.getMessage().contains("already holds checkpoints up to step 1")
                && fresh.getMessage().contains("--resume"), fresh.getMessage());
        CheckpointMismatchException other = assertThrows(CheckpointMismatchException.class,
                () -> trainer(CFG.withLearningRate(1e-3), tmp, 2, 0, null, new ArrayList<>()).start(initial(), true));
        assertTrue(other.getMessage().contains("learning_rate 0.005 where this run has 0.001"), other.getMessage());
        // more steps is fine: training continues
        assertEquals(1, trainer(CFG.withSteps(10), tmp, 2, 0, null, new ArrayList<>()).start(initial(), true).step());
    }

    @Test
    void progressLinesAndTheLossCurveParse(@TempDir Path tmp) throws IOException {
        List<String> log = new ArrayList<>();
        Trainer t = trainer(CFG.withSteps(5), tmp, 0, 0, null, log);
        t.run(initial(), data(false));
        List<Long> steps = new ArrayList<>();
        for (String line : log) {
            Matcher m = PROGRESS.matcher(line);
            if (m.matches()) {
                steps.add(Long.parseLong(m.group(1)));
                assertEquals("5", m.group(2));
                assertTrue(Double.parseDouble(m.group(3)) > 0 && Double.parseDouble(m.group(4)) > 0);
                assertTrue(Double.parseDouble(m.group(6)) > 0, line);
            }
        }
        assertEquals(List.of(1L, 2L, 4L, 5L), steps, String.join("\n", log));
        List<String> csv = Files.readAllLines(tmp.resolve(LossLog.FILE));
        assertEquals(LossLog.HEADER, csv.get(0));
        assertEquals(6, csv.size());
        LossLog parsed = LossLog.parse(String.join("\n", csv), 99);
        assertEquals(5, parsed.lastStep());
        LossLog.Entry first = parsed.entries().get(0);
        assertEquals(first.loss(), first.smoothed(), 1e-12, "the corrected average starts at the first loss");
        double lr1 = parsed.entries().get(0).learningRate();
        assertEquals(0.0, lr1, "linear warm-up starts at 0");
        assertEquals(5e-3, parsed.entries().get(2).learningRate(), 1e-12);
        assertEquals(List.of(5L), t.checkpoints().steps(), "only the final checkpoint with checkpointEvery 0");
    }
}
