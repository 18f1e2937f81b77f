package dev.focal.cli;

import java.io.FileOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.function.LongSupplier;

/**
 * One line on the terminal while a long evaluation runs (elements done, rate, time left), erased
 * when it ends. Drawn only for runs expected to take over {@link #EXPECTED_NANOS}, and only when
 * the launcher saw that stderr is a terminal ({@link Settings#progress}); never with --json or
 * --quiet. It goes to {@code /dev/tty}, the terminal itself, because the launcher may pass stderr
 * through a filter that holds a line until its newline. No colour, so NO_COLOR has nothing to turn off.
 */
final class Progress implements AutoCloseable {
    /** Runs expected to be shorter than this get no line: it would only flicker. */
    static final long EXPECTED_NANOS = 2_000_000_000L;
    /** The first estimate waits this long: the JIT's first second is no guide to the rest. */
    private static final long FIRST_LOOK_NANOS = 500_000_000L;
    private static final long TICK_MILLIS = 250;

    /** The line drawn for {@code done} of {@code total} units, {@code elapsed} ns into the work. */
    interface Line {
        String of(long elapsed, long done, long total);
    }

    private final OutputStream tty;
    private final Line line;
    private final LongSupplier done;
    private final long total;
    private final long start = System.nanoTime();
    private final Thread ticker;
    private volatile boolean drawn;

    private Progress(OutputStream tty, Line line, LongSupplier done, long total) {
        this.tty = tty;
        this.line = line;
        this.done = done;
        this.total = total;
        ticker = new Thread(this::tick, "focal-progress");
        ticker.setDaemon(true);
        ticker.start();
    }

    /** A progress line for {@code total} elements, or null when none is wanted or the terminal cannot be opened. */
    static Progress start(boolean wanted, LongSupplier done, long total) {
        return start(wanted, Progress::line, done, total);
    }

    /** A progress line over the dumps of a many-dumps eval, or null as for {@link #start(boolean, LongSupplier, long)}. */
    static Progress startDumps(boolean wanted, LongSupplier done, long total) {
        return start(wanted, Progress::dumpsLine, done, total);
    }

    private static Progress start(boolean wanted, Line line, LongSupplier done, long total) {
        if (!wanted || total == 0) {
            return null;
        }
        try {
            return new Progress(new FileOutputStream("/dev/tty"), line, done, total);
        } catch (IOException | SecurityException e) {
            return null;
        }
    }

    private void tick() {
        try {
            while (!Thread.currentThread().isInterrupted()) {
                Thread.sleep(TICK_MILLIS);
                long elapsed = System.nanoTime() - start;
                long d = done.getAsLong();
                if (drawn || shouldDraw(elapsed, d, total)) {
                    write("\r" + line.of(elapsed, d, total) + "\u001b[K");
                    drawn = true;
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Whether a run {@code elapsed} into its work, {@code done} of {@code total} elements, is worth a line. */
    static boolean shouldDraw(long elapsed, long done, long total) {
        if (elapsed < FIRST_LOOK_NANOS) {
            return false;
        }
        // No element done yet after half a second: the run is slow enough.
        return done == 0 || (double) elapsed * total / done > EXPECTED_NANOS;
    }

    /** {@code focal: 12,000,000 of 200,000,000 elements (6%), 95.1 M/s, 2 s left}. */
    static String line(long elapsed, long done, long total) {
        double seconds = elapsed / 1e9;
        double rate = done / Math.max(seconds, 1e-9);
        String left = done == 0 ? "" : ", " + Math.round((total - done) / rate) + " s left";
        return String.format(Locale.ROOT, "focal: %,d of %,d elements (%d%%), %.1f M/s%s", done, total,
                100 * done / total, rate / 1e6, left);
    }

    /** {@code focal: 12 of 400 dumps (3%), 25 s left}. */
    static String dumpsLine(long elapsed, long done, long total) {
        String left = done == 0 ? "" : ", " + Math.round(elapsed / 1e9 * (total - done) / done) + " s left";
        return String.format(Locale.ROOT, "focal: %,d of %,d dumps (%d%%)%s", done, total, 100 * done / total, left);
    }

    private void write(String s) {
        try {
            tty.write(s.getBytes(StandardCharsets.UTF_8));
            tty.flush();
        } catch (IOException e) {
            // The terminal went away: nothing to draw on, and nothing lost.
        }
    }

    /** Stops the line and erases it, leaving the terminal as it was. */
    @Override
    public void close() {
        ticker.interrupt();
        try {
            ticker.join();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        if (drawn) {
            write("\r\u001b[K");
        }
        try {
            tty.close();
        } catch (IOException e) {
            // closing a terminal device does not fail in a way that matters here
        }
    }
}
