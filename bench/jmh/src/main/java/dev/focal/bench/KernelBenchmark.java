package dev.focal.bench;

import dev.focal.loss.EvalInputs;
import dev.focal.loss.FocalEvaluation;
import dev.focal.loss.Kernels;
import dev.focal.tensor.DType;
import dev.focal.tensor.Shape;
import dev.focal.tensor.Tensor;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The fused evaluation (kernel, statistics, per-element output) over 10M elements in memory, as
 * an anchor head lays them out: logits and targets (4, 833333, 3), weights (4, 833333), ~1%
 * positives. Scores are evaluations per second; multiply by 10M for elements per second.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 5, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(value = 1, jvmArgsAppend = {"--add-modules", "jdk.incubator.vector"})
public class KernelBenchmark {
    static final int B = 4;
    static final int A = 833_333;
    static final int C = 3;

    @Param({"vector", "polynomial", "scalar"})
    String kernel;

    @Param({"1", "2"})
    int threads;

    EvalInputs inputs;
    Tensor loss;
    Kernels lossKernel;

    @Setup
    public void setUp() {
        Random rnd = new Random(42);
        Tensor logits = Tensor.allocate(DType.FLOAT32, Shape.of(B, A, C));
        Tensor targets = Tensor.allocate(DType.FLOAT32, Shape.of(B, A, C));
        Tensor weights = Tensor.allocate(DType.FLOAT32, Shape.of(B, A));
        for (long a = 0; a < (long) B * A; a++) {
            int label = rnd.nextInt(100) == 0 ? 1 + rnd.nextInt(C) : 0;
            weights.setDouble(a, rnd.nextInt(33) == 0 ? 0 : 1.0 / 8000);
            for (int c = 0; c < C; c++) {
                logits.setDouble(a * C + c, -4.6 + rnd.nextGaussian() + (label == c + 1 ? 4 : 0));
                targets.setDouble(a * C + c, label == c + 1 ? 1 : 0);
            }
        }
        inputs = new EvalInputs(logits, "logits", targets, "targets", weights, "weights");
        loss = Tensor.allocate(DType.FLOAT32, logits.shape());
        lossKernel = Kernels.choose(true, kernel);
        if (kernel.equals("vector") && Kernels.vector() == null) {
            throw new IllegalStateException("run with --add-modules jdk.incubator.vector");
        }
    }

    @Benchmark
    @OperationsPerInvocation(1)
    public Object evaluate() {
        return new FocalEvaluation(inputs, 2.0, 0.25, 1.0, 0, lossKernel).run(loss, null, 0, threads);
    }
}
