package dev.focal.loss;

/**
 * Gets the vector kernel compiled on a side thread, and says when it is. Vector API code runs
 * hundreds of times slower than scalar code until the JIT's optimising compiler has compiled it,
 * which on two cores takes a good part of a second; handing it the data before then would stall
 * the whole evaluation. So the evaluation computes with the vector kernel's scalar twin
 * ({@link PolynomialMath}, bit-identical) until this thread has seen the vector kernel run at
 * compiled speed, and with the vector kernel from then on. Which kernel took which block never
 * shows in the results. Started before the command line is parsed, so the compiling overlaps
 * the single-threaded start-up.
 */
public final class WarmUp {
    private static final int ELEMENTS = 512;
    /** Compiled code takes ~4 ns an element here, the interpreter and C1's code 50 and more. */
    private static final long FAST_NANOS = 12L * ELEMENTS;
    /** Consecutive fast calls needed: one can be fast by luck, three cannot. */
    private static final int FAST_CALLS = 3;
    /** After this many calls the compilations are queued: slow calls then only steal a core. */
    private static final int EAGER_CALLS = 400;
    private static final long GIVE_UP_NANOS = 20_000_000_000L;
    private static volatile boolean ready;
    private static boolean started;

    private WarmUp() {
    }

    /** Starts compiling the vector kernel, once per JVM; nothing when its module is absent. */
    public static synchronized void start() {
        LossKernel vector = Kernels.vector();
        if (started || vector == null) {
            return;
        }
        started = true;
        Thread thread = new Thread(() -> heat(vector), "focal-warm-up");
        thread.setDaemon(true);
        thread.start();
    }

    /** Whether the vector kernel has been seen running at compiled speed. */
    static boolean vectorReady() {
        return ready;
    }

    private static void heat(LossKernel vector) {
        double[] x = new double[ELEMENTS];
        double[] t = new double[ELEMENTS];
        double[] w = new double[ELEMENTS];
        for (int i = 0; i < ELEMENTS; i++) {
            x[i] = (i % 97) * 0.1 - 6;
            t[i] = i % 53 == 0 ? 1 : 0;
            w[i] = i % 37 == 0 ? 0 : 0.01;
        }
        double[] loss = new double[ELEMENTS];
        double[] focal = new double[ELEMENTS];
        long start = System.nanoTime();
        int fast = 0;
        for (int calls = 1; fast < FAST_CALLS && System.nanoTime() - start < GIVE_UP_NANOS; calls++) {
            long t0 = System.nanoTime();
            vector.evaluate(x, t, w, ELEMENTS, 2, 0.25, loss, focal);
            fast = System.nanoTime() - t0 < FAST_NANOS ? fast + 1 : 0;
            if (calls > EAGER_CALLS && fast == 0) {
                try {
                    Thread.sleep(2);
                } catch (InterruptedException e) {
                    return;
                }
            }
        }
        ready = fast >= FAST_CALLS;
    }
}
