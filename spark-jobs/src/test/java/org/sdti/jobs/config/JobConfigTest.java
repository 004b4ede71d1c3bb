package org.sdti.jobs.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.ConfigFactory;
import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sdti.dataprep.CropMode;
import org.sdti.dataprep.LearnableProperty;
import org.sdti.model.inversion.LrSchedule;

class JobConfigTest {
    private static final String BASE = """
            sdti.model = "/models/tiny"
            sdti.output = "/out"
            """;
    private static final String TWO = BASE + """
            sdti.concepts = [
              { token = "<cat-toy>", init = "toy", images = "/img/cat" }
              { token = "<Water Color>", init = "painting", images = "s3a://b/wc/*.jpg", property = style,
                vectors = 3, train { steps = 300, lr = 1e-3 } }
            ]
            """;

    static JobConfig parse(String hocon) {
        return JobConfig.from(ConfigFactory.parseString(hocon).withFallback(ConfigFactory.defaultReference())
                .resolve());
    }

    static JobConfigException fails(String hocon) {
        return assertThrows(JobConfigException.class, () -> parse(hocon));
    }

    @Test
    void defaultsComeFromTheReferenceAndConceptsOverrideThem() {
        JobConfig job = parse(BASE + """
                sdti.concepts = [
                  { token = "<cat-toy>", init = "toy", images = "/img/cat" }
                  { token = "<wc>", init = "painting", images = "s3a://b/wc/*.jpg", property = style,
                    vectors = 3, train { steps = 300, lr = 1e-3, adam { beta2 = 0.99 } } }
                ]
                sdti.train.lr-schedule = cosine
                """);
        assertEquals("/models/tiny", job.model());
        assertEquals(2, job.concepts().size());
        ConceptSpec cat = job.concepts().get(0);
        assertEquals("cat-toy", cat.name());
        assertEquals(LearnableProperty.OBJECT, cat.property());
        assertEquals(1, cat.vectors());
        assertFalse(cat.captions());
        assertNull(cat.templates());
        assertEquals(2000, cat.train().steps());
        assertEquals(5e-4, cat.train().lr());
        assertEquals(LrSchedule.Kind.COSINE, cat.train().lrSchedule());
        ConceptSpec wc = job.concepts().get(1);
        assertEquals(LearnableProperty.STYLE, wc.property());
        assertEquals(3, wc.vectors());
        assertEquals(300, wc.train().steps());
        assertEquals(1e-3, wc.train().lr());
        assertEquals(0.99, wc.train().adamBeta2());
        assertEquals(0.9, wc.train().adamBeta1());
        assertEquals(LrSchedule.Kind.COSINE, wc.train().lrSchedule(), "sdti.train still applies under an override");
        assertEquals(50, wc.train().averageEvery());
        assertEquals(org.sdti.model.inversion.TrainingConfig.defaults(), parse(BASE).train().trainingConfig(),
                "the reference defaults are the trainer's");
        assertEquals(300, wc.train().trainingConfig().steps());
        assertEquals(1e-3, wc.train().trainingConfig().learningRate());
        assertNull(job.prepare().resolution());
        assertEquals(CropMode.CENTER_CROP, job.prepare().crop());
        assertEquals(16, job.prepare().options(16).resolution());
        assertEquals(8, job.prepare().options(16).minShortSide());
        assertEquals("local[*]", job.spark().master());
        assertEquals("org.apache.spark.serializer.KryoSerializer", job.spark().conf().get("spark.serializer"));
        assertTrue(job.generate().requests().isEmpty());
    }

    @Test
    void keepLastIsACountOrAllAndNeverZero() {
        String one = BASE + "sdti.concepts = [{ token = \"<a>\", init = x, images = /a }]\n";
        assertEquals(3, parse(one).concepts().get(0).train().keepLast(), "the reference's default");
        assertEquals(TrainSettings.KEEP_ALL, parse(one + "sdti.train.keep-last = all").concepts().get(0).train()
                .keepLast());
        assertEquals(1, parse(one + "sdti.train.keep-last = 1").concepts().get(0).train().keepLast());
        String zero = fails(one + "sdti.train.keep-last = 0").getMessage();
        assertTrue(zero.startsWith("sdti.train.keep-last: expected a count >= 1 or \"all\""), zero);
        assertTrue(zero.contains("got 0"), zero);
        String word = fails(one + "sdti.train.keep-last = some").getMessage();
        assertTrue(word.startsWith("sdti.train.keep-last: expected a count >= 1 or \"all\""), word);
    }

    @Test
    void conceptDefaultsApplyToEveryConcept() {
        JobConfig job = parse(BASE + """
                sdti.concept-defaults { property = style, vectors = 2, train.steps = 10 }
                sdti.concepts = [{ token = "<a>", init = "x", images = "/a" }, { token = "<b>", init = "y", images = "/b", vectors = 1 }]
                """);
        assertEquals(LearnableProperty.STYLE, job.concepts().get(0).property());
        assertEquals(2, job.concepts().get(0).vectors());
        assertEquals(1, job.concepts().get(1).vectors());
        assertEquals(10, job.concepts().get(1).train().steps());
    }

    @Test
    void wrongValuesNameTheirKey() {
        String concepts = """
                sdti.concepts = [
                  { token = "<a>", init = "x", images = "/a" }
                  { token = "<b>", init = "y", images = "/b", vectors = 0 }
                ]
                """;
        assertEquals("sdti.concepts[1].vectors: must be >= 1, got 0", fails(BASE + concepts).getMessage());
        assertEquals("sdti.concepts[1].vectors", fails(BASE + concepts).key());

        JobConfigException e = fails(BASE + "sdti.train.steps = many");
        assertEquals("sdti.train.steps: expected an integer, got \"many\"", e.getMessage());
        e = fails(BASE + "sdti.train.lr = -1");
        assertEquals("sdti.train.lr: must be in (0, 10], got -1", e.getMessage());
        e = fails(BASE + "sdti.train.adam.beta1 = 1");
        assertEquals("sdti.train.adam.beta1", e.key());
        e = fails(BASE + "sdti.train.lr-schedule = exponential");
        assertTrue(e.getMessage().startsWith("sdti.train.lr-schedule: expected one of constant, constant-with-warmup,"
                + " cosine, linear, got \"exponential\""), e.getMessage());
        e = fails(BASE + "sdti.prepare.crop = zoom");
        assertEquals("sdti.prepare.crop", e.key());
        e = fails(BASE + "sdti.prepare.resolution = 4");
        assertEquals("sdti.prepare.resolution: must be >= 8, got 4", e.getMessage());
        e = fails(BASE + "sdti.concepts = [{ token = \"<a>\", init = x, images = /a, train.batch-size = 0 }]");
        assertEquals("sdti.concepts[0].train.batch-size: must be >= 1, got 0", e.getMessage());
        e = fails(BASE + "sdti.concepts = [{ token = \"<a>\", init = x, images = /a, property = thing }]");
        assertEquals("sdti.concepts[0].property: expected one of object, style, got \"thing\"", e.getMessage());
        e = fails(BASE + "sdti.concepts = [{ token = \"<a>\", init = x, images = /a, captions = maybe }]");
        assertEquals("sdti.concepts[0].captions: expected true or false, got \"maybe\"", e.getMessage());
        e = fails(BASE + "sdti.concepts = [\"<a>\"]");
        assertTrue(e.getMessage().startsWith("sdti.concepts[0]: expected an object"), e.getMessage());
        e = fails(BASE + "sdti.concepts { token = a }");
        assertTrue(e.getMessage().startsWith("sdti.concepts: expected a list"), e.getMessage());
        e = fails(BASE + "sdti.spark.conf { \"fs.s3a.endpoint\" = x }");
        assertEquals("sdti.spark.conf.\"fs.s3a.endpoint\"", e.key());
    }

    @Test
    void missingRequiredKeys() {
        assertTrue(fails("sdti.output = /out").getMessage().startsWith("sdti.model: missing"));
        assertTrue(fails("sdti.model = /m").getMessage().startsWith("sdti.output: missing"));
        assertEquals("sdti.concepts[0].token: missing (required)",
                fails(BASE + "sdti.concepts = [{ init = x, images = /a }]").getMessage());
        assertEquals("sdti.concepts[0].images: missing (required)",
                fails(BASE + "sdti.concepts = [{ token = \"<a>\", init = x }]").getMessage());
        assertEquals("sdti.concepts[0].init: missing (required)",
                fails(BASE + "sdti.concepts = [{ token = \"<a>\", images = /a }]").getMessage());
        assertEquals("sdti.concepts", assertThrows(JobConfigException.class,
                () -> parse(BASE).requireConcepts("prepare")).key());
    }

    @Test
    void unknownKeysAnywhereUnderSdtiAreErrors() {
        assertEquals("sdti.trian: unknown key (did you mean train?)", fails(BASE + "sdti.trian {}").getMessage());
        assertEquals("sdti.train.stpes: unknown key (did you mean steps?)",
                fails(BASE + "sdti.train.stpes = 5").getMessage());
        assertEquals("sdti.concepts[0].vector: unknown key (did you mean vectors?)", fails(BASE
                + "sdti.concepts = [{ token = \"<a>\", init = x, images = /a, vector = 2 }]").getMessage());
        assertEquals("sdti.concepts[0].train.learning-rate", fails(BASE
                + "sdti.concepts = [{ token = \"<a>\", init = x, images = /a, train.learning-rate = 2 }]").key());
        assertTrue(fails(BASE + "sdti.concepts = [{ token = \"<a>\", init = x, images = /a, train.average-every = 2 }]")
                .getMessage().startsWith("sdti.concepts[0].train.average-every: is job-wide"));
        assertTrue(fails(BASE + "sdti.concept-defaults.train.units-per-pass = 2").getMessage()
                .startsWith("sdti.concept-defaults.train.units-per-pass: is job-wide"));
        assertEquals("sdti.train.units-per-pass", fails(BASE + "sdti.train.units-per-pass = 0").key());
        assertEquals("sdti.concept-defaults.train.sedd", fails(BASE + "sdti.concept-defaults.train.sedd = 1").key());
        assertEquals("sdti.generate.prompts[1].guidnce", fails(BASE
                + "sdti.generate.prompts = [\"a\", { prompt = b, guidnce = 2 }]").key());
        assertEquals("sdti.prepare.flip", fails(BASE + "sdti.prepare.flip = false").key());
        // free-form sections take any key
        JobConfig job = parse(BASE + "sdti.hadoop { \"fs.s3a.endpoint\" = \"http://x\" }\n"
                + "sdti.spark.conf { \"spark.executor.memory\" = 8g }");
        assertEquals(Map.of("fs.s3a.endpoint", "http://x"), job.hadoop());
        assertEquals("8g", job.spark().conf().get("spark.executor.memory"));
    }

    @Test
    void tokensAndFolderNamesMustBeUnique() {
        JobConfigException e = fails(BASE + """
                sdti.concepts = [{ token = "<a>", init = x, images = /a }, { token = "<a>", init = y, images = /b }]
                """);
        assertEquals("sdti.concepts[1].token: \"<a>\" is already the token of sdti.concepts[0]; tokens must be unique",
                e.getMessage());
        e = fails(BASE + """
                sdti.concepts = [{ token = "<joe-bruin>", init = x, images = /a }, { token = "<JOE-BRUIN>", init = y, images = /b }]
                """);
        assertTrue(e.getMessage().startsWith("sdti.concepts[1].token: \"<JOE-BRUIN>\" maps to the output folder name"
                + " \"joe-bruin\", as does sdti.concepts[0]"), e.getMessage());
        // an explicit name resolves the clash
        JobConfig ok = parse(BASE + """
                sdti.concepts = [{ token = "<joe-bruin>", init = x, images = /a }, { token = "<JOE-BRUIN>", init = y, images = /b, name = joe2 }]
                """);
        assertEquals(List.of("joe-bruin", "joe2"), ok.concepts().stream().map(ConceptSpec::name).toList());
        e = fails(BASE + """
                sdti.concepts = [{ token = "<a>", init = x, images = /a, vectors = 2 }, { token = "<a>_1", init = y, images = /b }]
                """);
        assertTrue(e.getMessage().startsWith("sdti.concepts[1].token: \"<a>_1\" is also a token of sdti.concepts[0]"),
                e.getMessage());
        assertEquals("sdti.concepts[0].name", fails(BASE
                + "sdti.concepts = [{ token = \"<a>\", init = x, images = /a, name = \"_hidden\" }]").key());
        assertEquals("sdti.concepts[0].token: the token must be one word without spaces, not 'a b'", fails(BASE
                + "sdti.concepts = [{ token = \"a b\", init = x, images = /a }]").getMessage());
    }

    @Test
    void theExampleJobFilesAreValid() {
        for (String name : List.of("examples/local.conf", "examples/cluster-s3.conf", "examples/local-pipeline.conf",
                "experiments/ti-table.conf")) {
            File f = Path.of("..", "conf", name).toFile();
            JobConfig job = JobConfig.load(f, Map.of());
            assertFalse(job.concepts().isEmpty(), name);
        }
        // the TI table learns the README's concepts, from the same pictures and model, into its own folder
        JobConfig example = JobConfig.load(Path.of("..", "conf", "examples", "local-pipeline.conf").toFile(), Map.of());
        JobConfig table = JobConfig.load(Path.of("..", "conf", "experiments", "ti-table.conf").toFile(), Map.of());
        assertEquals(example.concepts().stream().map(c -> List.of(c.token(), c.init(), c.images(), c.vectors()))
                .toList(), table.concepts().stream().map(c -> List.of(c.token(), c.init(), c.images(), c.vectors()))
                .toList());
        assertEquals(example.model(), table.model());
        assertNotEquals(example.output(), table.output());
    }

    @Test
    void relativePathsInAJobFileAreRelativeToItsFolderAndFlagsToTheWorkingDirectory(@TempDir Path tmp)
            throws Exception {
        Path jobs = Files.createDirectories(tmp.resolve("jobs"));
        Files.writeString(jobs.resolve("common.conf"), "sdti.generate.embeddings = [\"emb/a.safetensors\"]\n");
        Files.writeString(jobs.resolve("job.conf"), """
                include "common.conf"
                sdti.model = "../models/tiny"
                sdti.output = out
                sdti.concept-defaults.images = "images/default"
                sdti.concepts = [
                  { token = "<a>", init = toy, images = "concepts/a/*.png" }
                  { token = "<b>", init = toy, images = "s3a://bucket/b" }
                  { token = "<c>", init = toy }
                ]
                """);
        JobConfig job = JobConfig.load(jobs.resolve("job.conf").toFile(), Map.of());
        assertEquals(tmp.resolve("models/tiny").toString(), job.model());
        assertEquals(jobs.resolve("out").toString(), job.output());
        assertEquals(List.of(jobs.resolve("emb/a.safetensors").toString()), job.generate().embeddings(),
                "an included file's paths are relative to the included file");
        assertEquals(jobs.resolve("concepts/a/*.png").toString(), job.concepts().get(0).images());
        assertEquals("s3a://bucket/b", job.concepts().get(1).images());
        assertEquals(jobs.resolve("images/default").toString(), job.concepts().get(2).images());

        JobConfig flagged = JobConfig.load(jobs.resolve("job.conf").toFile(),
                Map.of("sdti.model", "work/m", "sdti.output", "o"));
        assertEquals("work/m", flagged.model(), "a flag's path is the user's, relative to the working directory");
        assertEquals("o", flagged.output());

        // the single-machine form reads the same merged configuration
        Files.writeString(jobs.resolve("one.conf"), "sdti.generate.latents = noise/l.safetensors\n"
                + "sdti.model = \"/abs/model\"\n");
        com.typesafe.config.Config one = SdtiConfig.load(jobs.resolve("one.conf").toFile(), Map.of());
        assertEquals(jobs.resolve("noise/l.safetensors").toString(), one.getString("sdti.generate.latents"));
        assertEquals("/abs/model", one.getString("sdti.model"));

        // a single file's architecture: a config folder is a path, a preset name is not
        Files.writeString(jobs.resolve("file.conf"), "sdti.model-config = configs/sd21\n");
        assertEquals(jobs.resolve("configs/sd21").toString(), SdtiConfig.load(jobs.resolve("file.conf").toFile(),
                Map.of()).getString("sdti.model-config"));
        Files.writeString(jobs.resolve("file.conf"), "sdti.model-config = sd21-base\n");
        assertEquals("sd21-base", SdtiConfig.load(jobs.resolve("file.conf").toFile(), Map.of())
                .getString("sdti.model-config"));
    }

    @Test
    void folderNamesFromTokens() {
        assertEquals("joe-bruin", ConceptNames.fromToken("<joe-bruin>"));
        assertEquals("water-color", ConceptNames.fromToken("<Water Color>"));
        assertEquals("cat_toy.v2", ConceptNames.fromToken("<_cat_toy.v2_>"));
        assertEquals("sks", ConceptNames.fromToken("sks"));
        assertEquals("a-b", ConceptNames.fromToken("<a/../b>"));
        assertEquals("", ConceptNames.fromToken("<>"));
        assertEquals("", ConceptNames.fromToken("<日本>"));
        assertTrue(ConceptNames.isSafe("joe-bruin"));
        assertFalse(ConceptNames.isSafe("Joe"));
        assertFalse(ConceptNames.isSafe(".x"));
    }

    @Test
    void generateRequests() {
        JobConfig job = parse(BASE + """
                sdti.generate {
                  steps = 20
                  seeds = [1, 2]
                  prompts = [
                    "a photo of <cat-toy>"
                    { prompt = "<cat-toy> on a beach", guidance = 3, seed = 7, images-per-prompt = 2, scheduler = ddim }
                  ]
                }
                """);
        List<GenerateSettings.Request> r = job.generate().requests();
        assertEquals(2, r.size());
        assertEquals(List.of(1L, 2L), r.get(0).seeds());
        assertEquals(20, r.get(0).steps());
        assertNull(r.get(0).scheduler());
        assertEquals(List.of(7L), r.get(1).seeds(), "a prompt's own seed replaces the shared seeds");
        assertEquals(3.0, r.get(1).guidance());
        assertEquals(2, r.get(1).imagesPerPrompt());
        assertEquals("ddim", r.get(1).scheduler());
        assertEquals(List.of(0L), parse(BASE + "sdti.generate.prompts = [x]").generate().requests().get(0).seeds());
        assertEquals("sdti.generate.prompts[0].scheduler", fails(BASE
                + "sdti.generate.prompts = [{ prompt = x, scheduler = pndm }]").key());
        assertEquals("sdti.generate.prompts[0].prompt: missing (required)", fails(BASE
                + "sdti.generate.prompts = [{ steps = 3 }]").getMessage());
        assertEquals("sdti.generate.width: must be a multiple of 8, got 100", fails(BASE
                + "sdti.generate { width = 100, prompts = [x] }").getMessage());
        assertEquals("sdti.generate.seeds[1]", fails(BASE + "sdti.generate.seeds = [1, x]").key());
    }

    /** Issue 16 (found by the slow fuzz suite): a path no file system can hold is bad input naming its key. */
    @Test
    void aPathWithANulCharacterIsBadInput(@TempDir Path tmp) throws Exception {
        File job = tmp.resolve("job.conf").toFile();
        Files.writeString(job.toPath(), BASE + "sdti.concepts = [{ token = \"<a>\", init = x, images = /a }\n"
                + "  { token = \"<b>\", init = x, images = \"b\\u0000/c\" }]\n");
        RuntimeException e = assertThrows(RuntimeException.class,
                () -> JobConfig.load(job, Map.of()));
        assertTrue(e.getMessage().contains("sdti.concepts[1].images") && e.getMessage().contains(
                "not a usable path (Nul character not allowed)") && e.getMessage().contains(job.getPath()),
                e.getMessage());
        assertEquals(org.sdti.jobs.runtime.ExitCodes.BAD_INPUT, org.sdti.jobs.runtime.ExitCodes.of(e));
        Files.writeString(job.toPath(), BASE + "sdti.model = \"/models/\\u0000\"\n");
        e = assertThrows(RuntimeException.class, () -> JobConfig.load(job, Map.of()));
        assertTrue(e.getMessage().contains("sdti.model") && e.getMessage().contains("not a usable path"),
                e.getMessage());
    }

    @Test
    void errorsSayWhereInTheJobFileAndLoadLayersFlags(@TempDir Path tmp) throws Exception {
        File job = tmp.resolve("job.conf").toFile();
        Files.writeString(job.toPath(), BASE + "sdti.concepts = [\n  { token = \"<a>\", init = x, images = /a,\n"
                + "    vectors = 0 }\n]\n");
        JobConfigException e = assertThrows(JobConfigException.class, () -> JobConfig.load(job, Map.of()));
        assertEquals("sdti.concepts[0].vectors: must be >= 1, got 0 (" + job.getPath() + ":5)", e.getMessage());
        Files.writeString(job.toPath(), BASE + "sdti.concepts = [{ token = \"<a>\", init = x, images = /a }]");
        JobConfig loaded = JobConfig.load(job, Map.of("sdti.output", "/elsewhere"));
        assertEquals("/elsewhere", loaded.output());
    }

    @Test
    void aMisspeltKeyGivenAsASystemPropertyIsRefusedToo(@TempDir Path tmp) throws Exception {
        File job = tmp.resolve("job.conf").toFile();
        Files.writeString(job.toPath(), BASE + "sdti.concepts = [{ token = \"<a>\", init = x, images = /a }]");
        Map<String, String> named = Map.of("sdti.trian.steps", "sdti.trian", "sdti.train.stpes", "sdti.train.stpes",
                "sdti.generate.stesp", "sdti.generate.stesp");
        for (Map.Entry<String, String> k : named.entrySet()) {
            System.setProperty(k.getKey(), "3");
            // Typesafe caches the system properties (and the reference merged with them)
            ConfigFactory.invalidateCaches();
            try {
                JobConfigException e = assertThrows(JobConfigException.class,
                        () -> JobConfig.load(job, Map.of()), k.getKey());
                assertTrue(e.getMessage().startsWith(k.getValue() + ": unknown key"), e.getMessage());
            } finally {
                System.clearProperty(k.getKey());
                ConfigFactory.invalidateCaches();
            }
        }
        // a known key still overrides the file
        System.setProperty("sdti.train.steps", "7");
        ConfigFactory.invalidateCaches();
        try {
            assertEquals(7, JobConfig.load(job, Map.of()).train().steps());
        } finally {
            System.clearProperty("sdti.train.steps");
            ConfigFactory.invalidateCaches();
        }
    }
}
