package dev.focal.cli;

import static dev.focal.cli.CommandModel.option;

import dev.focal.FocalException;
import dev.focal.cli.CommandModel.Arg;
import dev.focal.io.AtomicFile;
import dev.focal.report.Dump;
import dev.focal.report.Figure;
import dev.focal.report.Report;
import dev.focal.stats.EvalSummary;
import dev.focal.stats.Grid;
import dev.focal.tensor.Shape;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
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

    /** The samples whose grid the report draws when --report-samples does not say. */
    static final int REPORT_SAMPLES = 4;
    /**
     * The cells the pass gathers for the heatmaps, at most (over the samples drawn, fewer samples
     * when needed): 16 bytes a cell (loss, positives, non-finite losses), twice (the ranges' parts, then their merge), stay small beside
     * a 256 MB heap, and past a 1448 x 1448 grid no page shows a cell anyway.
     */
    static final long MAX_CELLS = 1 << 21;

    final Arg<Path> report;
    final Arg<Path> plots;
    final Arg<String> grid;
    final Arg<Integer> samples;
    private final CommandSpec spec;

    /** Adds the options to {@code spec}. */
    ReportOptions(CommandSpec spec) {
        this.spec = spec;
        report = option(spec, "--report", "FILE", Path.class, null,
                "Write an HTML report to FILE: the summary as charts and tables, one self-contained page"
                        + " (no script, nothing fetched) that prints on A4.");
        plots = option(spec, "--plots", "DIR", Path.class, null,
                "Write each chart of the report to DIR as NAME.svg and NAME.png.");
        grid = option(spec, "--grid", "H,W", String.class, null, "The BEV grid of (B, H*W*K, C) logits, for the report's"
                + " heatmaps (the head's raw (B, H, W, K*C) output, and a heatmap loss's (B, H, W, C), give their own).");
        samples = option(spec, "--report-samples", "N", Integer.class, String.valueOf(REPORT_SAMPLES),
                "Draw the BEV heatmaps of the first N samples (default: ${DEFAULT-VALUE}).");
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

    /**
     * Starts loading the charting code beside the pass, when a report is asked for: the library
     * and its fonts, and with --plots Java2D's raster loops and the PNG writer too.
     */
    void prepare() {
        if (wanted()) {
            warmUp(Report::warmUp);
        }
        if (plots.get() != null) {
            warmUp(Report::warmUpPixels);
        }
    }

    /** Starts loading what the BEV heatmaps of {@code grid} draw with, unless {@link #prepare} has. */
    void prepareHeatmaps(Grid grid) {
        if (grid != null && plots.get() == null) {
            warmUp(Report::warmUpPixels);
        }
    }

    private static void warmUp(Runnable load) {
        Thread t = new Thread(load, "focal-report-warm-up");
        t.setDaemon(true);
        // It only loads code the drawing would load anyway: a failure there (the JVM exiting
        // under it after a short run) is no error of the run, and the drawing reports its own.
        t.setUncaughtExceptionHandler((thread, e) -> { });
        t.start();
    }

    void check() {
        for (String heatmapOption : new String[] {"--grid", "--report-samples"}) {
            // Without a report they would shape nothing: say so rather than drop them.
            if (!wanted() && spec.commandLine().getParseResult().hasMatchedOption(heatmapOption)) {
                throw FocalException.usage(heatmapOption + " shapes the report's BEV heatmaps; give --report FILE"
                        + " or --plots DIR with it");
            }
        }
        if (samples.get() < 1) {
            throw FocalException.usage("--report-samples must be 1 or more, not " + samples.get());
        }
        if (grid.get() != null) {
            gridSize();
        }
        if (report.get() != null) {
            AtomicFile.checkWritable(report.get());
        }
        if (plots.get() != null && Files.exists(plots.get()) && !Files.isDirectory(plots.get())) {
            throw FocalException.usage(plots.get() + ": is not a directory, expected one for --plots");
        }
    }

    /** --grid's H and W, each 1 or more. */
    private int[] gridSize() {
        String bad = "--grid takes H,W, two whole numbers of 1 or more, not '" + grid.get() + "'";
        if (!grid.get().matches("[0-9]{1,9},[0-9]{1,9}")) {
            throw FocalException.usage(bad);
        }
        String[] hw = grid.get().split(",");
        int[] size = {Integer.parseInt(hw[0]), Integer.parseInt(hw[1])};
        if (size[0] < 1 || size[1] < 1) {
            throw FocalException.usage(bad);
        }
        return size;
    }

    /**
     * The grid the report draws, or null: --grid's for (B, A, C) logits whose A is H*W*K, else
     * the logits' own: that of the head's raw (B, H, W, K*C) output, {@code raw} as read before
     * labels mode reshaped it to {@code shape}, or for a heatmap loss the (B, H, W, C) loss itself
     * (a (B, C, H, W) heatmap with --class-axis 1), one element of each class a cell. Gathered
     * for the first --report-samples samples.
     */
    Grid grid(Shape raw, Shape shape, boolean heatmapLoss) {
        if (!wanted()) {
            return null;
        }
        long[] own = heatmapLoss ? heatmapGrid(shape) : anchorHeadGrid(raw, shape);
        if (grid.get() == null) {
            return own != null && own[0] * own[1] <= MAX_CELLS ? grid(own[0], own[1], own[2], shape.dim(0)) : null;
        }
        int[] hw = gridSize();
        long cells = (long) hw[0] * hw[1];
        if (cells > MAX_CELLS) {
            throw FocalException.usage("--grid " + hw[0] + "," + hw[1] + " has " + cells + " cells; the report"
                    + " draws at most " + MAX_CELLS);
        }
        if (own != null && (own[0] != hw[0] || own[1] != hw[1])) {
            throw FocalException.usage("--grid " + hw[0] + "," + hw[1] + " disagrees with the logits' own grid "
                    + own[0] + "," + own[1] + " (shape " + (heatmapLoss ? shape + " with the classes last" : raw) + ")");
        }
        if (own != null) {
            return grid(hw[0], hw[1], own[2], shape.dim(0));
        }
        if (shape.rank() != 3 || shape.dim(1) % cells != 0 || shape.dim(1) == 0) {
            throw FocalException.usage("--grid " + hw[0] + "," + hw[1] + " needs (B, H*W*K, C) logits, whose"
                    + " anchors per sample are a multiple of " + cells + "; the logits have shape " + shape);
        }
        return grid(hw[0], hw[1], shape.dim(1) / cells, shape.dim(0));
    }

    /** H, W and K of the head's raw (B, H, W, K*C) output, reshaped to (B, H*W*K, C); else null. */
    private static long[] anchorHeadGrid(Shape raw, Shape shape) {
        boolean batched = shape.rank() == 3;
        long classes = batched ? shape.dim(2) : 0;
        boolean rawHead = batched && raw.rank() == 4 && raw.dim(0) == shape.dim(0) && classes > 0
                && raw.dim(3) >= classes && raw.dim(3) % classes == 0 && raw.dim(1) * raw.dim(2) > 0;
        return rawHead ? new long[] {raw.dim(1), raw.dim(2), raw.dim(3) / classes} : null;
    }

    /** H and W of a heatmap loss of shape (B, H, W, C), and K = 1; else null. */
    private static long[] heatmapGrid(Shape shape) {
        return shape.rank() == 4 && shape.dim(1) * shape.dim(2) > 0 ? new long[] {shape.dim(1), shape.dim(2), 1}
                : null;
    }

    private Grid grid(long height, long width, long anchorsPerCell, long batch) {
        long fit = MAX_CELLS / (height * width);
        return new Grid(Math.toIntExact(height), Math.toIntExact(width), Math.toIntExact(anchorsPerCell),
                (int) Math.min(Math.min(batch, samples.get()), fit));
    }

    /** Renders and writes the report of one evaluation and its plots, each file atomically. */
    void write(EvalSummary summary, String commandLine) {
        if (wanted()) {
            write(Report.of(summary, commandLine));
        }
    }

    /** The report of a many-dumps eval: the trend across its dumps (docs/commands.md#the-report). */
    void writeDumps(List<DumpTable.Row> rows, String commandLine) {
        if (wanted()) {
            List<Dump> dumps = new ArrayList<>();
            for (DumpTable.Row r : rows) {
                dumps.add(new Dump(r.file(), r.summary(), r.error()));
            }
            write(Report.ofDumps(dumps, commandLine));
        }
    }

    /** The report of a sweep: the heatmap of {@code grid}'s metric over the pairs (docs/commands.md#the-report). */
    void writeSweep(String input, SweepGrid grid, String metric, String commandLine) {
        if (wanted()) {
            write(Report.ofSweep(grid.report(input, metric), commandLine));
        }
    }

    /**
     * Refuses (exit 2) what shapes the BEV heatmaps, in a report that has none: that of a
     * sweep or of many dumps, {@code what}.
     */
    void refuseHeatmapOptions(String what) {
        for (String heatmapOption : new String[] {"--grid", "--report-samples"}) {
            if (wanted() && spec.commandLine().getParseResult().hasMatchedOption(heatmapOption)) {
                throw FocalException.usage(heatmapOption + " shapes the report's BEV heatmaps, which the report of "
                        + what + " does not draw");
            }
        }
    }

    private void write(Report r) {
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
