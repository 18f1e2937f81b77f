package dev.focal.io;

import dev.focal.FocalException;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.channels.Pipe;
import java.util.Objects;

/**
 * The stream under the command line's standard output, which keeps the first write error: a
 * PrintWriter swallows it (checkError only says that there was one), and a run whose output was
 * lost, to a full disk say, must end with exit 4 and say why. A reader that went away (a closed
 * pipe, as after {@code | head -1}) is no failure: it has read all it wanted, and focal stays
 * quiet, as cat and grep do.
 */
public final class StandardOutput extends OutputStream {
    private final OutputStream out;
    private IOException failure;

    /** Over an unbuffered stream, such as fd 1's FileOutputStream: the writer above it buffers. */
    public StandardOutput(OutputStream out) {
        this.out = out;
    }

    @Override
    public void write(int b) throws IOException {
        write(new byte[] {(byte) b}, 0, 1);
    }

    @Override
    public void write(byte[] b, int off, int len) throws IOException {
        // After a failure nothing more is written: those bytes would follow a gap.
        if (failure != null) {
            throw failure;
        }
        try {
            out.write(b, off, len);
        } catch (IOException e) {
            failure = e;
            throw e;
        }
    }

    /** Exit 4 naming standard output when a write failed, other than to a closed pipe; else null. */
    public FocalException lost() {
        if (failure == null || Objects.equals(failure.getMessage(), brokenPipe())) {
            return null;
        }
        return FocalException.output("standard output", "cannot write: " + IoErrors.describe(failure), failure);
    }

    /**
     * The message of EPIPE as the JVM words it, which is strerror's, in the language of the
     * locale (LC_MESSAGES): learnt by writing to a pipe whose reader is closed, since Java has no
     * errno to compare. Only a failed run asks.
     */
    private static String brokenPipe() {
        try {
            Pipe pipe = Pipe.open();
            pipe.source().close();
            try (Pipe.SinkChannel sink = pipe.sink()) {
                sink.write(ByteBuffer.allocate(1));
            }
        } catch (IOException e) {
            return e.getMessage();
        }
        return null;
    }
}
