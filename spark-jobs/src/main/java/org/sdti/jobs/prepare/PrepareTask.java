package org.sdti.jobs.prepare;

import java.io.IOException;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.apache.hadoop.fs.Path;
import org.apache.spark.api.java.function.MapPartitionsFunction;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;
import org.apache.spark.util.LongAccumulator;
import org.sdti.dataprep.CaptionPrompts;
import org.sdti.dataprep.ConceptPreparer;
import org.sdti.dataprep.HadoopFolder;
import org.sdti.dataprep.ImageInput;
import org.sdti.dataprep.NoUsableImageException;
import org.sdti.dataprep.Placeholder;
import org.sdti.dataprep.PreparationResult;
import org.sdti.dataprep.PreparedImage;
import org.sdti.dataprep.PromptTemplates;
import org.sdti.dataprep.Rejection;
import org.sdti.jobs.config.PrepareSettings;
import org.sdti.jobs.runtime.HadoopConf;
import org.sdti.jobs.runtime.Isolation;
import org.sdti.jobs.runtime.ModelCache;
import org.sdti.jobs.runtime.ModelRef;
import org.sdti.jobs.runtime.Schemas;
import org.sdti.model.text.ClipTokenizer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Executor side of {@code prepare}: one concept per input row (the job gives each its own task). Reads the
 * concept's files through Hadoop, runs data-prep on them, tokenizes the prompts, and emits example, prompt and
 * report rows ({@link #OUTCOME}). A concept that fails (also with an Error: {@link Isolation}) becomes a report row
 * with the reason; it never fails the task, so the other concepts go on.
 */
final class PrepareTask implements MapPartitionsFunction<Row, Row> {
    private static final long serialVersionUID = 1L;
    private static final Logger LOG = LoggerFactory.getLogger(PrepareTask.class);

    static final StructType FILE = new StructType(new StructField[] {
        DataTypes.createStructField("path", DataTypes.StringType, false),
        DataTypes.createStructField("dir", DataTypes.BooleanType, false),
    });

    /** One concept's work: what to read and how to make its prompts. */
    static final StructType WORK = new StructType(new StructField[] {
        DataTypes.createStructField("concept", DataTypes.StringType, false),
        DataTypes.createStructField("token", DataTypes.StringType, false),
        DataTypes.createStructField("vectors", DataTypes.IntegerType, false),
        DataTypes.createStructField("templates", DataTypes.createArrayType(DataTypes.StringType, false), false),
        DataTypes.createStructField("captions", DataTypes.BooleanType, false),
        DataTypes.createStructField("location", DataTypes.StringType, false),
        DataTypes.createStructField("files", DataTypes.createArrayType(FILE, false), false),
    });

    static final StructType REJECTED = new StructType(new StructField[] {
        DataTypes.createStructField("file", DataTypes.StringType, false),
        DataTypes.createStructField("reason", DataTypes.StringType, false),
        DataTypes.createStructField("detail", DataTypes.StringType, false),
    });

    static final StructType REPORT = new StructType(new StructField[] {
        DataTypes.createStructField("concept", DataTypes.StringType, false),
        DataTypes.createStructField("status", DataTypes.StringType, false),
        DataTypes.createStructField("reason", DataTypes.StringType, true),
        DataTypes.createStructField("files", DataTypes.LongType, false),
        DataTypes.createStructField("accepted", DataTypes.LongType, false),
        DataTypes.createStructField("examples", DataTypes.LongType, false),
        DataTypes.createStructField("prompts", DataTypes.LongType, false),
        DataTypes.createStructField("rejected", DataTypes.createArrayType(REJECTED, false), false),
    });

    /** Every output row is one of an example, a prompt or a concept's report, told apart by {@code kind}. */
    static final StructType OUTCOME = new StructType(new StructField[] {
        DataTypes.createStructField("kind", DataTypes.StringType, false),
        DataTypes.createStructField("example", Schemas.EXAMPLES, true),
        DataTypes.createStructField("prompt", Schemas.PROMPTS, true),
        DataTypes.createStructField("report", REPORT, true),
    });

    static final String EXAMPLE = "example";
    static final String PROMPT = "prompt";
    static final String REPORT_KIND = "report";
    static final String DONE = "done";
    static final String FAILED = "failed";

    /** Spark accumulators: shown in the Spark UI while the stage runs. */
    record Counters(LongAccumulator imagesRead, LongAccumulator rejected, LongAccumulator examples)
            implements java.io.Serializable {}

    private final ModelRef model;
    private final HadoopConf conf;
    private final PrepareSettings settings;
    private final int resolution;
    private final Counters counters;
    private final Isolation isolation;

    /**
     * @param model      the model (its tokenizer makes the prompt ids)
     * @param resolution the resolved training resolution (the model's when the job file leaves it unset)
     */
    PrepareTask(ModelRef model, HadoopConf conf, PrepareSettings settings, int resolution, Counters counters,
                Isolation isolation) {
        this.model = model;
        this.conf = conf;
        this.settings = settings;
        this.resolution = resolution;
        this.counters = counters;
        this.isolation = isolation;
    }

    @Override
    public Iterator<Row> call(Iterator<Row> work) {
        List<Row> out = new ArrayList<>();
        ConceptPreparer preparer = new ConceptPreparer(settings.options(resolution));
        while (work.hasNext()) {
            out.addAll(prepare(preparer, work.next()));
        }
        return out.iterator();
    }

    private List<Row> prepare(ConceptPreparer preparer, Row w) {
        String concept = w.getString(0);
        String token = w.getString(1);
        int vectors = w.getInt(2);
        List<String> templates = w.getList(3);
        boolean captions = w.getBoolean(4);
        String location = w.getString(5);
        List<Row> files = w.getList(6);
        List<ImageInput> inputs = new ArrayList<>(files.size());
        for (Row f : files) {
            String path = f.getString(0);
            inputs.add(new ImageInput(path, f.getBoolean(1)
                    ? () -> { throw new IOException("a folder, not a file (sub-folders are not read)"); }
                    : () -> read(path)));
        }
        long t0 = System.nanoTime();
        return isolation.run(concept, () -> {
            try {
                return prepared(concept, token, vectors, templates, captions, files.size(),
                        preparer.prepare(concept, location, inputs), t0);
            } catch (NoUsableImageException e) {
                counters.rejected().add(e.rejected().size());
                LOG.info("prepare {}: no usable image ({} rejected)", concept, e.rejected().size());
                return List.of(RowFactory.create(REPORT_KIND, null, null, report(concept, FAILED, e.getMessage(),
                        files.size(), 0, 0, 0, e.rejected())));
            }
        }, e -> {
            LOG.error("prepare {}: failed", concept, e);
            return List.of(RowFactory.create(REPORT_KIND, null, null, report(concept, FAILED, e.toString(),
                    files.size(), 0, 0, 0, List.of())));
        });
    }

    private List<Row> prepared(String concept, String token, int vectors, List<String> templates, boolean captions,
                               int files, PreparationResult result, long t0) {
        List<Rejection> rejected = new ArrayList<>(result.rejected());
        List<Row> out = new ArrayList<>();
        for (PreparedImage e : result.examples()) {
            out.add(RowFactory.create(EXAMPLE, example(e), null, null));
        }
        List<Row> prompts = prompts(concept, new Placeholder(token, vectors), templates,
                captions ? result.examples() : List.of(), rejected);
        prompts.forEach(p -> out.add(RowFactory.create(PROMPT, null, p, null)));
        counters.examples().add(result.examples().size());
        counters.rejected().add(rejected.size());
        out.add(RowFactory.create(REPORT_KIND, null, null, report(concept, DONE, null, files,
                result.acceptedImages(), result.examples().size(), prompts.size(), rejected)));
        LOG.info("prepare {}: {} files, {} accepted, {} examples, {} prompts, {} rejected in {} ms", concept,
                files, result.acceptedImages(), result.examples().size(), prompts.size(), rejected.size(),
                (System.nanoTime() - t0) / 1_000_000);
        return out;
    }

    private byte[] read(String path) throws IOException {
        Path p = new Path(path);
        byte[] data = HadoopFolder.readAll(conf.fileSystem(p), p);
        if (!path.toLowerCase(Locale.ROOT).endsWith(".txt")) {
            counters.imagesRead().add(1);
        }
        return data;
    }

    private static Row example(PreparedImage e) {
        return RowFactory.create(e.concept(), e.id(), e.source(), e.sha256(),
                e.variant().name().toLowerCase(Locale.ROOT), e.pixels().width(), e.pixels().height(),
                e.sourceWidth(), e.sourceHeight(), e.caption().orElse(null), e.pixels().rgb());
    }

    /**
     * Template prompts, then one caption prompt per captioned picture. The ids are encoded from the text with the
     * bare token, which the tokenizer expands to all the concept's vectors: the ids diffusers trains on for
     * {@code "<tok> <tok>_1 ..."} (each vector once).
     */
    private List<Row> prompts(String concept, Placeholder placeholder, List<String> templates,
                              List<PreparedImage> captioned, List<Rejection> rejected) {
        ClipTokenizer tokenizer = ModelCache.tokenizer(model, conf)
                .withAddedToken(placeholder.token(), placeholder.vectors());
        int first = tokenizer.tokenId(placeholder.token()).orElseThrow();
        List<Row> out = new ArrayList<>();
        for (String t : templates) {
            out.add(RowFactory.create(concept, out.size(), "template", null, t,
                    PromptTemplates.fill(t, placeholder.text()), tokenizer.encode(PromptTemplates.fill(t,
                            placeholder.token()))));
        }
        Map<String, PreparedImage> byHash = new LinkedHashMap<>();
        captioned.stream().filter(e -> e.caption().isPresent()).forEach(e -> byHash.putIfAbsent(e.sha256(), e));
        for (PreparedImage e : byHash.values()) {
            String caption = e.caption().get();
            String prompt = CaptionPrompts.prompt(caption, placeholder);
            int[] ids = tokenizer.encode(prompt.replace(placeholder.text(), placeholder.token()));
            if (java.util.Arrays.stream(ids).noneMatch(id -> id == first)) {
                rejected.add(new Rejection(e.source(), Rejection.Reason.UNREADABLE, "caption not used: the "
                        + "token falls beyond the text encoder's " + ids.length + " ids; the picture trains on "
                        + "the templates"));
                continue;
            }
            out.add(RowFactory.create(concept, out.size(), "caption", e.sha256(), caption, prompt, ids));
        }
        return out;
    }

    private static Row report(String concept, String status, String reason, long files, long accepted,
                              long examples, long prompts, List<Rejection> rejected) {
        List<Row> rej = new ArrayList<>(rejected.size());
        for (Rejection r : rejected) {
            rej.add(RowFactory.create(r.source(), r.reason().name(), r.detail()));
        }
        return RowFactory.create(concept, status, reason, files, accepted, examples, prompts, rej.toArray(Row[]::new));
    }
}
