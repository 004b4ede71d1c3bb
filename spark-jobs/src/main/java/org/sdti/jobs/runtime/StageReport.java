package org.sdti.jobs.runtime;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.sdti.model.io.AtomicFiles;

/**
 * What one run of a stage did, per concept: written to {@code OUTPUT/_reports/STAGE.json} for orchestrators and
 * printed as a table for people. Exit code 0 when every concept is done, 3 when some failed.
 */
public final class StageReport {
    private static final ObjectMapper JSON = new ObjectMapper();

    public enum Status { DONE, FAILED }

    /** A file that gave no example, and why (data-prep's rejection reasons). */
    public record Rejected(String file, String reason, String detail) {}

    /**
     * @param action what this run did: e.g. "prepared", "up-to-date", "encoded"; "-" for a failure
     * @param reason why a concept failed (null when done)
     * @param counts  numbers shown as table columns, in order
     * @param metrics measurements shown as table columns after the counts (4 decimals), e.g. train's final loss
     */
    public record ConceptResult(String concept, String token, Status status, String action, String reason,
                                Map<String, Long> counts, List<Rejected> rejected, Map<String, Double> metrics) {
        public ConceptResult {
            counts = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(counts));
            rejected = List.copyOf(rejected);
            metrics = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(metrics));
        }

        public ConceptResult(String concept, String token, Status status, String action, String reason,
                             Map<String, Long> counts, List<Rejected> rejected) {
            this(concept, token, status, action, reason, counts, rejected, Map.of());
        }
    }

    private final String stage;
    private final String output;
    private final String model;
    private final Instant started;
    private final List<ConceptResult> concepts = new ArrayList<>();
    private final Map<String, Long> counters = new LinkedHashMap<>();
    /** Rows that are no concept of the job (generate's {@code _generate}): shown, exit 3 when failed, not counted. */
    private final Set<String> others = new LinkedHashSet<>();
    private Instant finished;

    public StageReport(String stage, String output, String model, Instant started) {
        this.stage = stage;
        this.output = output;
        this.model = model;
        this.started = started;
    }

    public StageReport add(ConceptResult r) {
        concepts.add(r);
        return this;
    }

    /** A row that is no concept of the job (generate's {@code _generate}). */
    public StageReport addOther(ConceptResult r) {
        others.add(r.concept());
        concepts.add(r);
        return this;
    }

    /** Whether the row is one of {@link #addOther}'s rather than a concept's. */
    public boolean isOther(ConceptResult r) {
        return others.contains(r.concept());
    }

    public StageReport counter(String name, long value) {
        counters.put(name, value);
        return this;
    }

    public StageReport finish(Instant at) {
        finished = at;
        return this;
    }

    public String stage() {
        return stage;
    }

    public List<ConceptResult> concepts() {
        return List.copyOf(concepts);
    }

    public Map<String, Long> counters() {
        return Map.copyOf(counters);
    }

    /** Concepts failed (rows of {@link #addOther} not counted). */
    public long failed() {
        return concepts.stream().filter(c -> !isOther(c) && c.status() == Status.FAILED).count();
    }

    /** Concepts done (rows of {@link #addOther} not counted). */
    public long done() {
        return concepts.stream().filter(c -> !isOther(c) && c.status() == Status.DONE).count();
    }

    private boolean anyFailed() {
        return concepts.stream().anyMatch(c -> c.status() == Status.FAILED);
    }

    public int exitCode() {
        return anyFailed() ? ExitCodes.PARTIAL : ExitCodes.OK;
    }

    /** The fields every report starts with (a stage's and the pipeline's): where, with what, when, how long. */
    public static void putRun(ObjectNode n, String output, String model, Instant started, Instant finished) {
        n.put("output", output);
        n.put("model", model);
        n.put("started", started.toString());
        if (finished != null) {
            n.put("finished", finished.toString());
            n.put("seconds", Duration.between(started, finished).toMillis() / 1000.0);
        }
    }

    public ObjectNode toJson() {
        ObjectNode n = JSON.createObjectNode();
        n.put("stage", stage);
        n.put("status", anyFailed() ? "partial" : "done");
        n.put("exit_code", exitCode());
        putRun(n, output, model, started, finished);
        n.put("concepts_done", done());
        n.put("concepts_failed", failed());
        if (!others.isEmpty()) {
            n.put("others_done", concepts.stream().filter(c -> isOther(c) && c.status() == Status.DONE).count());
            n.put("others_failed", concepts.stream().filter(c -> isOther(c) && c.status() == Status.FAILED).count());
        }
        ObjectNode c = n.putObject("counters");
        counters.forEach(c::put);
        ArrayNode list = n.putArray("concepts");
        for (ConceptResult r : concepts) {
            ObjectNode o = list.addObject();
            o.put("concept", r.concept());
            o.put("token", r.token());
            o.put("status", r.status().name().toLowerCase(java.util.Locale.ROOT));
            o.put("action", r.action());
            if (r.reason() != null) {
                o.put("reason", r.reason());
            }
            r.counts().forEach(o::put);
            r.metrics().forEach(o::put);
            ArrayNode rej = o.putArray("rejected");
            for (Rejected x : r.rejected()) {
                rej.addObject().put("file", x.file()).put("reason", x.reason()).put("detail", x.detail());
            }
        }
        return n;
    }

    public void write(OutputLayout layout) throws IOException {
        AtomicFiles.writeText(layout.fileSystem(), layout.report(stage),
                JSON.writerWithDefaultPrettyPrinter().writeValueAsString(toJson()) + "\n");
    }

    /** A fixed-width summary: one line per concept, then the totals. */
    public String table() {
        Set<String> columns = new LinkedHashSet<>();
        concepts.forEach(c -> columns.addAll(c.counts().keySet()));
        Set<String> measured = new LinkedHashSet<>();
        concepts.forEach(c -> measured.addAll(c.metrics().keySet()));
        List<String> header = new ArrayList<>(List.of("concept", "status", "action"));
        header.addAll(columns);
        header.addAll(measured);
        header.add("note");
        List<List<String>> rows = new ArrayList<>();
        for (ConceptResult r : concepts) {
            List<String> row = new ArrayList<>(List.of(r.concept(), r.status().name().toLowerCase(java.util.Locale.ROOT),
                    r.action()));
            for (String col : columns) {
                Long v = r.counts().get(col);
                row.add(v == null ? "-" : Long.toString(v));
            }
            for (String col : measured) {
                Double v = r.metrics().get(col);
                row.add(v == null ? "-" : String.format(java.util.Locale.ROOT, "%.4f", v));
            }
            row.add(note(r));
            rows.add(row);
        }
        int[] width = new int[header.size()];
        for (int i = 0; i < width.length; i++) {
            width[i] = header.get(i).length();
            for (List<String> row : rows) {
                width[i] = Math.max(width[i], i == width.length - 1 ? 0 : row.get(i).length());
            }
        }
        StringBuilder sb = new StringBuilder();
        appendRow(sb, header, width);
        rows.forEach(r -> appendRow(sb, r, width));
        sb.append(stage).append(": ").append(done()).append(" of ").append(done() + failed())
                .append(" concepts done");
        if (failed() > 0) {
            sb.append(", ").append(failed()).append(" failed");
        }
        for (ConceptResult r : concepts) {
            if (isOther(r)) {
                sb.append(", ").append(r.concept()).append(' ')
                        .append(r.status().name().toLowerCase(java.util.Locale.ROOT));
            }
        }
        if (finished != null) {
            sb.append(String.format(" in %.1f s", Duration.between(started, finished).toMillis() / 1000.0));
        }
        if (!counters.isEmpty()) {
            sb.append(" (");
            counters.forEach((k, v) -> sb.append(k).append(' ').append(v).append(", "));
            sb.setLength(sb.length() - 2);
            sb.append(')');
        }
        return sb.append('\n').toString();
    }

    private static String note(ConceptResult r) {
        if (r.reason() != null) {
            String why = r.reason().replaceAll("\\s+", " ");
            return why.length() > 160 ? why.substring(0, 157) + "..." : why;
        }
        if (!r.rejected().isEmpty()) {
            return r.rejected().size() + " file(s) rejected, see the report";
        }
        return "";
    }

    private static void appendRow(StringBuilder sb, List<String> row, int[] width) {
        for (int i = 0; i < row.size(); i++) {
            String cell = row.get(i);
            sb.append(cell);
            if (i < row.size() - 1) {
                sb.append(" ".repeat(width[i] - cell.length() + 2));
            }
        }
        // no trailing spaces after an empty note
        int end = sb.length();
        while (end > 0 && sb.charAt(end - 1) == ' ') {
            end--;
        }
        sb.setLength(end);
        sb.append('\n');
    }
}
