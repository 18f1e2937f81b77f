package dev.focal.cli;

import static dev.focal.cli.NpyFiles.NPY;
import static dev.focal.cli.NpyFiles.writeF4;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Guarantee: the same input gives the same bytes (docs/guarantees.md): outputs and summaries are
 * byte-identical across runs, threads, processes and JIT states.
 */
class DeterminismTest {
    @TempDir
    Path tmp;

    @Test
    @Tag("process")
    void evalOutputsAreIdenticalAcrossRunsThreadsAndProcesses() throws Exception {
        // 3 x 50000 x 3 = 450000 elements: several ranges, so the threads really share the work
        long b = 3;
        long a = 50_000;
        long c = 3;
        Path logits = tmp.resolve("logits.npy");
        Path targets = tmp.resolve("targets.npy");
        Path weights = tmp.resolve("weights.npy");
        java.util.Random rnd = new java.util.Random(7);
        float[] x = new float[(int) (b * a * c)];
        for (int i = 0; i < x.length; i++) {
            x[i] = i % 4999 == 0 ? Float.NaN : (float) (rnd.nextGaussian() * 3 - 4);
        }
        writeF4(logits, x.length, i -> Float.floatToRawIntBits(x[(int) i]), b, a, c);
        writeF4(targets, x.length, i -> Float.floatToRawIntBits(i % 211 == 0 ? 1f : 0f), b, a, c);
        writeF4(weights, b * a, i -> Float.floatToRawIntBits(i % 17 == 0 ? 0f : 1f), b, a);
        Map<String, byte[]> first = null;
        String firstWhere = null;
        // label, --threads, JVM flag of a child JVM ("" to run in-process), its environment. The
        // interpreter and C1 compute NaN with other signs than C2 or vector code: the outputs
        // must not show it. Neither may the kernel forced for every block (the vector kernel
        // interpreted at first, or its scalar twin), nor forcing the outputs to disk.
        String[][] runs = {{"in-process", "1", "", ""}, {"in-process again", "1", "", ""},
            {"in-process", "2", "", ""}, {"in-process", "5", "", ""}, {"child JVM", "1", "-Xint", ""},
            {"child JVM", "3", "-XX:TieredStopAtLevel=1", ""},
            {"child JVM", "2", "--add-modules=jdk.incubator.vector", "FOCAL_KERNEL=vector"},
            {"child JVM", "2", "-XX:TieredStopAtLevel=1", "FOCAL_KERNEL=polynomial FOCAL_FSYNC=1"}};
        for (String[] run : runs) {
            String where = run[0] + " " + run[3] + " " + run[2] + " --threads " + run[1];
            Path dir = Files.createDirectory(tmp.resolve(where.replaceAll("[^A-Za-z0-9]+", "_")));
            List<String> common = new ArrayList<>(List.of("eval", "--logits", logits.toString(),
                    "--targets", targets.toString(), "--weights", weights.toString(), "--threads", run[1],
                    "--top", "7", "--class-names", "Car,Pedestrian,Cyclist",
                    "--out", dir.resolve("loss.npy").toString(), "--grad-out", dir.resolve("grad.npy").toString(),
                    "--stats", dir.resolve("stats.json").toString()));
            Map<String, byte[]> got = new LinkedHashMap<>();
            for (boolean json : run[2].isEmpty() ? new boolean[] {false, true} : new boolean[] {true}) {
                List<String> args = new ArrayList<>(common);
                if (json) {
                    args.add("--json");
                }
                String out;
                if (!run[2].isEmpty()) {
                    List<String> env = new ArrayList<>(List.of("env"));
                    env.addAll(Arrays.asList(run[3].split(" ")));
                    ChildJvm.Result r = ChildJvm.run(run[3].isEmpty() ? List.of() : env, List.of(run[2]),
                            args.toArray(new String[0]));
                    assertEquals(0, r.code, r.toString());
                    out = r.out;
                } else {
                    Cli r = Cli.run(args.toArray(new String[0]));
                    assertEquals(0, r.code, r.toString());
                    out = r.out;
                }
                got.put(json ? "stdout --json" : "stdout table", out.replace(dir.toString(), "DIR")
                        .getBytes(StandardCharsets.UTF_8));
            }
            got.put("loss.npy", Files.readAllBytes(dir.resolve("loss.npy")));
            got.put("grad.npy", Files.readAllBytes(dir.resolve("grad.npy")));
            got.put("stats.json", Files.readString(dir.resolve("stats.json")).replace(dir.toString(), "DIR")
                    .getBytes(StandardCharsets.UTF_8));
            if (first == null) {
                first = got;
                firstWhere = where;
                continue;
            }
            for (String k : got.keySet()) {
                assertArrayEquals(first.get(k), got.get(k), k + ": " + where + " differs from " + firstWhere);
            }
        }
    }

    @Test
    void convertAndInspectAreIdenticalAcrossRuns() throws IOException {
        for (String name : List.of("f_big_endian_f8.npy", "f_float16.npy", "be_uint64.npy", "scalar_bool.npy")) {
            String in = NPY.resolve(name).toString();
            byte[] npy = null;
            byte[] json = null;
            String table = null;
            for (int run = 0; run < 2; run++) {
                Path outNpy = tmp.resolve(run + name);
                Path outJson = tmp.resolve(run + name + ".json");
                assertEquals(0, Cli.run("convert", in, outNpy.toString()).code);
                assertEquals(0, Cli.run("convert", in, outJson.toString()).code);
                Cli i = Cli.run("inspect", "--json", in, outNpy.toString().replace(run + name, "0" + name));
                assertEquals(0, i.code, i.toString());
                if (run == 0) {
                    npy = Files.readAllBytes(outNpy);
                    json = Files.readAllBytes(outJson);
                    table = i.out;
                } else {
                    assertArrayEquals(npy, Files.readAllBytes(outNpy), name);
                    assertArrayEquals(json, Files.readAllBytes(outJson), name);
                    assertEquals(table, i.out, name);
                }
            }
        }
    }
}
