package dev.focal.cli;

import static dev.focal.cli.CommandModel.option;

import dev.focal.FocalException;
import dev.focal.cli.CommandModel.Arg;
import dev.focal.io.AtomicFile;
import dev.focal.report.Figure;
import dev.focal.report.Report;
import dev.focal.stats.EvalSummary;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import picocli.CommandLine.Model.CommandSpec;

/**
 * eval's --report and --plots: the figures of the summary as an HTML page and as SVG and PNG
 * files. Only {@link #write} touches the report package, so a run without these options never
 * loads it or the charting library.
 */
final class ReportOptions {
    /** The elements of largest loss that the report lists when --top does not say. */
    static final int REPORT_TOP = 20;

    final Arg<Path> report;
    final Arg<Path> plots;

    /** Adds the options to {@code spec}. */
    ReportOptions(CommandSpec spec) {
        report = option(spec, "--report", "FILE", Path.class, null,
                "Write an HTML report to FILE: the summary as charts and tables, one self-contained page"
                        + " (no script, nothing fetched) that prints on A4.");
        plots = option(spec, "--plots", "DIR", Path.class, null,
                "Write each chart of the report to DIR as NAME.svg and NAME.png.");
    }

    boolean wanted() {
        return report.get() != null || plots.get() != null;
    }

    /** The elements of largest loss the pass keeps: --top's, else the report's when there is one. */
    int passTop(int top) {
        return top == 0 && wanted() ? REPORT_TOP : top;
    }

    /** The summary the table and JSON show: without the elements only the report asked for. */
    static EvalSummary listed(EvalSummary summary, int top) {
        return top == 0 ? summary.withoutTop() : summary;
    }

    /** Starts loading the charting code beside the pass, when a report is asked for. */
    void prepare() {
        if (wanted()) {
            Thread t = new Thread(Report::warmUp, "focal-report-warm-up");
            t.setDaemon(true);
            t.start();
        }
    }

    void check() {
        if (report.get() != null) {
            AtomicFile.checkWritable(report.get());
        }
        if (plots.get() != null && Files.exists(plots.get()) && !Files.isDirectory(plots.get())) {
            throw FocalException.usage(plots.get() + ": is not a directory, expected one for --plots");
        }
    }

    /** Renders and writes the report and the plots, each file atomically. */
    void write(EvalSummary summary, String commandLine) {
        if (!wanted()) {
            return;
        }
        Report r = Report.of(summary, commandLine);
        if (plots.get() != null) {
            for (Figure f : r.figures()) {
                if (f.drawn()) {
                    byte[] svg = f.svg().orElseThrow().getBytes(StandardCharsets.UTF_8);
                    byte[] png = f.png().orElseThrow();
                    AtomicFile.write(plots.get().resolve(f.id() + ".svg"), s -> s.write(svg));
                    AtomicFile.write(plots.get().resolve(f.id() + ".png"), s -> s.write(png));
                }
            }
        }
        if (report.get() != null) {
            byte[] html = r.html().getBytes(StandardCharsets.UTF_8);
            AtomicFile.write(report.get(), s -> s.write(html));
        }
    }

    /**
     * The command line as a shell would take it back, each argument quoted unless it is plain;
     * {@code args} are all of focal's arguments, the verb's name among them.
     */
    static String commandLine(List<String> args) {
        StringBuilder b = new StringBuilder("focal");
        for (String a : args) {
            b.append(' ').append(a.matches("[A-Za-z0-9_./:=,+@%-]+") ? a : "'" + a.replace("'", "'\\''") + "'");
        }
        return b.toString();
    }
}
