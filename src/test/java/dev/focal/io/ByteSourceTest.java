package dev.focal.io;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.ReadableByteChannel;
import java.nio.channels.WritableByteChannel;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

/** The bytes a reader parses, from a file channel's region or a buffer, and a slice of either. */
class ByteSourceTest {
    private static byte[] bytes(int n) {
        byte[] b = new byte[n];
        for (int i = 0; i < n; i++) {
            b[i] = (byte) (i * 7 + 3);
        }
        return b;
    }

    /**
     * A channel whose positional reads return as little as FileChannel's contract allows: at
     * most 3 bytes, and every other call none ("possibly zero"). A regular file fills a buffer in
     * one read, but a read of over 2 GiB - 4 KiB comes back short from Linux.
     */
    private static final class Trickling extends FileChannel {
        private final byte[] content;
        private boolean none;

        Trickling(byte[] content) {
            this.content = content;
        }

        @Override
        public int read(ByteBuffer dst, long position) {
            if (position >= content.length) {
                return -1;
            }
            none = !none;
            int n = none ? 0 : (int) Math.min(Math.min(3, dst.remaining()), content.length - position);
            dst.put(content, (int) position, n);
            return n;
        }

        @Override
        public long size() {
            return content.length;
        }

        @Override
        public int read(ByteBuffer dst) {
            throw new UnsupportedOperationException();
        }

        @Override
        public long read(ByteBuffer[] dsts, int offset, int length) {
            throw new UnsupportedOperationException();
        }

        @Override
        public int write(ByteBuffer src) {
            throw new UnsupportedOperationException();
        }

        @Override
        public long write(ByteBuffer[] srcs, int offset, int length) {
            throw new UnsupportedOperationException();
        }

        @Override
        public long position() {
            throw new UnsupportedOperationException();
        }

        @Override
        public FileChannel position(long newPosition) {
            throw new UnsupportedOperationException();
        }

        @Override
        public FileChannel truncate(long size) {
            throw new UnsupportedOperationException();
        }

        @Override
        public void force(boolean metaData) {
            throw new UnsupportedOperationException();
        }

        @Override
        public long transferTo(long position, long count, WritableByteChannel target) {
            throw new UnsupportedOperationException();
        }

        @Override
        public long transferFrom(ReadableByteChannel src, long position, long count) {
            throw new UnsupportedOperationException();
        }

        @Override
        public int write(ByteBuffer src, long position) {
            throw new UnsupportedOperationException();
        }

        @Override
        public MappedByteBuffer map(MapMode mode, long position, long size) {
            throw new UnsupportedOperationException();
        }

        @Override
        public FileLock lock(long position, long size, boolean shared) {
            throw new UnsupportedOperationException();
        }

        @Override
        public FileLock tryLock(long position, long size, boolean shared) {
            throw new UnsupportedOperationException();
        }

        @Override
        protected void implCloseChannel() {
        }
    }

    /** The copy's bytes; where its position was left is not said, so it is not looked at. */
    private static byte[] array(ByteBuffer b) {
        return b.array();
    }

    @Test
    void aChannelsRegionIsReadWholeThroughShortReads() throws IOException {
        byte[] content = bytes(100);
        ByteSource region = ByteSource.of(new Trickling(content), 10, 80);
        assertEquals(80, region.size());
        assertArrayEquals(Arrays.copyOfRange(content, 15, 55), array(region.bytes(5, 40)));
        byte[] end = new byte[10];
        System.arraycopy(content, 95, end, 0, 5);
        assertArrayEquals(end, array(region.bytes(85, 10)), "past the file's end, zeros");
    }

    @Test
    void aSliceIsTheRegionFromItsStart() throws IOException {
        byte[] content = bytes(64);
        ByteSource buffer = ByteSource.of(ByteBuffer.wrap(content).position(4));
        assertEquals(60, buffer.size());
        ByteSource slice = buffer.slice(10, 20);
        assertEquals(20, slice.size());
        assertArrayEquals(Arrays.copyOfRange(content, 17, 25), array(slice.bytes(3, 8)));
        ByteSource ofSlice = ByteSource.of(new Trickling(content), 0, 64).slice(30, 30);
        assertEquals(30, ofSlice.size());
        assertArrayEquals(Arrays.copyOfRange(content, 32, 40), array(ofSlice.bytes(2, 8)));
        assertEquals(ByteBuffer.wrap(content, 18, 8).order(ByteOrder.BIG_ENDIAN).getLong(),
                slice.storage(4, 8, ByteOrder.BIG_ENDIAN).getLong(0));
    }
}
