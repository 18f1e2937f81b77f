package dev.focal.io;

import dev.focal.tensor.Storage;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;

/**
 * The bytes a reader parses: a region of a file (a whole file, a stored zip member) or a buffer
 * (an inflated member). Readers take headers as heap copies and data as storage over the source
 * itself, so a file region is mapped in place and a format never needs to know which it has.
 */
public interface ByteSource {
    /** How many bytes the source holds. */
    long size();

    /** A heap copy of {@code n} bytes from {@code offset}; past the end, the copy is zero-filled. */
    ByteBuffer bytes(long offset, int n) throws IOException;

    /** {@code size} bytes from {@code offset} as tensor storage, without copying them. */
    Storage storage(long offset, long size, ByteOrder order) throws IOException;

    /** The {@code length} bytes from {@code start} of this source, as a source of their own. */
    default ByteSource slice(long start, long length) {
        ByteSource whole = this;
        return new ByteSource() {
            @Override
            public long size() {
                return length;
            }

            @Override
            public ByteBuffer bytes(long offset, int n) throws IOException {
                return whole.bytes(start + offset, n);
            }

            @Override
            public Storage storage(long offset, long size, ByteOrder order) throws IOException {
                return whole.storage(start + offset, size, order);
            }
        };
    }

    /** {@code length} bytes of the channel from {@code start}; the mapping outlives the channel. */
    static ByteSource of(FileChannel ch, long start, long length) {
        return new ByteSource() {
            @Override
            public long size() {
                return length;
            }

            @Override
            public ByteBuffer bytes(long offset, int n) throws IOException {
                ByteBuffer b = ByteBuffer.allocate(n);
                while (b.hasRemaining()) {
                    if (ch.read(b, start + offset + b.position()) < 0) {
                        break;
                    }
                }
                return b;
            }

            @Override
            public Storage storage(long offset, long size, ByteOrder order) throws IOException {
                return Storage.map(ch, start + offset, size, order);
            }
        };
    }

    /** A buffer's remaining bytes; storage shares the buffer. */
    static ByteSource of(ByteBuffer buffer) {
        ByteBuffer b = buffer.slice();
        return new ByteSource() {
            @Override
            public long size() {
                return b.capacity();
            }

            @Override
            public ByteBuffer bytes(long offset, int n) {
                byte[] copy = new byte[n];
                b.get((int) offset, copy);
                return ByteBuffer.wrap(copy);
            }

            @Override
            public Storage storage(long offset, long size, ByteOrder order) {
                return Storage.wrap(b.slice((int) offset, (int) size).order(order));
            }
        };
    }
}
