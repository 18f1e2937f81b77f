package dev.focal.loss;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * The proof of docs/accuracy.md#the-proof, not a test: focal's float32 loss, as the pass writes it
 * (each kernel's doubles, then {@link Float32Rounding#toRows}), against a reference that decides
 * every element's correctly rounded float32 on its own. Run it with
 * {@code tools/rounding/prove.sh exhaustive|sample THREADS OUT_DIR [STRIDE]}.
 *
 * <p>exhaustive: every float32 bit pattern as the logit, t = 0 and t = 1, gamma 2, alpha 0.25,
 * w 1, with the vector and the scalar kernel (the polynomial one gives the vector one's bits,
 * VectorKernelTest). sample: gamma 0, 0.5, 1, 2 and alpha 0.25, 0.5 (but the exhaustive pair),
 * t = 0 and 1, the same number of random logits in every binade of either sign, subnormals
 * included, with all three kernels. A STRIDE runs every STRIDE-th chunk only: an estimate of the
 * time, not a proof.
 *
 * <p>The reference, independent of focal's code: the loss in double with StrictMath's exp, log1p
 * and pow (fdlibm, each within an ulp), whose relative error is below 20 units of 2^-53 for hard
 * targets and the gammas here, taken as 64; where a float32 midpoint lies within that bound of
 * it, the large side's closed form (the exact loss is P (1 + rho), P = a |x|, rho of the sign of
 * 1/|x| - gamma and below 2^-40 (gamma + 2)); what neither decides goes to mpmath (decide.py) at
 * the end. The work is cut into chunks handed to THREADS threads, and the results are merged in
 * chunk order: the output does not depend on the thread count. OUT_DIR receives hard.tsv (the
 * elements mpmath decided) and cases.tsv (the fixture's candidates: a few of each path in every
 * binade).
 */
public class RoundingProof {
    static final int CHUNK = 1 << 22;
    static final double REFERENCE_BOUND = 64 * 0x1p-53;
    static final int HARD = -1;
    static final int CLOSED = -2;
    static final int BLOCK = 4096;
    static final int SAMPLE_PER_BINADE = 15_000;
    static final int FIXTURE_PER_BINADE = 1;

    record Params(double gamma, double alpha, double t) {
    }

    /** Logits base .. base + count - 1 as bit patterns, or count random ones of a binade (seeded). */
    record Task(Params params, long base, int count, long seed, String what) {
        int[] logits() {
            int[] bits = new int[count];
            SplittableRandom rnd = seed == 0 ? null : new SplittableRandom(seed);
            for (int i = 0; i < count; i++) {
                bits[i] = rnd == null ? (int) (base + i) : (int) base | rnd.nextInt(1 << 23);
            }
            return bits;
        }
    }

    /** One chunk's outcome. */
    static final class Result {
        long elements;
        long nonFinite;
        long closedForm;
        final long[] misrounded;
        List<String> firstMisrounded = new ArrayList<>();
        List<String> hard = new ArrayList<>();
        List<String> cases = new ArrayList<>();

        Result(int kernels) {
            misrounded = new long[kernels];
        }

        void add(Result r) {
            elements += r.elements;
            nonFinite += r.nonFinite;
            closedForm += r.closedForm;
            for (int k = 0; k < misrounded.length; k++) {
                misrounded[k] += r.misrounded[k];
            }
            if (firstMisrounded.size() < 20) {
                firstMisrounded.addAll(r.firstMisrounded.subList(0, Math.min(r.firstMisrounded.size(), 20)));
            }
            hard.addAll(r.hard);
            cases.addAll(r.cases);
        }
    }

    public static void main(String[] args) throws Exception {
        String mode = args[0];
        int threads = Integer.parseInt(args[1]);
        Path out = Path.of(args[2]);
        Files.createDirectories(out);
        long start = System.nanoTime();
        List<Task> all = mode.equals("exhaustive") ? exhaustive() : sample();
        // An optional stride runs every stride-th chunk only: an estimate of the time, not a proof.
        int stride = args.length > 3 ? Integer.parseInt(args[3]) : 1;
        List<Task> tasks = new ArrayList<>();
        for (int i = 0; i < all.size(); i += stride) {
            tasks.add(all.get(i));
        }
        Kernels[] kernels = mode.equals("exhaustive") ? new Kernels[] {Kernels.vector(), Kernels.scalar()}
                : new Kernels[] {Kernels.vector(), Kernels.polynomial(), Kernels.scalar()};
        if (kernels[0] == null) {
            throw new IllegalStateException("run with --add-modules jdk.incubator.vector");
        }
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        List<Future<Result>> futures = new ArrayList<>();
        for (Task task : tasks) {
            futures.add(pool.submit(() -> run(task, kernels)));
        }
        Result total = new Result(kernels.length);
        int done = 0;
        for (Future<Result> f : futures) {
            total.add(f.get());
            if (++done % 64 == 0) {
                System.err.printf(Locale.ROOT, "%d/%d chunks, %.0f s%n", done, tasks.size(),
                        (System.nanoTime() - start) / 1e9);
            }
        }
        pool.shutdown();
        Files.write(out.resolve("hard.tsv"), total.hard, StandardCharsets.UTF_8);
        Files.write(out.resolve("cases.tsv"), total.cases, StandardCharsets.UTF_8);
        long hardMisrounded = decideHard(out, total.hard, kernels);
        double seconds = (System.nanoTime() - start) / 1e9;
        try (PrintWriter w = new PrintWriter(System.out, true, StandardCharsets.UTF_8)) {
            w.printf(Locale.ROOT, "mode %s, %d threads, %.0f s%n", mode, threads, seconds);
            w.printf(Locale.ROOT, "elements %d (non-finite logits %d), decided by the closed form %d, by mpmath %d%n",
                    total.elements, total.nonFinite, total.closedForm, total.hard.size());
            for (int k = 0; k < kernels.length; k++) {
                w.printf(Locale.ROOT, "kernel %-22s misrounded %d%n", kernels[k], total.misrounded[k]);
            }
            w.printf(Locale.ROOT, "misrounded among the mpmath-decided elements (all kernels) %d%n", hardMisrounded);
            total.firstMisrounded.forEach(w::println);
        }
    }

    static List<Task> exhaustive() {
        List<Task> tasks = new ArrayList<>();
        for (double t : new double[] {0, 1}) {
            for (long base = 0; base < 1L << 32; base += CHUNK) {
                tasks.add(new Task(new Params(2, 0.25, t), base, CHUNK, 0, "exhaustive"));
            }
        }
        return tasks;
    }

    /** SAMPLE_PER_BINADE logits in each of the 2 x 255 finite binades, per parameter set. */
    static List<Task> sample() {
        List<Task> tasks = new ArrayList<>();
        for (double gamma : new double[] {0, 0.5, 1, 2}) {
            for (double alpha : new double[] {0.25, 0.5}) {
                if (gamma == 2 && alpha == 0.25) {
                    continue;
                }
                for (double t : new double[] {0, 1}) {
                    Params params = new Params(gamma, alpha, t);
                    for (long binade = 0; binade < 510; binade++) {
                        long seed = 1 + tasks.size();
                        long base = (binade / 255) << 31 | (binade % 255) << 23;
                        tasks.add(new Task(params, base, SAMPLE_PER_BINADE, seed, "sample"));
                    }
                }
            }
        }
        return tasks;
    }

    static Result run(Task task, Kernels[] kernels) {
        int[] bitsOf = task.logits();
        int n = bitsOf.length;
        Params p = task.params;
        long slack = Float32Rounding.slackUlps(p.gamma);
        double[] xs = new double[BLOCK];
        double[] ts = new double[BLOCK];
        double[] ws = new double[BLOCK];
        double[] loss = new double[BLOCK];
        double[] focalFactor = new double[BLOCK];
        float[] rows = new float[BLOCK];
        Arrays.fill(ts, p.t);
        Arrays.fill(ws, 1);
        float[][] focal = new float[kernels.length][n];
        for (int from = 0; from < n; from += BLOCK) {
            int m = Math.min(BLOCK, n - from);
            for (int i = 0; i < m; i++) {
                xs[i] = Float.intBitsToFloat(bitsOf[from + i]);
            }
            for (int k = 0; k < kernels.length; k++) {
                kernels[k].math().evaluate(xs, ts, ws, m, p.gamma, p.alpha, loss, focalFactor);
                Float32Rounding.toRows(loss, xs, ts, ws, m, 1, p.gamma, p.alpha, 1, slack, rows);
                System.arraycopy(rows, 0, focal[k], from, m);
            }
        }
        Result r = new Result(kernels.length);
        r.elements = n;
        int[] casesInBinade = new int[512];
        for (int i = 0; i < n; i++) {
            int bits = bitsOf[i];
            float x = Float.intBitsToFloat(bits);
            int expected;
            if (!Float.isFinite(x)) {
                r.nonFinite++;
                // docs/semantics.md#non-finite-values: NaN but at x = -inf with t > 0, where a q^gamma w > 0.
                float value = x == Float.NEGATIVE_INFINITY && p.t > 0 ? Float.POSITIVE_INFINITY : Float.NaN;
                for (int k = 0; k < kernels.length; k++) {
                    boolean same = Float.isNaN(value) ? Float.isNaN(focal[k][i]) : focal[k][i] == value;
                    if (!same) {
                        misrounded(r, kernels[k], k, task, x, focal[k][i], "non-finite expected " + value);
                    }
                }
                continue;
            }
            expected = reference(x, p.t, p.gamma, p.alpha);
            String path = "fast";
            if (expected == CLOSED) {
                r.closedForm++;
                expected = closedForm(x, p.t, p.gamma, p.alpha);
                path = "closed";
            }
            int binade = bits >>> 23;
            if (expected == HARD) {
                StringBuilder line = new StringBuilder(String.format(Locale.ROOT, "%08x\t%s\t%s\t%s\t1.0",
                        bits, p.t, p.gamma, p.alpha));
                for (int k = 0; k < kernels.length; k++) {
                    line.append('\t').append(String.format("%08x", Float.floatToRawIntBits(focal[k][i])));
                }
                r.hard.add(line.toString());
                continue;
            }
            if (casesInBinade[binade] < FIXTURE_PER_BINADE || path.equals("closed") && casesInBinade[binade] < 2) {
                casesInBinade[binade]++;
                r.cases.add(String.format(Locale.ROOT, "%08x\t%s\t%s\t%s\t1.0\t%s", bits, p.t, p.gamma, p.alpha,
                        path));
            }
            for (int k = 0; k < kernels.length; k++) {
                if (Float.floatToRawIntBits(focal[k][i]) != expected) {
                    misrounded(r, kernels[k], k, task, x, focal[k][i], "expected " + Float.intBitsToFloat(expected));
                }
            }
        }
        return r;
    }

    static void misrounded(Result r, Kernels kernel, int k, Task task, float x, float got, String why) {
        r.misrounded[k]++;
        if (r.firstMisrounded.size() < 20) {
            r.firstMisrounded.add(String.format(Locale.ROOT, "%s x=%s (%08x) %s: %s got %s, %s", task.what, x,
                    Float.floatToRawIntBits(x), task.params, kernel, got, why));
        }
    }

    /**
     * The reference's double evaluation: the bits of the correctly rounded float32 when a
     * relative error of REFERENCE_BOUND cannot reach a midpoint, else CLOSED.
     */
    static int reference(double x, double t, double gamma, double alpha) {
        double y = Math.abs(x);
        double e = StrictMath.exp(-y);
        // The side where q = 1 / (1 + e) and bce = |x| + log1p(e): x >= 0 for t = 0, x < 0 for t = 1.
        boolean large = t == 0 ? x >= 0 : x < 0;
        double q = large ? 1 / (1 + e) : e / (1 + e);
        double qg = gamma == 0 ? 1 : gamma == 1 ? q : gamma == 2 ? q * q : StrictMath.pow(q, gamma);
        double bce = (large ? y : 0) + StrictMath.log1p(e);
        double a = t == 0 ? 1 - alpha : alpha;
        double loss = a * qg * bce;
        double magnitude = Math.abs(loss);
        if (gap(magnitude) > magnitude * REFERENCE_BOUND * (1 + 0x1p-20) + 0x1p-1000) {
            return Float.floatToRawIntBits((float) loss);
        }
        return CLOSED;
    }

    /**
     * The large side at E = exp(-|x|) <= 2^-40: the exact loss is P (1 + rho) with P = a |x| and
     * rho = (1 + log1p(E)/|x|) (1 + E)^-gamma - 1 = E c + r, c = 1/|x| - gamma, |r| <= E^2
     * (gamma^2 + 2 gamma + 2). With |c| above twice E (gamma^2 + 2 gamma + 2) (and the rounding
     * of c) and gamma <= 16, rho has c's sign and |rho| <= 2^-40 (gamma + 2). HARD where that
     * does not decide.
     */
    static int closedForm(double x, double t, double gamma, double alpha) {
        boolean large = t == 0 ? x >= 0 : x < 0;
        double y = Math.abs(x);
        double c = 1 / y - gamma;
        // An upper bound of E (StrictMath.exp is within an ulp), and c's sign against E's square.
        double e = StrictMath.exp(-y) * (1 + 0x1p-50);
        double square = 2 * e * (gamma * gamma + 2 * gamma + 2) + 0x1p-50 * (1 / y + gamma);
        if (!large || e > 0x1p-40 || gamma > 16 || !(Math.abs(c) > square)) {
            return HARD;
        }
        double a = t == 0 ? 1 - alpha : alpha;
        double p = a * y;
        if (Math.fma(a, y, -p) != 0) {
            return HARD;
        }
        double rho = 0x1p-40 * (gamma + 2);
        float f = (float) p;
        double g = gap(p);
        if (g == 0) {
            float lower = f < p ? f : Math.nextDown(f);
            return Float.floatToRawIntBits(c > 0 ? Math.nextUp(lower) : lower);
        }
        return g > 2 * rho * p ? Float.floatToRawIntBits(f) : HARD;
    }

    /** Distance from a >= 0 to the nearest float32 midpoint (2^128 - 2^103 the last). */
    static double gap(double a) {
        float f = (float) a;
        if (Float.isInfinite(f)) {
            return a - ((double) Float.MAX_VALUE + 0x1p103);
        }
        double above = (double) f + Math.ulp(f) / 2.0;
        double below = f == 0 ? Double.NEGATIVE_INFINITY : (double) f - Math.ulp(Math.nextDown(f)) / 2.0;
        return Math.min(above - a, a - below);
    }

    /** Has mpmath decide the hard elements; returns how many of focal's floats (any kernel) differ. */
    static long decideHard(Path out, List<String> hard, Kernels[] kernels) throws IOException,
            InterruptedException {
        if (hard.isEmpty()) {
            return 0;
        }
        Path decided = out.resolve("hard_decided.tsv");
        Process p = new ProcessBuilder("/usr/bin/python3", "tools/rounding/decide.py", out.resolve("hard.tsv").toString(),
                decided.toString()).inheritIO().start();
        if (p.waitFor() != 0) {
            throw new IllegalStateException("decide.py failed");
        }
        List<String> lines = Files.readAllLines(decided);
        long wrong = 0;
        for (int i = 0; i < hard.size(); i++) {
            String[] h = hard.get(i).split("\t");
            String expected = lines.get(i).split("\t")[5];
            for (int k = 0; k < kernels.length; k++) {
                if (!h[5 + k].equals(expected)) {
                    wrong++;
                    System.out.println("misrounded (mpmath): " + hard.get(i) + " expected " + expected + " kernel "
                            + kernels[k]);
                }
            }
        }
        return wrong;
    }
}
