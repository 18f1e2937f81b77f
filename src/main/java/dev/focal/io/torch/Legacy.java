package dev.focal.io.torch;

import dev.focal.FocalException;
import dev.focal.io.ByteSource;
import dev.focal.io.IoErrors;
import dev.focal.io.TensorFile;
import dev.focal.io.pickle.PickleLimits;
import dev.focal.io.pickle.PickledFile;
import dev.focal.io.pickle.PlainPolicy;
import dev.focal.io.pickle.Unpickler;
import java.io.IOException;
import java.math.BigInteger;
import java.nio.ByteOrder;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * torch.save's legacy format ({@code _use_new_zipfile_serialization=False}, OpenPCDet's
 * checkpoints): five pickles in a row (the magic number, protocol version 1001, system info, the
 * object, the storage keys in order), then each storage as an int64 little-endian element count
 * and its bytes.
 */
final class Legacy implements Storages {
    static final BigInteger MAGIC = new BigInteger("1950a86a20f9469cfc6c", 16);
    private static final long PROTOCOL = 1001;

    private final String name;
    private final Map<String, ByteSource> regions = new HashMap<>();
    private ByteOrder order = ByteOrder.LITTLE_ENDIAN;

    private Legacy(String name) {
        this.name = name;
    }

    static TensorFile open(String name, ByteSource file, Runnable onClose) throws IOException {
        PlainPolicy plain = new PlainPolicy();
        PickleLimits limits = PickleLimits.DEFAULT;
        Unpickler.Result magic = Unpickler.load(name, file, 0, plain, limits);
        if (!MAGIC.equals(asBig(magic.value()))) {
            throw FocalException.input(name, "not a torch.save file: wrong magic number");
        }
        Unpickler.Result protocol = Unpickler.load(name, file, magic.end(), plain, limits);
        if (!Long.valueOf(PROTOCOL).equals(protocol.value())) {
            throw FocalException.input(name, "torch.save protocol " + Unpickler.describe(protocol.value())
                    + ", focal reads " + PROTOCOL);
        }
        Unpickler.Result info = Unpickler.load(name, file, protocol.end(), plain, limits);
        Legacy legacy = new Legacy(name);
        if (info.value() instanceof Map && Boolean.FALSE.equals(((Map<?, ?>) info.value()).get("little_endian"))) {
            legacy.order = ByteOrder.BIG_ENDIAN;
        }
        TorchPolicy policy = new TorchPolicy(legacy, limits, 6);
        Unpickler.Result object = Unpickler.load(name, file, info.end(), policy, limits);
        Unpickler.Result keys = Unpickler.load(name, file, object.end(), plain, limits);
        if (!(keys.value() instanceof List)) {
            throw FocalException.input(name, "storage keys are " + Unpickler.describe(keys.value()) + ", not a list");
        }
        long at = keys.end();
        for (Object k : (List<?>) keys.value()) {
            StorageRef ref = policy.storages().get(k);
            if (ref == null || ref.dtype() == null) {
                throw FocalException.input(name, "storage " + Unpickler.describe(k) + " is listed, but no tensor"
                        + (ref == null ? " names it" : " of a type focal reads uses it")
                        + ": its element size is unknown");
            }
            if (file.size() - at < 8) {
                throw FocalException.input(name, "truncated: file ends at byte " + file.size() + " before storage '"
                        + IoErrors.shown(k) + "'");
            }
            long count = file.bytes(at, 8).order(ByteOrder.LITTLE_ENDIAN).getLong(0);
            long bytes;
            try {
                bytes = Math.multiplyExact(count, (long) ref.dtype().itemSize());
            } catch (ArithmeticException e) {
                bytes = -1;
            }
            if (count < 0 || bytes < 0 || bytes > file.size() - at - 8) {
                throw FocalException.input(name, "truncated: storage '" + IoErrors.shown(k) + "' declares "
                        + count + " elements at byte " + at + ", the file has " + (file.size() - at - 8)
                        + " bytes left");
            }
            checkLength(name, ref, bytes);
            legacy.regions.put(ref.key(), file.slice(at + 8, bytes));
            at += 8 + bytes;
        }
        return PickledFile.of(name, object.value(), limits, onClose);
    }

    private static Object asBig(Object v) {
        return v instanceof Long ? BigInteger.valueOf((Long) v) : v;
    }

    /** A storage's record must hold the elements its persistent id declares. */
    static void checkLength(String name, StorageRef ref, long available) {
        long need = ref.numel() > Long.MAX_VALUE / ref.dtype().itemSize() ? Long.MAX_VALUE
                : ref.numel() * ref.dtype().itemSize();
        if (available < need) {
            throw FocalException.input(name, "storage '" + IoErrors.shown(ref.key()) + "' holds " + available
                    + " bytes, its " + ref.numel() + " elements of " + ref.dtype().numpyName() + " need " + need);
        }
    }

    @Override
    public ByteSource bytes(StorageRef ref) {
        ByteSource b = regions.get(ref.key());
        if (b == null) {
            throw FocalException.input(name, "storage '" + IoErrors.shown(ref.key()) + "' is not among the file's"
                    + " storage keys (a truncated or corrupt file)");
        }
        return b;
    }

    @Override
    public ByteOrder order() {
        return order;
    }
}
