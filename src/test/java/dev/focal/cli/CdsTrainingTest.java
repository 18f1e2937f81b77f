package dev.focal.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The launcher's class-data-sharing training run (bin/focal's record_jsa and record_aot): every
 * command it runs on the bundled samples ends as expected (it throws otherwise, and the launcher
 * would then run without an archive), it loads the classes of every verb, format and output that
 * the archive is meant to hold, and it leaves no temporary files behind. Run as bin/focal runs
 * it, in a JVM of its own writing the class list that the archive is dumped from: only there is
 * what the training loaded not mixed with what the other tests loaded. With --report it records
 * the archive of runs that draw a report, which holds the charting code as well.
 */
@Tag("process")
class CdsTrainingTest {
    /**
     * One class per path a user's first commands take (a verb, a tensor format, labels mode, an
     * output, --help), and the libraries' entry points: missing from the list, that path would
     * start as slowly as without an archive.
     */
    private static final List<String> MUST_HOLD = List.of(
            "dev/focal/cli/Main", "dev/focal/cli/EvalCommand", "dev/focal/cli/CompareCommand",
            "dev/focal/cli/InspectCommand", "dev/focal/cli/ConvertCommand", "dev/focal/cli/HelpFormat",
            "dev/focal/io/npy/NpyFormat", "dev/focal/io/npy/NpzFormat", "dev/focal/io/json/JsonFormat",
            "dev/focal/head/LabelTargets", "dev/focal/loss/FocalEvaluation", "dev/focal/io/AtomicFile",
            "dev/focal/cli/SummaryTable", "dev/focal/cli/SummaryJson", "dev/focal/compare/TensorComparison",
            "dev/focal/compare/JUnitReport", "picocli/CommandLine", "com/fasterxml/jackson/core/JsonFactory",
            "com/fasterxml/jackson/databind/ObjectMapper");

    /**
     * What a report draws with: the report package, the charting library and its SVG output, the
     * heatmaps' PNG encoder and AWT's fonts. Only the report's archive holds them.
     */
    private static final List<String> REPORT_HOLDS = List.of("dev/focal/report/Report", "dev/focal/report/Heatmap",
            "org/jfree/chart/JFreeChart", "org/jfree/svg/SVGGraphics2D", "javax/imageio/ImageIO",
            "sun/font/SunFontManager");

    @Test
    void loadsEveryVerbsFormatsAndOutputsClassesAndCleansUp(@TempDir Path tmp) throws Exception {
        Set<String> listed = train(tmp);
        assertEquals(List.of(), MUST_HOLD.stream().filter(c -> !listed.contains(c)).collect(Collectors.toList()),
                "classes the training does not load");
        assertEquals(REPORT_HOLDS, REPORT_HOLDS.stream().filter(c -> !listed.contains(c)).collect(Collectors.toList()),
                "a report's classes, left out of the common archive");
    }

    @Test
    void withReportItAlsoLoadsWhatAReportDrawsWith(@TempDir Path tmp) throws Exception {
        Set<String> listed = train(tmp, "--report");
        List<String> all = new ArrayList<>(MUST_HOLD);
        all.addAll(REPORT_HOLDS);
        assertEquals(List.of(), all.stream().filter(c -> !listed.contains(c)).collect(Collectors.toList()),
                "classes the training does not load");
    }

    /** Runs the training as the launcher does; returns the classes it loaded. */
    private static Set<String> train(Path tmp, String... more) throws Exception {
        Path classList = tmp.resolve("focal.classes");
        Path tmpdir = Files.createDirectory(tmp.resolve("tmpdir"));
        List<String> cmd = new ArrayList<>(ChildJvm.javaCommand(List.of("-XX:DumpLoadedClassList=" + classList,
                "-Djava.io.tmpdir=" + tmpdir), CdsTraining.class));
        cmd.add("samples");
        cmd.addAll(List.of(more));
        ChildJvm.Result r = ChildJvm.exec(cmd);
        assertEquals(0, r.code, r.toString());
        assertEquals("", r.out);
        assertEquals("", r.err);
        try (Stream<Path> left = Files.list(tmpdir)) {
            assertEquals(List.of(), left.collect(Collectors.toList()), "the training's temporary directory is removed");
        }
        // A line per class: its name, then (for some) " id: N" and more.
        try (Stream<String> lines = Files.lines(classList)) {
            return lines.map(l -> l.split(" ", 2)[0]).collect(Collectors.toCollection(TreeSet::new));
        }
    }
}
