package dev.focal.cli;

import dev.focal.FocalException;
import dev.focal.io.StandardOutput;
import dev.focal.loss.Kernels;
import dev.focal.stats.AnchorBlock;
import dev.focal.stats.BlockSums;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintWriter;
import java.io.Writer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.Comparator;
import java.util.stream.Stream;

/**
 * Runs the common commands on the bundled samples once, output discarded, so that the launcher
 * can record the classes they load into its class-data-sharing archive (a static archive made
 * from {@code -XX:DumpLoadedClassList}, or an AOT cache on Java 25 and newer). An archive holds
 * only what its one recording run loaded; recording whatever the user happened to run first
 * would leave the other verbs and formats slow to start. Not a user command: {@code bin/focal}
 * calls it as {@code java -cp focal.jar dev.focal.cli.CdsTraining SAMPLES_DIR [--report]}.
 * <p>
 * With {@code --report} it also draws the samples' reports (a page of charts; a page and plots
 * with the BEV heatmaps of the anchor head's raw output), for the archive the launcher keeps for
 * runs with --report or --plots: the charting library's, AWT's and the fonts' classes, ~1,200,
 * which such a run would otherwise load and verify from the jar, and which in the common archive
 * would slow every other run's start (docs/internals.md#class-data-sharing-focal_cds).
 */
public final class CdsTraining {
    private CdsTraining() {
    }

    public static void main(String[] args) throws IOException {
        Path samples = Paths.get(args.length > 0 ? args[0] : "samples");
        boolean report = args.length > 1 && args[1].equals("--report");
        Path tmp = Files.createTempDirectory("focal-cds");
        try {
            String npz = samples.resolve("anchor_head.npz").toString();
            String dir = samples.resolve("anchor_head").toString();
            String json = samples.resolve("tiny.json").toString();
            String out = tmp.toString();
            run("eval", npz, "--class-names", "Car,Pedestrian,Cyclist", "--top", "5",
                    "--out", out + "/loss.npy", "--grad-out", out + "/grad.npy", "--stats", out + "/stats.json");
            run("eval", "--logits", dir + "/logits.npy", "--targets", dir + "/targets.npy",
                    "--weights", dir + "/weights.npy", "--out", out + "/loss2.npy", "--json");
            run("eval", "--logits", dir + "/cls_preds.npy", "--labels", dir + "/box_cls_labels.npy",
                    "--num-classes", "3", "--expect", out + "/loss.npy", "--junit", out + "/junit.xml");
            run("eval", json, "--out", out + "/loss.json", "--stats", out + "/stats2.json");
            run("compare", out + "/loss.npy", out + "/loss2.npy");
            run("inspect", npz, json);
            run("convert", npz + ":logits", out + "/logits.json");
            run("--help");
            runExpecting(FocalException.USAGE, "eval", "--no-such-option");
            if (report) {
                run("eval", json, "--report", out + "/charts.html");
                run("eval", "--logits", dir + "/cls_preds.npy", "--labels", dir + "/box_cls_labels.npy",
                        "--num-classes", "3", "--report", out + "/grid.html", "--plots", out + "/plots");
            }
            // The vector kernel's classes (when the module is loaded), which the small samples never reach.
            Kernels vector = Kernels.vector();
            if (vector != null) {
                double[] block = {-3, 0, 2, 40, -1e300, 0.5, 1, -2};
                vector.math().evaluate(block, block, block, block.length, 2, 0.25, new double[block.length],
                        new double[block.length]);
                AnchorBlock anchors = new AnchorBlock(2, 4, true);
                anchors.hold(4);
                vector.sums().sum(new BlockSums(2, 4), anchors, 0, 4);
                vector.transposer().toColumns(new float[24], 8, 3, new double[24]);
                vector.transposer().toRows(new double[24], 8, 3, new float[24]);
            }
        } finally {
            try (Stream<Path> files = Files.walk(tmp)) {
                files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
    }

    private static void run(String... args) {
        runExpecting(0, args);
    }

    /**
     * Fails the training (the launcher then runs without an archive) when a command does not end
     * as it should: a training that silently failed, say after a sample was renamed, would leave
     * every later run slow to start without anyone noticing.
     */
    private static void runExpecting(int exitCode, String... args) {
        int code = Main.run(args, new StandardOutput(OutputStream.nullOutputStream()),
                new PrintWriter(Writer.nullWriter()));
        if (code != exitCode) {
            throw new IllegalStateException("focal " + String.join(" ", args) + " exited with " + code
                    + ", expected " + exitCode);
        }
    }
}
