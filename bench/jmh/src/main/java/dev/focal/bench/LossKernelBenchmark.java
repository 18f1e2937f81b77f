package dev.focal.bench;

import dev.focal.loss.Kernels;
import dev.focal.loss.LossKernel;
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

    @Param({"cache", "memory"})
    String resident;

    double[][] x;
    double[][] t;
    double[][] w;
    double[][] loss;
    double[][] focal;
    LossKernel lossKernel;

    @Setup
    public void setUp() {
        // The anchor head's mix, as in KernelBenchmark: logits near the prior, ~1% positives,
        // ~3% ignored anchors.
        Random rnd = new Random(42);
        int distinct = resident.equals("cache") ? CACHED_BLOCKS * threads : BLOCKS;
        x = new double[distinct][BLOCK];
        t = new double[distinct][BLOCK];
        w = new double[distinct][BLOCK];
        loss = new double[distinct][BLOCK];
        focal = new double[distinct][BLOCK];
        for (int b = 0; b < distinct; b++) {
            for (int i = 0; i < BLOCK; i++) {
                boolean positive = rnd.nextInt(100) == 0;
                x[b][i] = -4.6 + rnd.nextGaussian() + (positive ? 4 : 0);
                t[b][i] = positive ? 1 : 0;
                w[b][i] = rnd.nextInt(33) == 0 ? 0 : 1.0 / 8000;
            }
        }
        lossKernel = kernel.equals("vector") ? Kernels.vector()
                : kernel.equals("polynomial") ? LossKernel.POLYNOMIAL : LossKernel.SCALAR;
        if (lossKernel == null) {
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
        boolean cached = resident.equals("cache");
        for (int b = from; b < to; b++) {
            int k = cached ? part * CACHED_BLOCKS + b % CACHED_BLOCKS : b;
            lossKernel.evaluate(x[k], t[k], w[k], BLOCK, 2.0, 0.25, loss[k], focal[k]);
        }
    }
}
