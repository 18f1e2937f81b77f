package dev.focal.cli;

import com.fasterxml.jackson.core.JsonGenerator;
import dev.focal.FocalException;
import dev.focal.compare.JUnitReport;
import dev.focal.io.AtomicFile;
import dev.focal.stats.EvalSummary;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;

/**
 * A many-dumps eval (docs/commands.md#many-dumps): every dump evaluated in turn in this JVM, by
 * eval's own steps, each on all cores; a dump that fails is a row holding its error, and the run
 * goes on (unless --fail-fast). Then the table, the --stats document and the --junit report.
 */
final class ManyDumps {
    /**
     * One dump's outcome: its summary (one per pair in a sweep, gamma major), and its checks'
     * results when checks were asked for.
     */
    record Outcome(List<EvalSummary> summaries, List<EvalChecks> checks) {
    }

    /** Evaluates one dump as eval evaluates a single bundle. */
    interface Evaluator {
        Outcome evaluate(String dump) throws IOException;
    }

    /**
     * What to write and print: {@code table} (--table) and {@code stats} (--stats) may be null;
     * {@code json} prints the --stats document instead of the table, {@code quiet} neither;
     * {@code sweep}: a row per dump and (gamma, alpha) pair (docs/commands.md#sweeps);
     * {@code heatmap}: the run's loss is a heatmap loss, whose columns name element kinds.
     */
    record Options(Path table, Path stats, boolean json, boolean quiet, boolean failFast, boolean progress,
                   boolean sweep, boolean heatmap) {
    }

    private final Options settings;
    private final DumpTable layout;
    private final CheckOptions checks;
    /** Writes the report of the rows (--report, --plots), or nothing when none is asked for. */
    private final Consumer<List<DumpTable.Row>> report;
    private final PrintWriter out;
    private final PrintWriter err;

    ManyDumps(Options settings, CheckOptions checks, Consumer<List<DumpTable.Row>> report, PrintWriter out,
              PrintWriter err) {
        this.settings = settings;
        layout = new DumpTable(settings.sweep(), settings.heatmap());
        this.checks = checks;
        this.report = report;
        this.out = out;
        this.err = err;
    }

    /**
     * Runs every dump and returns the exit code: the first failed dump's (3 for an unreadable
     * one), else 1 when a check failed, else 0.
     */
    int run(List<String> dumps, Evaluator evaluator) throws IOException {
        List<DumpTable.Row> rows = new ArrayList<>();
        List<JUnitReport.Case> cases = new ArrayList<>();
        int failure = 0;
        boolean passed = true;
        AtomicLong done = new AtomicLong();
        Progress progress = Progress.startDumps(settings.progress() && !settings.json() && !settings.quiet(),
                done::get, dumps.size());
        try {
            for (String dump : dumps) {
                try {
                    Outcome o = evaluator.evaluate(dump);
                    for (EvalSummary s : o.summaries()) {
                        rows.add(DumpTable.Row.of(dump, s));
                    }
                    for (EvalChecks c : o.checks()) {
                        cases.addAll(c.cases());
                        passed &= c.passed();
                    }
                } catch (FocalException e) {
                    rows.add(DumpTable.Row.failed(dump, e.getMessage()));
                    cases.add(JUnitReport.Case.error(dump, "focal.eval", e.getMessage()));
                    err.println("focal: " + e.getMessage());
                    err.flush();
                    failure = failure == 0 ? e.exitCode() : failure;
                    if (settings.failFast()) {
                        break;
                    }
                } finally {
                    done.incrementAndGet();
                }
            }
        } finally {
            if (progress != null) {
                progress.close();
            }
        }
        if (done.get() < dumps.size()) {
            err.println("focal: --fail-fast: stopped after dump " + done.get() + " of " + dumps.size());
            err.flush();
        }
        writeOutputs(rows, cases);
        return failure != 0 ? failure : passed ? 0 : FocalException.DIFFERENCES;
    }

    private void writeOutputs(List<DumpTable.Row> rows, List<JUnitReport.Case> cases) throws IOException {
        if (settings.table() != null) {
            layout.write(settings.table(), rows);
        }
        String stats = settings.stats() != null || settings.json() ? statsText(rows) : null;
        if (settings.stats() != null) {
            byte[] text = stats.getBytes(StandardCharsets.UTF_8);
            AtomicFile.write(settings.stats(), s -> s.write(text));
        }
        checks.writeReport(cases);
        report.accept(rows);
        if (settings.json()) {
            out.print(stats);
        } else if (!settings.quiet()) {
            layout.print(rows, out);
        }
        out.flush();
    }

    private String statsText(List<DumpTable.Row> rows) throws IOException {
        StringWriter w = new StringWriter();
        try (JsonGenerator g = JsonOutput.generator(w)) {
            layout.writeStats(rows, g);
        }
        return w + System.lineSeparator();
    }
}
