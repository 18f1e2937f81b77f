package dev.focal.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.focal.io.AtomicFile;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The environment variables the command line reads once and passes down, set in-process. */
class SettingsTest {
    private static final String[] FLOAT64_EVAL = {"eval", "samples/anchor_head.npz", "--out-dtype", "float64", "--json"};

    /** A float64 output gets FocalMath's kernel unless FOCAL_KERNEL asks otherwise: the last bits show which ran. */
    @Test
    void focalKernelChoosesTheKernel() {
        Cli auto = Cli.run(FLOAT64_EVAL);
        Cli scalar = Cli.withEnv(Map.of("FOCAL_KERNEL", "scalar"), FLOAT64_EVAL);
        Cli polynomial = Cli.withEnv(Map.of("FOCAL_KERNEL", "Polynomial"), FLOAT64_EVAL);
        assertEquals(0, auto.code, auto.toString());
        assertEquals(0, polynomial.code, polynomial.toString());
        assertEquals(auto.out, scalar.out);
        assertNotEquals(auto.out, polynomial.out);
    }

    @Test
    void focalFsyncReachesAtomicFileForTheRunOnly() {
        try {
            assertEquals(0, Cli.withEnv(Map.of("FOCAL_FSYNC", "1"), "inspect", "samples/tiny.json").code);
            assertTrue(AtomicFile.syncsToDisk());
            assertEquals(0, Cli.withEnv(Map.of("FOCAL_FSYNC", "yes"), "inspect", "samples/tiny.json").code);
            assertFalse(AtomicFile.syncsToDisk(), "only 1 turns it on");
        } finally {
            AtomicFile.syncToDisk(false);
        }
    }
}
