package dev.focal.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** When the progress line is drawn and what it says; drawing on a terminal is left to a real one. */
class ProgressTest {
    private static final long MS = 1_000_000L;

    @Test
    void onlyRunsExpectedToTakeOverTwoSecondsGetALine() {
        assertFalse(Progress.shouldDraw(400 * MS, 0, 100), "not before half a second");
        assertTrue(Progress.shouldDraw(600 * MS, 0, 100), "nothing done after half a second: slow");
        assertFalse(Progress.shouldDraw(600 * MS, 50, 100), "half done in 0.6 s: 1.2 s in all");
        assertTrue(Progress.shouldDraw(600 * MS, 20, 100), "a fifth done in 0.6 s: 3 s in all");
    }

    @Test
    void theLineSaysCountRateAndTimeLeft() {
        assertEquals("focal: 50,000,000 of 200,000,000 elements (25%), 50.0 M/s, 3 s left",
                Progress.line(1000 * MS, 50_000_000, 200_000_000));
        assertEquals("focal: 0 of 10 elements (0%), 0.0 M/s", Progress.line(1000 * MS, 0, 10));
        assertEquals("focal: 12 of 400 dumps (3%), 65 s left", Progress.dumpsLine(2000 * MS, 12, 400));
        assertEquals("focal: 0 of 1,200 dumps (0%)", Progress.dumpsLine(1000 * MS, 0, 1200));
    }

    @Test
    void noLineUnlessWanted() {
        assertNull(Progress.start(false, () -> 0, 100));
        assertNull(Progress.start(true, () -> 0, 0));
    }

    /** In-process runs get no progress property, so their stderr holds no progress line. */
    @Test
    void quietDropsTheTableNotTheJson() {
        String[] run = {"eval", "samples/anchor_head.npz", "--quiet"};
        Cli quiet = Cli.run(run);
        assertEquals(0, quiet.code, quiet.toString());
        assertEquals("", quiet.out);
        assertEquals("", quiet.err);
        Cli json = Cli.run("eval", "samples/anchor_head.npz", "--quiet", "--json");
        assertTrue(json.out.startsWith("{"), json.out);
    }
}
