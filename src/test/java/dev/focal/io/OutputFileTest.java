package dev.focal.io;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.focal.FocalException;
import dev.focal.tensor.DType;
import dev.focal.tensor.Shape;
import dev.focal.tensor.Tensor;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A streamed output is numpy's header (tools/fixtures/npy_fixtures.py writes it for a (300, 250)
 * array) and the elements in C order, however the blocks arrive: out of order, from several
 * threads, smaller and larger than a thread's batch. The elements are i / 8, exact in both dtypes.
 */
class OutputFileTest {
    static final Path NPY = Path.of("src/test/resources/io/npy");
    static final int ROWS = 300;
    static final int WIDTH = 250;
    /** Element 4321 is a NaN of another sign and payload; numpy's np.nan is written. */
    static final int NAN_AT = 4321;

    @TempDir
    Path tmp;

    static double value(long i) {
        return i / 8.0;
    }

    /** numpy's header, then the elements as little-endian floats or doubles. */
    static byte[] expected(DType dtype) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.write(Files.readAllBytes(NPY.resolve("header_300x250_" + (dtype == DType.FLOAT64 ? "f8" : "f4") + ".bin")));
        ByteBuffer b = ByteBuffer.allocate(ROWS * WIDTH * dtype.itemSize()).order(ByteOrder.LITTLE_ENDIAN);
        for (int i = 0; i < ROWS * WIDTH; i++) {
            if (dtype == DType.FLOAT64) {
                b.putLong(i == NAN_AT ? 0x7FF8000000000000L : Double.doubleToRawLongBits(value(i)));
            } else {
                b.putInt(i == NAN_AT ? 0x7FC00000 : Float.floatToRawIntBits((float) value(i)));
            }
        }
        out.write(b.array());
        return out.toByteArray();
    }

    /** Rows {@code [from, to)} column by column, as the evaluation hands them over. */
    static void columns(OutputFile out, int from, int to) {
        int rows = to - from;
        double[] c = new double[rows * WIDTH];
        for (int r = 0; r < rows; r++) {
            for (int col = 0; col < WIDTH; col++) {
                long i = (long) (from + r) * WIDTH + col;
                c[col * rows + r] = i == NAN_AT ? -Double.longBitsToDouble(0x7FF0000000000123L) : value(i);
            }
        }
        out.writeColumns((long) from * WIDTH, c, rows, WIDTH);
    }

    static void floats(OutputFile out, int from, int to) {
        float[] f = new float[(to - from) * WIDTH];
        for (int i = 0; i < f.length; i++) {
            long at = (long) from * WIDTH + i;
            f[i] = at == NAN_AT ? Float.NaN : (float) value(at);
        }
        out.writeFloats((long) from * WIDTH, f, f.length);
    }

    /**
     * Row blocks in this order: 1 and 2 rows that follow each other (one batch), a jump back, a
     * block of 200 rows (50,000 elements, over a batch of 32,768 doubles), and the rest from a
     * second thread.
     */
    void write(OutputFile out, boolean asFloats) throws InterruptedException {
        int[][] mine = {{40, 41}, {41, 43}, {43, 100}, {0, 17}, {100, 300}};
        for (int[] block : mine) {
            if (asFloats && block[0] != 0) {
                floats(out, block[0], block[1]);
            } else {
                columns(out, block[0], block[1]);
            }
        }
        Thread other = new Thread(() -> {
            columns(out, 30, 40);
            columns(out, 17, 30);
        });
        other.start();
        other.join();
    }

    @Test
    void streamedNpyIsNumpysHeaderAndEveryElementInCOrder() throws Exception {
        for (DType dtype : List.of(DType.FLOAT64, DType.FLOAT32)) {
            Path target = tmp.resolve("out_" + dtype.numpyName() + ".npy");
            Files.writeString(target, "the old content");
            try (OutputFile out = OutputFile.create(target, dtype, Shape.of(ROWS, WIDTH))) {
                assertEquals(dtype, out.dtype());
                assertEquals(Shape.of(ROWS, WIDTH), out.shape());
                write(out, dtype == DType.FLOAT32);
                assertEquals("the old content", Files.readString(target), "untouched until the commit");
                out.commit();
            }
            assertArrayEquals(expected(dtype), Files.readAllBytes(target), dtype.numpyName());
        }
        try (Stream<Path> s = Files.list(tmp)) {
            assertEquals(2, s.count(), "no temporary file is left");
        }
    }

    /** Blocks that follow each other, two of which overflow a thread's batch of 32,768 doubles. */
    @Test
    void followingBlocksOverABatchAreWrittenInTurn() throws Exception {
        Path target = tmp.resolve("in_turn.npy");
        try (OutputFile out = OutputFile.create(target, DType.FLOAT64, Shape.of(ROWS, WIDTH))) {
            columns(out, 0, 100);
            columns(out, 100, 200);
            columns(out, 200, 300);
            out.commit();
        }
        assertArrayEquals(expected(DType.FLOAT64), Files.readAllBytes(target));
    }

    @Test
    void aMissingBlockIsAFailedWriteAndTheTargetStays() throws Exception {
        Path target = tmp.resolve("out.npy");
        Files.writeString(target, "the old content");
        try (OutputFile out = OutputFile.create(target, DType.FLOAT64, Shape.of(ROWS, WIDTH))) {
            columns(out, 0, 299);
            FocalException e = assertThrows(FocalException.class, out::commit);
            assertEquals(FocalException.OUTPUT, e.exitCode());
            long header = Files.size(NPY.resolve("header_300x250_f8.bin"));
            assertEquals(target + ": cannot write: wrote " + (header + 299 * WIDTH * 8) + " bytes, expected "
                    + (header + ROWS * WIDTH * 8), e.getMessage());
        }
        assertEquals("the old content", Files.readString(target));
        try (Stream<Path> s = Files.list(tmp)) {
            assertEquals(List.of(target), s.toList());
        }
    }

    @Test
    void closedWithoutACommitNothingIsWritten() {
        Path target = tmp.resolve("out.npy");
        try (OutputFile out = OutputFile.create(target, DType.FLOAT32, Shape.of(ROWS, WIDTH))) {
            floats(out, 0, ROWS);
        }
        assertFalse(Files.exists(target));
        assertEquals(0, tmp.toFile().list().length);
    }

    @Test
    void onlyFloatsAreStreamedAndOnlyAsTheirDtype() {
        Path target = tmp.resolve("out.npy");
        assertThrows(IllegalArgumentException.class, () -> OutputFile.create(target, DType.INT32, Shape.of(2)));
        try (OutputFile out = OutputFile.create(target, DType.FLOAT64, Shape.of(2))) {
            assertThrows(IllegalStateException.class, () -> out.writeFloats(0, new float[2], 2));
        }
        assertEquals(0, tmp.toFile().list().length);
    }

    /** JSON is built on the heap and written at the commit, as Python's json.dumps writes the lists. */
    @Test
    void aJsonOutputIsWrittenAtTheCommit() throws IOException {
        Path target = tmp.resolve("out.json");
        try (OutputFile out = OutputFile.create(target, DType.FLOAT64, Shape.of(2, 3))) {
            out.writeColumns(0, new double[] {0.0, 0.375, 0.125, 0.5, 0.25, Double.NaN}, 2, 3);
            assertFalse(Files.exists(target));
            out.commit();
        }
        assertEquals("[[0.0, 0.125, 0.25], [0.375, 0.5, NaN]]\n", Files.readString(target));
        Path floats = tmp.resolve("f.json");
        try (OutputFile out = OutputFile.create(floats, DType.FLOAT32, Shape.of(2))) {
            out.writeFloats(0, new float[] {0.5f, -2f}, 2);
            out.commit();
        }
        assertEquals("{\"dtype\": \"float32\", \"shape\": [2], \"data\": [0.5, -2.0]}\n", Files.readString(floats));
    }

    /**
     * A tensor written whole (TensorIO.write, through ElementBytes) is the file a streamed output
     * of it is: the elements fill ElementBytes' 64 KiB buffer several times over.
     */
    @Test
    void aTensorWrittenWholeIsTheStreamedFile() throws IOException {
        for (DType dtype : List.of(DType.FLOAT64, DType.FLOAT32)) {
            Tensor t = Tensor.allocate(dtype, Shape.of(ROWS, WIDTH));
            for (int i = 0; i < ROWS * WIDTH; i++) {
                t.setDouble(i, i == NAN_AT ? Double.NaN : value(i));
            }
            Path target = tmp.resolve("whole_" + dtype.numpyName() + ".npy");
            TensorIO.write(t, target);
            assertArrayEquals(expected(dtype), Files.readAllBytes(target), dtype.numpyName());
        }
    }

    /** Neither a commit nor a close without one leaves the file open: its channel is closed. */
    @Test
    void aStreamedOutputLeavesNoDescriptorOpen() throws Exception {
        Descriptors.assumeProc();
        try (OutputFile out = OutputFile.create(tmp.resolve("committed.npy"), DType.FLOAT64, Shape.of(ROWS, WIDTH))) {
            columns(out, 0, ROWS);
            out.commit();
            assertEquals(List.of(), Descriptors.openUnder(tmp));
        }
        try (OutputFile out = OutputFile.create(tmp.resolve("dropped.npy"), DType.FLOAT32, Shape.of(ROWS, WIDTH))) {
            floats(out, 0, ROWS);
        }
        assertEquals(List.of(), Descriptors.openUnder(tmp));
    }

    /** A temporary file that cannot be opened for writing (an I/O error) is removed at once. */
    @Test
    void aTemporaryFileThatFailsToOpenIsRemoved() {
        FaultyFileSystem fs = new FaultyFileSystem();
        fs.failChannel = p -> true;
        Path target = fs.path(tmp.resolve("out.npy"));
        FocalException e = assertThrows(FocalException.class,
                () -> OutputFile.create(target, DType.FLOAT64, Shape.of(ROWS, WIDTH)));
        assertEquals(FocalException.OUTPUT, e.exitCode());
        assertEquals(target + ": cannot write: input/output error", e.getMessage());
        assertEquals(0, tmp.toFile().list().length);
    }

    /** FOCAL_FSYNC=1 forces the streamed file to disk before its rename; by default it is not. */
    @Test
    void aStreamedOutputIsForcedBeforeItsRenameOnlyWhenAsked() throws Exception {
        for (boolean sync : new boolean[] {false, true}) {
            FaultyFileSystem fs = new FaultyFileSystem();
            Path target = fs.path(tmp.resolve("sync_" + sync + ".npy"));
            AtomicFile.syncToDisk(sync);
            try (OutputFile out = OutputFile.create(target, DType.FLOAT64, Shape.of(ROWS, WIDTH))) {
                write(out, false);
                out.commit();
            } finally {
                AtomicFile.syncToDisk(false);
            }
            String rename = fs.log.get(fs.log.size() - 1);
            String name = rename.substring(0, rename.indexOf(" -> "));
            assertEquals(sync ? List.of("force " + name, rename) : List.of(rename), fs.log);
            assertArrayEquals(expected(DType.FLOAT64), Files.readAllBytes(target));
        }
    }

    /**
     * A channel may write less than it was given (Linux does when the disk fills, or past
     * 2 GiB - 4 KiB): the rest goes after what was written, not over it.
     */
    @Test
    void shortWritesAreWrittenOnFromWhereTheyStopped() throws Exception {
        FaultyFileSystem fs = new FaultyFileSystem();
        fs.shortWrites = true;
        for (DType dtype : List.of(DType.FLOAT64, DType.FLOAT32)) {
            Path target = fs.path(tmp.resolve("short_" + dtype.numpyName() + ".npy"));
            try (OutputFile out = OutputFile.create(target, dtype, Shape.of(ROWS, WIDTH))) {
                write(out, dtype == DType.FLOAT32);
                out.commit();
            }
            assertArrayEquals(expected(dtype), Files.readAllBytes(target), dtype.numpyName());
        }
    }

    /**
     * Rows that follow each other from one thread go out in writes of a whole batch
     * ({@link OutputFile#BATCH_BYTES}), not a write per block: here 1,024 rows of 64 doubles, two
     * batches exactly, after the header's write.
     */
    @Test
    void followingRowsGoOutInWholeBatches() throws IOException {
        int rows = 1024;
        int width = 64;
        assertEquals(2L * OutputFile.BATCH_BYTES, (long) rows * width * Double.BYTES, "two batches");
        FaultyFileSystem fs = new FaultyFileSystem();
        Path target = fs.path(tmp.resolve("rows.npy"));
        try (OutputFile out = OutputFile.create(target, DType.FLOAT64, Shape.of(rows, width))) {
            for (int r = 0; r < rows; r++) {
                double[] row = new double[width];
                for (int c = 0; c < width; c++) {
                    row[c] = value((long) r * width + c);
                }
                out.writeColumns((long) r * width, row, 1, width);
            }
            out.commit();
        }
        assertEquals(3, fs.positionalWrites.get());
        byte[] file = Files.readAllBytes(target);
        ByteBuffer data = ByteBuffer.wrap(file, file.length - rows * width * Double.BYTES, rows * width * Double.BYTES)
                .slice().order(ByteOrder.LITTLE_ENDIAN);
        for (int i = 0; i < rows * width; i++) {
            assertEquals(Double.doubleToRawLongBits(value(i)), data.getLong(i * Double.BYTES), "element " + i);
        }
    }
}
