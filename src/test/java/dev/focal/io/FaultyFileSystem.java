package dev.focal.io;

import java.io.IOException;
import java.net.URI;
import java.nio.ByteBuffer;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.ReadableByteChannel;
import java.nio.channels.SeekableByteChannel;
import java.nio.channels.WritableByteChannel;
import java.nio.file.AccessMode;
import java.nio.file.CopyOption;
import java.nio.file.DirectoryStream;
import java.nio.file.FileStore;
import java.nio.file.FileSystem;
import java.nio.file.FileSystemException;
import java.nio.file.FileSystems;
import java.nio.file.LinkOption;
import java.nio.file.OpenOption;
import java.nio.file.Path;
import java.nio.file.PathMatcher;
import java.nio.file.WatchEvent;
import java.nio.file.WatchKey;
import java.nio.file.WatchService;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.FileAttribute;
import java.nio.file.attribute.FileAttributeView;
import java.nio.file.attribute.UserPrincipalLookupService;
import java.nio.file.spi.FileSystemProvider;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BiPredicate;
import java.util.function.Predicate;

/**
 * The default file system seen through paths of its own, which records each rename and each
 * forcing to disk, fails the renames a test picks with EIO's message, as a failing disk would,
 * and can make writes short, as a disk that fills does. The code under test never knows: it
 * reaches the file system through its paths' provider. For what no file can provoke on a working
 * disk, such as a rename that fails right after another one in the same directory worked
 * (AtomicFile's set-aside commit), and for what leaves no trace in the files (FOCAL_FSYNC's
 * forcing, how many writes a file took).
 */
final class FaultyFileSystem extends FileSystem {
    /** The longest write a channel does when writes are short. */
    static final int SHORT_WRITE = 4096;
    private final FileSystem base = FileSystems.getDefault();
    private final Provider provider = new Provider();
    /** The renames ("from -> to") and forcings ("force name") done, in order, by file name. */
    final List<String> log = Collections.synchronizedList(new ArrayList<>());
    /** Which renames (source, target) fail. */
    volatile BiPredicate<Path, Path> failMove = (from, to) -> false;
    /** Which files fail to open as a FileChannel. */
    volatile Predicate<Path> failChannel = p -> false;
    /** Whether a channel writes at most {@link #SHORT_WRITE} bytes a call, as FileChannel may. */
    volatile boolean shortWrites;
    /** How many positional writes the channels did. */
    final AtomicInteger positionalWrites = new AtomicInteger();

    /** {@code real}, a path of the default file system, as a path of this one. */
    Path path(Path real) {
        return real == null ? null : new Faulty(real);
    }

    private static Path real(Path p) {
        return p instanceof Faulty ? ((Faulty) p).real : p;
    }

    private static IOException failure(Path file) {
        return new FileSystemException(file.toString(), null, "Input/output error");
    }

    @Override
    public FileSystemProvider provider() {
        return provider;
    }

    @Override
    public void close() {
        throw new UnsupportedOperationException();
    }

    @Override
    public boolean isOpen() {
        return true;
    }

    @Override
    public boolean isReadOnly() {
        return false;
    }

    @Override
    public String getSeparator() {
        return base.getSeparator();
    }

    @Override
    public Iterable<Path> getRootDirectories() {
        throw new UnsupportedOperationException();
    }

    @Override
    public Iterable<FileStore> getFileStores() {
        return base.getFileStores();
    }

    @Override
    public Set<String> supportedFileAttributeViews() {
        return base.supportedFileAttributeViews();
    }

    @Override
    public Path getPath(String first, String... more) {
        return path(base.getPath(first, more));
    }

    @Override
    public PathMatcher getPathMatcher(String syntaxAndPattern) {
        PathMatcher m = base.getPathMatcher(syntaxAndPattern);
        return p -> m.matches(real(p));
    }

    @Override
    public UserPrincipalLookupService getUserPrincipalLookupService() {
        return base.getUserPrincipalLookupService();
    }

    @Override
    public WatchService newWatchService() {
        throw new UnsupportedOperationException();
    }

    private final class Faulty implements Path {
        final Path real;

        Faulty(Path real) {
            this.real = real;
        }

        @Override
        public FileSystem getFileSystem() {
            return FaultyFileSystem.this;
        }

        @Override
        public boolean isAbsolute() {
            return real.isAbsolute();
        }

        @Override
        public Path getRoot() {
            return path(real.getRoot());
        }

        @Override
        public Path getFileName() {
            return path(real.getFileName());
        }

        @Override
        public Path getParent() {
            return path(real.getParent());
        }

        @Override
        public int getNameCount() {
            return real.getNameCount();
        }

        @Override
        public Path getName(int index) {
            return path(real.getName(index));
        }

        @Override
        public Path subpath(int beginIndex, int endIndex) {
            return path(real.subpath(beginIndex, endIndex));
        }

        @Override
        public boolean startsWith(Path other) {
            return real.startsWith(real(other));
        }

        @Override
        public boolean endsWith(Path other) {
            return real.endsWith(real(other));
        }

        @Override
        public Path normalize() {
            return path(real.normalize());
        }

        @Override
        public Path resolve(Path other) {
            return path(real.resolve(real(other)));
        }

        @Override
        public Path relativize(Path other) {
            return path(real.relativize(real(other)));
        }

        @Override
        public URI toUri() {
            return real.toUri();
        }

        @Override
        public Path toAbsolutePath() {
            return path(real.toAbsolutePath());
        }

        @Override
        public Path toRealPath(LinkOption... options) throws IOException {
            return path(real.toRealPath(options));
        }

        @Override
        public WatchKey register(WatchService watcher, WatchEvent.Kind<?>[] events, WatchEvent.Modifier... modifiers) {
            throw new UnsupportedOperationException();
        }

        @Override
        public int compareTo(Path other) {
            return real.compareTo(real(other));
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof Faulty && real.equals(((Faulty) o).real);
        }

        @Override
        public int hashCode() {
            return real.hashCode();
        }

        @Override
        public String toString() {
            return real.toString();
        }
    }

    /** Passes every call to the default provider with the real paths, but for the faults. */
    private final class Provider extends FileSystemProvider {
        private final FileSystemProvider base = FaultyFileSystem.this.base.provider();

        @Override
        public String getScheme() {
            return "faulty";
        }

        @Override
        public FileSystem newFileSystem(URI uri, Map<String, ?> env) {
            throw new UnsupportedOperationException();
        }

        @Override
        public FileSystem getFileSystem(URI uri) {
            throw new UnsupportedOperationException();
        }

        @Override
        public Path getPath(URI uri) {
            throw new UnsupportedOperationException();
        }

        @Override
        public SeekableByteChannel newByteChannel(Path path, Set<? extends OpenOption> options,
                FileAttribute<?>... attrs) throws IOException {
            return base.newByteChannel(real(path), options, attrs);
        }

        @Override
        public FileChannel newFileChannel(Path path, Set<? extends OpenOption> options, FileAttribute<?>... attrs)
                throws IOException {
            if (failChannel.test(path)) {
                throw failure(path);
            }
            return new Watched(base.newFileChannel(real(path), options, attrs), path.getFileName().toString());
        }

        @Override
        public DirectoryStream<Path> newDirectoryStream(Path dir, DirectoryStream.Filter<? super Path> filter) {
            throw new UnsupportedOperationException();
        }

        @Override
        public void createDirectory(Path dir, FileAttribute<?>... attrs) throws IOException {
            base.createDirectory(real(dir), attrs);
        }

        @Override
        public void delete(Path path) throws IOException {
            base.delete(real(path));
        }

        @Override
        public void copy(Path source, Path target, CopyOption... options) {
            throw new UnsupportedOperationException();
        }

        @Override
        public void move(Path source, Path target, CopyOption... options) throws IOException {
            if (failMove.test(source, target)) {
                throw failure(source);
            }
            base.move(real(source), real(target), options);
            log.add(source.getFileName() + " -> " + target.getFileName());
        }

        @Override
        public boolean isSameFile(Path path, Path path2) throws IOException {
            return base.isSameFile(real(path), real(path2));
        }

        @Override
        public boolean isHidden(Path path) throws IOException {
            return base.isHidden(real(path));
        }

        @Override
        public FileStore getFileStore(Path path) throws IOException {
            return base.getFileStore(real(path));
        }

        @Override
        public void checkAccess(Path path, AccessMode... modes) throws IOException {
            base.checkAccess(real(path), modes);
        }

        @Override
        public <V extends FileAttributeView> V getFileAttributeView(Path path, Class<V> type, LinkOption... options) {
            return base.getFileAttributeView(real(path), type, options);
        }

        @Override
        public <A extends BasicFileAttributes> A readAttributes(Path path, Class<A> type, LinkOption... options)
                throws IOException {
            return base.readAttributes(real(path), type, options);
        }

        @Override
        public Map<String, Object> readAttributes(Path path, String attributes, LinkOption... options)
                throws IOException {
            return base.readAttributes(real(path), attributes, options);
        }

        @Override
        public void setAttribute(Path path, String attribute, Object value, LinkOption... options)
                throws IOException {
            base.setAttribute(real(path), attribute, value, options);
        }
    }

    /** A file's channel, which logs its forcing and makes its writes short when asked. */
    private final class Watched extends FileChannel {
        private final FileChannel ch;
        private final String name;

        Watched(FileChannel ch, String name) {
            this.ch = ch;
            this.name = name;
        }

        /** {@code src} as far as one write takes it. */
        private ByteBuffer part(ByteBuffer src) {
            return shortWrites && src.remaining() > SHORT_WRITE ? src.slice().limit(SHORT_WRITE) : src;
        }

        @Override
        public int write(ByteBuffer src) throws IOException {
            ByteBuffer part = part(src);
            int n = ch.write(part);
            if (part != src) {
                src.position(src.position() + n);
            }
            return n;
        }

        @Override
        public int write(ByteBuffer src, long position) throws IOException {
            positionalWrites.incrementAndGet();
            ByteBuffer part = part(src);
            int n = ch.write(part, position);
            if (part != src) {
                src.position(src.position() + n);
            }
            return n;
        }

        @Override
        public void force(boolean metaData) throws IOException {
            log.add("force " + name);
            ch.force(metaData);
        }

        @Override
        public int read(ByteBuffer dst) throws IOException {
            return ch.read(dst);
        }

        @Override
        public long read(ByteBuffer[] dsts, int offset, int length) throws IOException {
            return ch.read(dsts, offset, length);
        }

        @Override
        public long write(ByteBuffer[] srcs, int offset, int length) {
            throw new UnsupportedOperationException();
        }

        @Override
        public long position() throws IOException {
            return ch.position();
        }

        @Override
        public FileChannel position(long newPosition) throws IOException {
            ch.position(newPosition);
            return this;
        }

        @Override
        public long size() throws IOException {
            return ch.size();
        }

        @Override
        public FileChannel truncate(long size) throws IOException {
            ch.truncate(size);
            return this;
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
        public int read(ByteBuffer dst, long position) throws IOException {
            return ch.read(dst, position);
        }

        @Override
        public MappedByteBuffer map(MapMode mode, long position, long size) throws IOException {
            return ch.map(mode, position, size);
        }

        @Override
        public FileLock lock(long position, long size, boolean shared) throws IOException {
            return ch.lock(position, size, shared);
        }

        @Override
        public FileLock tryLock(long position, long size, boolean shared) throws IOException {
            return ch.tryLock(position, size, shared);
        }

        @Override
        protected void implCloseChannel() throws IOException {
            ch.close();
        }
    }
}
