package dev.focal.bench;

import dev.focal.loss.Kernels;
import dev.focal.loss.LossMath;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The loss kernel alone, as the fused evaluation calls it: blocks of 4,096 double elements
 * (logits, targets, weights in; loss and q^gamma out), 10M elements in all, the blocks cut into
 * one contiguous run per thread. No reading or rounding of float32 tensors, no summary figures,
 * no output: {@link KernelBenchmark} measures the whole pass. Scores are passes over the 10M
 * elements per second.
 *
 * <p>{@code resident=cache} cycles each thread through 2 blocks of its own, which stay in its
 * core's L2 cache as the pass's working arrays do; {@code resident=memory} gives every block its
 * own arrays, 400 MB of doubles, so memory bandwidth bounds it rather than the kernel.
 *
 * <p>{@code resident=float32} is the ceiling of a fused pass built on this kernel: float32
 * logits, targets and weights in memory (one weight per element), converted block by block into
 * each thread's two cached blocks, and the loss rounded back into a float32 array, with nothing
 * else: no change of layout, no summary figures, no tensor or output plumbing. The real pass
 * ({@link KernelBenchmark}) does all of that besides.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 5, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(value = 1, jvmArgsAppend = {"--add-modules", "jdk.incubator.vector", "-Xmx2g"})
public class LossKernelBenchmark {
    static final int BLOCK = 4096;
    static final int BLOCKS = (10_000_000 + BLOCK - 1) / BLOCK;
    /** 2 blocks of 5 arrays: 320 KB, inside a core's 512 KB L2. */
    static final int CACHED_BLOCKS = 2;

    @Param({"vector", "polynomial", "scalar"})
    String kernel;

    @Param({"1", "2"})
    int threads;

    @Param({"cache", "memory", "float32"})
    String resident;

    double[][] x;
    double[][] t;
    double[][] w;
    double[][] loss;
    double[][] focal;
    float[] x32;
    float[] t32;
    float[] w32;
    float[] loss32;
    LossMath lossKernel;
    /** Every block has arrays of its own (resident=memory). */
    boolean inMemory;
    /** The blocks are widened from, and the loss rounded to, the float32 arrays (resident=float32). */
    boolean fromFloat32;

    @Setup
    public void setUp() {
        inMemory = resident.equals("memory");
        fromFloat32 = resident.equals("float32");
        int distinct = inMemory ? BLOCKS : CACHED_BLOCKS * threads;
        x = new double[distinct][BLOCK];
        t = new double[distinct][BLOCK];
        w = new double[distinct][BLOCK];
        loss = new double[distinct][BLOCK];
        focal = new double[distinct][BLOCK];
        int n = (fromFloat32 ? BLOCKS : distinct) * BLOCK;
        if (fromFloat32) {
            x32 = new float[n];
            t32 = new float[n];
            w32 = new float[n];
            loss32 = new float[n];
        }
        // The anchor head's mix, as in KernelBenchmark: logits near the prior, ~1% positives,
        // ~3% ignored anchors. With float32 arrays, the blocks are filled from them in the pass.
        Random rnd = new Random(42);
        for (int i = 0; i < n; i++) {
            boolean positive = rnd.nextInt(100) == 0;
            double xi = -4.6 + rnd.nextGaussian() + (positive ? 4 : 0);
            double ti = positive ? 1 : 0;
            double wi = rnd.nextInt(33) == 0 ? 0 : 1.0 / 8000;
            if (fromFloat32) {
                x32[i] = (float) xi;
                t32[i] = (float) ti;
                w32[i] = (float) wi;
            } else {
                x[i / BLOCK][i % BLOCK] = xi;
                t[i / BLOCK][i % BLOCK] = ti;
                w[i / BLOCK][i % BLOCK] = wi;
            }
        }
        lossKernel = Kernels.choose(true, kernel).math();
        if (kernel.equals("vector") && Kernels.vector() == null) {
            throw new IllegalStateException("run with --add-modules jdk.incubator.vector");
        }
    }

    @Benchmark
    public double[][] evaluate() throws InterruptedException {
        Thread[] helpers = new Thread[threads - 1];
        for (int h = 0; h < helpers.length; h++) {
            int part = h + 1;
            helpers[h] = new Thread(() -> run(part));
            helpers[h].start();
        }
        run(0);
        for (Thread h : helpers) {
            h.join();
        }
        return loss;
    }

    private void run(int part) {
        int from = (int) ((long) BLOCKS * part / threads);
        int to = (int) ((long) BLOCKS * (part + 1) / threads);
        for (int b = from; b < to; b++) {
            int k = inMemory ? b : part * CACHED_BLOCKS + b % CACHED_BLOCKS;
            if (fromFloat32) {
                toDoubles(x32, b, x[k]);
                toDoubles(t32, b, t[k]);
                toDoubles(w32, b, w[k]);
            }
            lossKernel.evaluate(x[k], t[k], w[k], BLOCK, 2.0, 0.25, loss[k], focal[k]);
            if (fromFloat32) {
                toFloats(loss[k], loss32, b);
            }
        }
    }

    private static void toDoubles(float[] src, int block, double[] dst) {
        for (int i = 0, at = block * BLOCK; i < BLOCK; i++) {
            dst[i] = src[at + i];
        }
    }

    private static void toFloats(double[] src, float[] dst, int block) {
        for (int i = 0, at = block * BLOCK; i < BLOCK; i++) {
            dst[at + i] = (float) src[i];
        }
    }
}
