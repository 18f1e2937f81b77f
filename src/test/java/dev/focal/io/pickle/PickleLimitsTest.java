package dev.focal.io.pickle;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.focal.FocalException;
import dev.focal.io.ByteSource;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** Each cap of {@link PickleLimits} refuses a pickle past it, before the memory is spent. */
class PickleLimitsTest {
    private static final PickleLimits SMALL = new PickleLimits(100, 10, 25, 5, 64, 3, 1 << 20);

    private static String refused(byte[] pickle) {
        FocalException e = assertThrows(FocalException.class, () -> Unpickler.load("p.pkl",
                ByteSource.of(ByteBuffer.wrap(pickle)), 0, new NumpyPolicy(), SMALL));
        assertEquals(FocalException.INPUT, e.exitCode());
        return e.getMessage();
    }

    private static byte[] pickle(String body) {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        b.write(0x80);
        b.write(2);
        b.writeBytes(body.getBytes(StandardCharsets.ISO_8859_1));
        b.write('.');
        return b.toByteArray();
    }

    @Test
    void aStringLongerThanTheCapIsRefusedBeforeItIsCopied() {
        assertEquals("p.pkl: pickle holds a string of 11 bytes at byte 2, over the 10 focal reads",
                refused(pickle("\u008c\u000b" + "x".repeat(11))));
    }

    @Test
    void stringsTogetherHaveACapToo() {
        String ten = "\u008c\n" + "x".repeat(10);
        assertEquals("p.pkl: pickle holds over 25 bytes of strings, more than focal reads",
                refused(pickle("(" + ten + ten + ten + "t")));
    }

    @Test
    void valuesHaveACap() {
        assertEquals("p.pkl: pickle makes over 100 values, more than focal reads",
                refused(pickle("N".repeat(120))));
    }

    @Test
    void marksHaveADepth() {
        assertEquals("p.pkl: pickle nests deeper than 5 levels", refused(pickle("((((((")));
    }

    @Test
    void aLengthPastTheEndIsRefused() {
        assertEquals("p.pkl: truncated or corrupt pickle at byte 2: declares 4294967295 bytes, 1 are left",
                refused(pickle("X\u00ff\u00ff\u00ff\u00ff")));
    }

    @Test
    void containersHaveADepthAndTheFileATensorCount() {
        Object deep = Unpickler.load("p.pkl", ByteSource.of(ByteBuffer.wrap(pickle("]]]]]]]aaaaaa"))), 0,
                new NumpyPolicy(), SMALL).value();
        FocalException e = assertThrows(FocalException.class, () -> PickledFile.of("p.pkl", deep, SMALL, () -> { }));
        assertEquals("p.pkl: containers nest deeper than 5 levels", e.getMessage());
    }
}
