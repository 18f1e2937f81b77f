package dev.focal.cli;

import com.fasterxml.jackson.core.JsonGenerator;
import dev.focal.FocalException;
import dev.focal.io.AtomicFile;
import dev.focal.loss.FocalEvaluation.Pair;
import dev.focal.stats.AnchorKind;
import dev.focal.stats.CompensatedSum;
import dev.focal.stats.EvalSummary;
import dev.focal.stats.Numbers;
import java.io.IOException;
import java.io.OutputStreamWriter;
import java.io.PrintWriter;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.function.Function;

/**
 * The table of a many-dumps eval (docs/commands.md#many-dumps): one row per dump holding its
 * summary's headline figures, named after the JSON summary's keys flattened with dots, written
 * as CSV (RFC 4180), JSON lines or JSON. A number is written as the JSON summary writes it
 * (the shortest digits that read back to the same double, Numbers.shortest; NaN and the infinities as the
 * strings "NaN", "Infinity", "-Infinity"), so that the table and a --json summary agree exactly.
 * A sweep's table (docs/commands.md#sweeps) has a row per dump and (gamma, alpha) pair, and
 * the columns {@code gamma} and {@code alpha} after {@code file}. A heatmap loss's table names
 * its element kinds as its summary does ({@code elements.peak}, {@code peak.loss_sum}, ...) and
 * adds {@code loss.head}: every dump of a run has the run's loss, so the columns are the run's.
 */
final class DumpTable {
    /** One dump: its summary, or the one-line error that stopped it. */
    record Row(String file, EvalSummary summary, String error) {
        static Row of(String file, EvalSummary summary) {
            return new Row(file, summary, null);
        }

        static Row failed(String file, String error) {
            return new Row(file, null, error);
        }
    }

    /** A headline figure: its flattened key and where the summary holds it. */
    private record Column(String name, Function<EvalSummary, Object> value) {
    }

    /** The table's formats, by the file's extension. */
    enum Format { CSV, JSONL, JSON }

    private final boolean sweep;
    private final boolean heatmap;
    private final List<Column> figures;

    /**
     * @param sweep   a row per dump and (gamma, alpha) pair
     * @param heatmap the run's loss is a heatmap loss (docs/semantics.md#heatmap-element-kinds)
     */
    DumpTable(boolean sweep, boolean heatmap) {
        this.sweep = sweep;
        this.heatmap = heatmap;
        figures = figures();
    }

    /**
     * The kinds whose loss the table shows: an ignored anchor's loss is 0 by its definition, a
     * heatmap's background holds a large part of its loss.
     */
    private List<AnchorKind> lossKinds() {
        return heatmap ? List.of(AnchorKind.values()) : List.of(AnchorKind.POSITIVE, AnchorKind.NEGATIVE);
    }

    private List<Column> figures() {
        List<Column> c = new ArrayList<>();
        c.add(new Column("loss.sum", s -> s.loss().sum()));
        c.add(new Column("loss.mean", s -> s.loss().mean()));
        c.add(new Column("loss.per_batch", s -> s.loss().perBatch()));
        if (heatmap) {
            c.add(new Column("loss.head", s -> s.loss().head()));
        }
        String counted = AnchorKind.counted(heatmap);
        c.add(new Column(counted + ".total", EvalSummary::anchors));
        for (AnchorKind k : AnchorKind.values()) {
            c.add(new Column(counted + "." + k.label(heatmap), s -> s.kind(k).anchors()));
        }
        for (AnchorKind k : lossKinds()) {
            c.add(new Column(k.label(heatmap) + ".loss_sum", s -> s.kind(k).lossSum()));
            c.add(new Column(k.label(heatmap) + ".share", s -> s.kind(k).share()));
        }
        c.add(new Column("nonfinite.logits", s -> s.nonFinite().logits()));
        c.add(new Column("nonfinite.loss", s -> s.nonFinite().loss()));
        c.add(new Column("nonfinite.nan", s -> s.nonFinite().nan()));
        c.add(new Column("nonfinite.inf", s -> s.nonFinite().inf()));
        c.add(new Column("nonfinite.first_nan", s -> s.nonFinite().firstNan()));
        c.add(new Column("nonfinite.first_inf", s -> s.nonFinite().firstInf()));
        return c;
    }

    /** The columns, in order: file, gamma and alpha in a sweep, the figures, error. */
    List<String> columns() {
        List<String> names = new ArrayList<>();
        names.add("file");
        if (sweep) {
            names.add("gamma");
            names.add("alpha");
        }
        for (Column c : figures) {
            names.add(c.name());
        }
        names.add("error");
        return names;
    }

    /** The format of a --table path (usage error, exit 2, for another extension). */
    static Format format(Path table) {
        String name = table.getFileName() == null ? "" : table.getFileName().toString().toLowerCase(Locale.ROOT);
        if (name.endsWith(".csv")) {
            return Format.CSV;
        }
        if (name.endsWith(".jsonl")) {
            return Format.JSONL;
        }
        if (name.endsWith(".json")) {
            return Format.JSON;
        }
        throw FocalException.usage("--table " + table + ": cannot tell the table's format; name the file .csv, .jsonl"
                + " or .json");
    }

    /** The row's cells by column: Double, Long, String, long[] (an index), or null (undefined, or not run). */
    Map<String, Object> cells(Row row) {
        Map<String, Object> cells = new LinkedHashMap<>();
        cells.put("file", row.file());
        if (sweep) {
            cells.put("gamma", row.summary() == null ? null : row.summary().inputs().gamma());
            cells.put("alpha", row.summary() == null ? null : row.summary().inputs().alpha());
        }
        for (Column c : figures) {
            cells.put(c.name(), row.summary() == null ? null : plain(c.value().apply(row.summary())));
        }
        cells.put("error", row.error());
        return cells;
    }

    private static Object plain(Object v) {
        if (v instanceof OptionalDouble) {
            OptionalDouble d = (OptionalDouble) v;
            return d.isPresent() ? d.getAsDouble() : null;
        }
        if (v instanceof Optional) {
            return ((Optional<?>) v).orElse(null);
        }
        return v;
    }

    /**
     * The figures over all dumps that ran: sums and counts add, means and shares are recomputed
     * from the added sums (the mean over all elements, not the mean of the dumps' means); a
     * heatmap loss's {@code loss.head} is the added loss over the added peaks (at least 1), as if
     * the dumps were one batch.
     */
    Map<String, Object> aggregate(List<Row> rows) {
        CompensatedSum loss = new CompensatedSum();
        CompensatedSum[] byKind = new CompensatedSum[AnchorKind.values().length];
        for (int k = 0; k < byKind.length; k++) {
            byKind[k] = new CompensatedSum();
        }
        long elements = 0;
        long batches = 0;
        long[] counts = new long[AnchorKind.values().length];
        long logits = 0;
        long nonFinite = 0;
        long nan = 0;
        long inf = 0;
        int ran = 0;
        for (Row r : rows) {
            EvalSummary s = r.summary();
            if (s == null) {
                continue;
            }
            ran++;
            loss.add(s.loss().sum());
            long[] shape = s.inputs().shape();
            elements += s.loss().elements();
            batches += shape.length == 0 ? 1 : shape[0];
            for (AnchorKind k : AnchorKind.values()) {
                counts[k.ordinal()] += s.kind(k).anchors();
                byKind[k.ordinal()].add(s.kind(k).lossSum());
            }
            logits += s.nonFinite().logits();
            nonFinite += s.nonFinite().loss();
            nan += s.nonFinite().nan();
            inf += s.nonFinite().inf();
        }
        double sum = loss.value();
        Map<String, Object> a = new LinkedHashMap<>();
        a.put("dumps", (long) rows.size());
        a.put("failed", (long) (rows.size() - ran));
        a.put("loss.sum", sum);
        a.put("loss.mean", orNull(EvalSummaries.ratio(sum, elements)));
        a.put("loss.per_batch", orNull(EvalSummaries.ratio(sum, batches)));
        if (heatmap) {
            a.put("loss.head", ran == 0 ? null : sum / Math.max(counts[AnchorKind.POSITIVE.ordinal()], 1));
        }
        String counted = AnchorKind.counted(heatmap);
        a.put(counted + ".total", counts[0] + counts[1] + counts[2]);
        for (AnchorKind k : AnchorKind.values()) {
            a.put(counted + "." + k.label(heatmap), counts[k.ordinal()]);
        }
        for (AnchorKind k : lossKinds()) {
            double kindSum = byKind[k.ordinal()].value();
            a.put(k.label(heatmap) + ".loss_sum", kindSum);
            a.put(k.label(heatmap) + ".share", orNull(EvalSummaries.ratio(kindSum, sum)));
        }
        a.put("nonfinite.logits", logits);
        a.put("nonfinite.loss", nonFinite);
        a.put("nonfinite.nan", nan);
        a.put("nonfinite.inf", inf);
        return a;
    }

    private static Double orNull(OptionalDouble d) {
        return d.isPresent() ? d.getAsDouble() : null;
    }

    /** Writes the table atomically in the format of its extension; exit 4 when it cannot be written. */
    void write(Path table, List<Row> rows) {
        Format format = format(table);
        AtomicFile.write(table, stream -> {
            Writer w = new OutputStreamWriter(stream, StandardCharsets.UTF_8);
            switch (format) {
                case CSV: csv(rows, w); break;
                case JSONL: jsonLines(rows, w); break;
                default: json(rows, w); break;
            }
            w.flush();
        });
    }

    /** RFC 4180: a header line, CRLF line ends, a field quoted when it holds a comma, a quote or a line break. */
    void csv(List<Row> rows, Writer w) throws IOException {
        w.write(String.join(",", columns()));
        w.write("\r\n");
        for (Row r : rows) {
            List<String> fields = new ArrayList<>();
            for (Object v : cells(r).values()) {
                fields.add(csvField(text(v)));
            }
            w.write(String.join(",", fields));
            w.write("\r\n");
        }
    }

    private static String csvField(String s) {
        if (s.indexOf(',') < 0 && s.indexOf('"') < 0 && s.indexOf('\n') < 0 && s.indexOf('\r') < 0) {
            return s;
        }
        return '"' + s.replace("\"", "\"\"") + '"';
    }

    /** A cell as text: numbers with the JSON summary's digits, an index as a JSON array, null as nothing. */
    static String text(Object v) {
        if (v == null) {
            return "";
        }
        if (v instanceof Double) {
            double d = (Double) v;
            return Double.isNaN(d) ? "NaN" : Double.isInfinite(d) ? (d > 0 ? "Infinity" : "-Infinity") : Numbers.shortest(d);
        }
        if (v instanceof long[]) {
            StringBuilder b = new StringBuilder("[");
            for (long i : (long[]) v) {
                b.append(b.length() > 1 ? ", " : "").append(i);
            }
            return b.append(']').toString();
        }
        return v.toString();
    }

    /** One JSON object per line, keyed by the flattened names. */
    void jsonLines(List<Row> rows, Writer w) throws IOException {
        for (Row r : rows) {
            try (JsonGenerator g = JsonOutput.compactGenerator(w)) {
                flat(g, cells(r));
            }
            w.write('\n');
        }
    }

    /** A JSON array of the rows' objects. */
    void json(List<Row> rows, Writer w) throws IOException {
        try (JsonGenerator g = JsonOutput.generator(w)) {
            g.writeStartArray();
            for (Row r : rows) {
                flat(g, cells(r));
            }
            g.writeEndArray();
        }
        w.write(System.lineSeparator());
    }

    private static void flat(JsonGenerator g, Map<String, Object> cells) throws IOException {
        g.writeStartObject();
        for (Map.Entry<String, Object> e : cells.entrySet()) {
            g.writeFieldName(e.getKey());
            value(g, e.getValue());
        }
        g.writeEndObject();
    }

    private static void value(JsonGenerator g, Object v) throws IOException {
        if (v == null) {
            g.writeNull();
        } else if (v instanceof Double) {
            g.writeNumber((Double) v);
        } else if (v instanceof Long) {
            g.writeNumber((Long) v);
        } else if (v instanceof long[]) {
            long[] idx = (long[]) v;
            g.writeArray(idx, 0, idx.length);
        } else {
            g.writeString(v.toString());
        }
    }

    /**
     * The --stats document of a many-dumps eval: each dump's whole summary (or its error) in
     * order, and the aggregate, its flattened keys nested again as in a summary. In a sweep each
     * entry is one dump and pair, and the aggregate a list, one per pair, over the dumps.
     */
    void writeStats(List<Row> rows, JsonGenerator g) throws IOException {
        g.writeStartObject();
        g.writeArrayFieldStart("dumps");
        for (Row r : rows) {
            g.writeStartObject();
            g.writeStringField("file", r.file());
            if (r.summary() != null) {
                if (sweep) {
                    g.writeNumberField("gamma", r.summary().inputs().gamma());
                    g.writeNumberField("alpha", r.summary().inputs().alpha());
                }
                g.writeFieldName("summary");
                SummaryJson.write(r.summary(), g);
            } else {
                g.writeStringField("error", r.error());
            }
            g.writeEndObject();
        }
        g.writeEndArray();
        if (sweep) {
            g.writeArrayFieldStart("aggregate");
            for (Map.Entry<Pair, List<Row>> pair : byPair(rows).entrySet()) {
                g.writeStartObject();
                g.writeNumberField("gamma", pair.getKey().gamma());
                g.writeNumberField("alpha", pair.getKey().alpha());
                nested(g, aggregate(pair.getValue()));
                g.writeEndObject();
            }
            g.writeEndArray();
        } else {
            g.writeObjectFieldStart("aggregate");
            nested(g, aggregate(rows));
            g.writeEndObject();
        }
        g.writeEndObject();
    }

    /** The rows of each pair of a sweep, in the pairs' order; a dump that failed counts in every pair. */
    private static Map<Pair, List<Row>> byPair(List<Row> rows) {
        Map<Pair, List<Row>> pairs = new LinkedHashMap<>();
        for (Row r : rows) {
            if (r.summary() != null) {
                pairs.computeIfAbsent(new Pair(r.summary().inputs().gamma(), r.summary().inputs().alpha()),
                        p -> new ArrayList<>());
            }
        }
        for (Row r : rows) {
            for (Map.Entry<Pair, List<Row>> pair : pairs.entrySet()) {
                if (r.summary() == null || pair.getKey().equals(new Pair(r.summary().inputs().gamma(),
                        r.summary().inputs().alpha()))) {
                    pair.getValue().add(r);
                }
            }
        }
        return pairs;
    }

    /** Flattened keys as fields of the open object, nested again: {@code loss.sum} in {@code "loss": {...}}. */
    private static void nested(JsonGenerator g, Map<String, Object> figures) throws IOException {
        String open = null;
        for (Map.Entry<String, Object> e : figures.entrySet()) {
            int dot = e.getKey().indexOf('.');
            String group = dot < 0 ? null : e.getKey().substring(0, dot);
            if (open != null && !open.equals(group)) {
                g.writeEndObject();
                open = null;
            }
            if (group != null && open == null) {
                g.writeObjectFieldStart(group);
                open = group;
            }
            g.writeFieldName(e.getKey().substring(dot + 1));
            value(g, e.getValue());
        }
        if (open != null) {
            g.writeEndObject();
        }
    }

    /**
     * The table on the terminal: one line per dump (per dump and pair in a sweep) with the
     * figures people scan for, then the aggregate (one per pair in a sweep).
     */
    void print(List<Row> rows, PrintWriter out) {
        AnchorKind[] kinds = AnchorKind.values();
        List<String> headers = new ArrayList<>(List.of("file", ">loss sum", heatmap ? ">head" : ">per_batch"));
        for (AnchorKind k : kinds) {
            headers.add(">" + k.label(heatmap));
        }
        headers.addAll(List.of(heatmap ? ">peak share" : ">pos share", ">nonfinite", "error"));
        if (sweep) {
            headers.addAll(1, List.of(">gamma", ">alpha"));
        }
        Table t = new Table(headers.toArray(new String[0]));
        for (Row r : rows) {
            EvalSummary s = r.summary();
            if (s == null) {
                t.row(line(r.file(), null, "", "", "", "", "", "", "", r.error()));
                continue;
            }
            t.row(line(r.file(), new Pair(s.inputs().gamma(), s.inputs().alpha()), Numbers.format(s.loss().sum()),
                    optional(heatmap ? s.loss().head() : s.loss().perBatch()), s.kind(kinds[0]).anchors(),
                    s.kind(kinds[1]).anchors(), s.kind(kinds[2]).anchors(), share(s.kind(AnchorKind.POSITIVE).share()),
                    s.nonFinite().loss(), ""));
        }
        Map<Pair, List<Row>> groups = sweep ? byPair(rows) : Map.of(new Pair(0, 0), rows);
        String counted = AnchorKind.counted(heatmap) + ".";
        for (Map.Entry<Pair, List<Row>> group : groups.entrySet()) {
            Map<String, Object> a = aggregate(group.getValue());
            long failed = (Long) a.get("failed");
            String all = "all (" + a.get("dumps") + " dumps" + (failed > 0 ? ", " + failed + " failed" : "") + ")";
            String positive = AnchorKind.POSITIVE.label(heatmap);
            Object[] figures = {Numbers.format((Double) a.get("loss.sum")),
                figure(a.get(heatmap ? "loss.head" : "loss.per_batch")), a.get(counted + kinds[0].label(heatmap)),
                a.get(counted + kinds[1].label(heatmap)), a.get(counted + kinds[2].label(heatmap)),
                a.get(positive + ".share") == null ? "-" : Numbers.percent((Double) a.get(positive + ".share")),
                a.get("nonfinite.loss"), ""};
            t.row(line(all, group.getKey(), figures));
        }
        t.print(out, "");
    }

    /** A terminal line: the file, then in a sweep the pair (blank for a dump that failed), then the figures. */
    private Object[] line(String file, Pair pair, Object... figures) {
        List<Object> cells = new ArrayList<>(List.of(file));
        if (sweep) {
            cells.add(pair == null ? "" : Numbers.format(pair.gamma()));
            cells.add(pair == null ? "" : Numbers.format(pair.alpha()));
        }
        cells.addAll(List.of(figures));
        return cells.toArray();
    }

    private static String optional(OptionalDouble d) {
        return d.isPresent() ? Numbers.format(d.getAsDouble()) : "-";
    }

    private static String share(OptionalDouble d) {
        return d.isPresent() ? Numbers.percent(d.getAsDouble()) : "-";
    }

    private static String figure(Object d) {
        return d == null ? "-" : Numbers.format((Double) d);
    }
}
