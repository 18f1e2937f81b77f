package dev.focal.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The JVM options bin/focal runs with, which the build writes from {@link JvmProfile}. */
class JvmProfileTest {
    /**
     * The JVM is told to be quiet about CompileCommand patterns, so a renamed class or method
     * would silently lose its tuning: every method a profile names must exist.
     */
    @Test
    void everyMethodAProfileNamesExists() throws Exception {
        Pattern method = Pattern.compile("-XX:CompileCommand=\\w+,(dev\\.focal\\.[\\w.$]+)::([\\w*]+)(,.*)?");
        List<String> named = new ArrayList<>();
        for (JvmProfile p : JvmProfile.values()) {
            for (String option : p.options()) {
                Matcher m = method.matcher(option);
                if (m.matches()) {
                    Class<?> c = Class.forName(m.group(1), false, getClass().getClassLoader());
                    String name = m.group(2);
                    assertTrue(name.equals("*") || Stream.of(c.getDeclaredMethods()).anyMatch(d -> d.getName().equals(name)),
                            option);
                    named.add(m.group(1) + "::" + name);
                }
            }
        }
        assertEquals(18, named.stream().distinct().count(),
                "the pass's fourteen patterns (two only with --top or a report, two of the heatmap losses), the"
                        + " accumulator's and block loop's, the vector kernel's two: " + named);
    }

    /** What each profile holds, as java reads it from the file the build writes. */
    @Test
    void theBuildWritesEachProfileOneOptionALine(@TempDir Path dir) throws Exception {
        JvmProfile.main(new String[] {dir.resolve("jvm").toString()});
        try (Stream<Path> files = Files.list(dir.resolve("jvm"))) {
            assertEquals(List.of("eval.args", "other.args", "small.args", "vector.args"),
                    files.map(f -> f.getFileName().toString()).sorted().toList());
        }
        List<String> small = Files.readAllLines(dir.resolve("jvm/small.args"), StandardCharsets.UTF_8);
        assertEquals(List.of("-XX:+UseSerialGC", "-XX:-UsePerfData", "-XX:TieredStopAtLevel=1",
                "-XX:CompileCommand=quiet", "-XX:CompileCommand=CompileThresholdScaling,dev.focal.loss.PolynomialMath::*,0.02"),
                small.subList(0, 5));
        assertEquals("-XX:CompileCommand=CompileThresholdScaling,dev.focal.loss.FocalEvaluation$Worker::block,0.02",
                small.get(small.size() - 1));
        assertEquals(4 + 16, small.size(), small.toString());
        assertEquals(List.of("-XX:+UseSerialGC", "-XX:-UsePerfData"), Files.readAllLines(dir.resolve("jvm/other.args")));
        List<String> eval = Files.readAllLines(dir.resolve("jvm/eval.args"));
        assertEquals(List.of("-XX:+UseSerialGC", "-XX:-UsePerfData", "-XX:Tier4BackEdgeThreshold=1000000000",
                "-XX:CompileCommand=quiet",
                "-Dfocal.warmScalar=true",
                "-XX:CompileCommand=CompileThresholdScaling,dev.focal.loss.PolynomialMath::*,0.03",
                "-XX:CompileCommand=BackgroundCompilation,dev.focal.loss.PolynomialMath::*,false",
                "-XX:CompileCommand=dontinline,dev.focal.loss.PolynomialMath::*"), eval.subList(0, 8));
        assertEquals(5 + 14 * 3, eval.size(), eval.toString());
        List<String> vector = Files.readAllLines(dir.resolve("jvm/vector.args"));
        assertEquals(List.of("-XX:+UseSerialGC", "-XX:-UsePerfData", "--add-modules", "jdk.incubator.vector",
                "-XX:Tier4BackEdgeThreshold=1000000000", "-XX:CompileCommand=quiet",
                "-XX:CompileCommand=CompileThresholdScaling,dev.focal.loss.vector.VectorKernel::*,0.01",
                "-XX:CompileCommand=CompileThresholdScaling,dev.focal.loss.vector.VectorTransposer::*,0.01"), vector);
    }
}
