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
 * the columns {@code gamma} and {@code alpha} after {@code file}.
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

    private static final List<Column> FIGURES = List.of(
            new Column("loss.sum", s -> s.loss().sum()),
            new Column("loss.mean", s -> s.loss().mean()),
            new Column("loss.per_batch", s -> s.loss().perBatch()),
            new Column("anchors.total", EvalSummary::anchors),
            new Column("anchors.positive", s -> s.kind(AnchorKind.POSITIVE).anchors()),
            new Column("anchors.negative", s -> s.kind(AnchorKind.NEGATIVE).anchors()),
            new Column("anchors.ignored", s -> s.kind(AnchorKind.IGNORED).anchors()),
            new Column("positive.loss_sum", s -> s.kind(AnchorKind.POSITIVE).lossSum()),
            new Column("positive.share", s -> s.kind(AnchorKind.POSITIVE).share()),
            new Column("negative.loss_sum", s -> s.kind(AnchorKind.NEGATIVE).lossSum()),
            new Column("negative.share", s -> s.kind(AnchorKind.NEGATIVE).share()),
            new Column("nonfinite.logits", s -> s.nonFinite().logits()),
            new Column("nonfinite.loss", s -> s.nonFinite().loss()),
            new Column("nonfinite.nan", s -> s.nonFinite().nan()),
            new Column("nonfinite.inf", s -> s.nonFinite().inf()),
            new Column("nonfinite.first_nan", s -> s.nonFinite().firstNan()),
            new Column("nonfinite.first_inf", s -> s.nonFinite().firstInf()));

    /** The table's formats, by the file's extension. */
    enum Format { CSV, JSONL, JSON }

    private DumpTable() {
    }

    /** The columns, in order: file, gamma and alpha in a sweep, the figures, error. */
    static List<String> columns(boolean sweep) {
        List<String> names = new ArrayList<>();
        names.add("file");
        if (sweep) {
            names.add("gamma");
            names.add("alpha");
        }
        for (Column c : FIGURES) {
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
    static Map<String, Object> cells(Row row, boolean sweep) {
        Map<String, Object> cells = new LinkedHashMap<>();
        cells.put("file", row.file());
        if (sweep) {
            cells.put("gamma", row.summary() == null ? null : row.summary().inputs().gamma());
            cells.put("alpha", row.summary() == null ? null : row.summary().inputs().alpha());
        }
        for (Column c : FIGURES) {
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
     * from the added sums (the mean over all elements, not the mean of the dumps' means).
     */
    static Map<String, Object> aggregate(List<Row> rows) {
        CompensatedSum loss = new CompensatedSum();
        CompensatedSum positive = new CompensatedSum();
        CompensatedSum negative = new CompensatedSum();
        long elements = 0;
        long batches = 0;
        long[] anchors = new long[AnchorKind.values().length];
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
            positive.add(s.kind(AnchorKind.POSITIVE).lossSum());
            negative.add(s.kind(AnchorKind.NEGATIVE).lossSum());
            long[] shape = s.inputs().shape();
            long count = 1;
            for (long d : shape) {
                count *= d;
            }
            elements += count;
            batches += shape.length == 0 ? 1 : shape[0];
            for (AnchorKind k : AnchorKind.values()) {
                anchors[k.ordinal()] += s.kind(k).anchors();
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
        a.put("anchors.total", anchors[0] + anchors[1] + anchors[2]);
        a.put("anchors.positive", anchors[AnchorKind.POSITIVE.ordinal()]);
        a.put("anchors.negative", anchors[AnchorKind.NEGATIVE.ordinal()]);
        a.put("anchors.ignored", anchors[AnchorKind.IGNORED.ordinal()]);
        a.put("positive.loss_sum", positive.value());
        a.put("positive.share", orNull(EvalSummaries.ratio(positive.value(), sum)));
        a.put("negative.loss_sum", negative.value());
        a.put("negative.share", orNull(EvalSummaries.ratio(negative.value(), sum)));
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
    static void write(Path table, List<Row> rows, boolean sweep) {
        Format format = format(table);
        AtomicFile.write(table, stream -> {
            Writer w = new OutputStreamWriter(stream, StandardCharsets.UTF_8);
            switch (format) {
                case CSV: csv(rows, sweep, w); break;
                case JSONL: jsonLines(rows, sweep, w); break;
                default: json(rows, sweep, w); break;
            }
            w.flush();
        });
    }

    /** RFC 4180: a header line, CRLF line ends, a field quoted when it holds a comma, a quote or a line break. */
    static void csv(List<Row> rows, boolean sweep, Writer w) throws IOException {
        w.write(String.join(",", columns(sweep)));
        w.write("\r\n");
        for (Row r : rows) {
            List<String> fields = new ArrayList<>();
            for (Object v : cells(r, sweep).values()) {
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
    static void jsonLines(List<Row> rows, boolean sweep, Writer w) throws IOException {
        for (Row r : rows) {
            try (JsonGenerator g = JsonOutput.compactGenerator(w)) {
                flat(g, cells(r, sweep));
            }
            w.write('\n');
        }
    }

    /** A JSON array of the rows' objects. */
    static void json(List<Row> rows, boolean sweep, Writer w) throws IOException {
        try (JsonGenerator g = JsonOutput.generator(w)) {
            g.writeStartArray();
            for (Row r : rows) {
                flat(g, cells(r, sweep));
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
    static void writeStats(List<Row> rows, boolean sweep, JsonGenerator g) throws IOException {
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
    static void print(List<Row> rows, boolean sweep, PrintWriter out) {
        List<String> headers = new ArrayList<>(List.of("file", ">loss sum", ">per_batch", ">positive", ">negative",
                ">ignored", ">pos share", ">nonfinite", "error"));
        if (sweep) {
            headers.addAll(1, List.of(">gamma", ">alpha"));
        }
        Table t = new Table(headers.toArray(new String[0]));
        for (Row r : rows) {
            EvalSummary s = r.summary();
            if (s == null) {
                t.row(line(sweep, r.file(), null, "", "", "", "", "", "", "", r.error()));
                continue;
            }
            t.row(line(sweep, r.file(), new Pair(s.inputs().gamma(), s.inputs().alpha()), Numbers.format(s.loss().sum()), optional(s.loss().perBatch()),
                    s.kind(AnchorKind.POSITIVE).anchors(), s.kind(AnchorKind.NEGATIVE).anchors(),
                    s.kind(AnchorKind.IGNORED).anchors(), share(s.kind(AnchorKind.POSITIVE).share()),
                    s.nonFinite().loss(), ""));
        }
        Map<Pair, List<Row>> groups = sweep ? byPair(rows) : Map.of(new Pair(0, 0), rows);
        for (Map.Entry<Pair, List<Row>> group : groups.entrySet()) {
            Map<String, Object> a = aggregate(group.getValue());
            long failed = (Long) a.get("failed");
            String all = "all (" + a.get("dumps") + " dumps" + (failed > 0 ? ", " + failed + " failed" : "") + ")";
            Object[] figures = {Numbers.format((Double) a.get("loss.sum")), figure(a.get("loss.per_batch")),
                a.get("anchors.positive"), a.get("anchors.negative"), a.get("anchors.ignored"),
                a.get("positive.share") == null ? "-" : Numbers.percent((Double) a.get("positive.share")),
                a.get("nonfinite.loss"), ""};
            t.row(line(sweep, all, group.getKey(), figures));
        }
        t.print(out, "");
    }

    /** A terminal line: the file, then in a sweep the pair (blank for a dump that failed), then the figures. */
    private static Object[] line(boolean sweep, String file, Pair pair, Object... figures) {
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
