package dev.focal.io;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.focal.FocalException;
import org.junit.jupiter.api.Test;

/**
 * The escaping that keeps a hostile file's text out of the one-line messages. Each format's
 * limits are tested in its package (zip.ZipLimitsTest, json.JsonLimitsTest); the .npy header and
 * size limits and the .npz ratio check have their files in src/test/resources/bad, the .npz size
 * checks are in npy.NpzMalformedTest, and a JSON tensor too big for the heap is tested on a small
 * heap in dev.focal.cli.SmallHeapTest.
 */
public class ReaderLimitsTest {
    /** Opens the file and reads every member, expecting an input error; returns it. */
    public static FocalException refused(String file) {
        FocalException e = assertThrows(FocalException.class, () -> {
            try (TensorFile f = TensorIO.open(file)) {
                for (String key : f.keys()) {
                    f.get(key);
                }
            }
        });
        assertEquals(FocalException.INPUT, e.exitCode(), e.getMessage());
        return e;
    }

    @Test
    void textFromAFileIsShownOnOnePrintableLine() {
        assertEquals("a\\nb\\r\\tc\\\\d", IoErrors.shown("a\nb\r\tc\\d"));
        assertEquals("\\x1b[2J\\x00\\x7f\\x85", IoErrors.shown("\u001b[2J\u0000\u007f\u0085"));
        // line and paragraph separators; bidi overrides and zero-width characters that would hide text
        assertEquals("\\u2028\\u2029\\u202e\\u200b\\ufeff", IoErrors.shown("\u2028\u2029\u202e\u200b\ufeff"));
        assertEquals("\\ud800x", IoErrors.shown("\ud800x"), "a lone surrogate");
        assertEquals("é漢\uD83D\uDE00 ok", IoErrors.shown("é漢\uD83D\uDE00 ok"), "printable text is kept");
        assertEquals("x".repeat(IoErrors.SHOWN_CHARS) + "...", IoErrors.shown("x".repeat(500)));
        assertEquals("null", IoErrors.shown(null));
    }
}
