package dev.focal.io.torch;

import dev.focal.io.pickle.PickleLimits;
import dev.focal.io.pickle.PlainPolicy;
import dev.focal.io.pickle.Tuple;
import dev.focal.io.pickle.Unpickler;
import dev.focal.tensor.DType;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What {@code torch.load(weights_only=True)} allows (torch/_weights_only_unpickler.py), made
 * into focal's own objects: tensors rebuilt from storages, Parameters as their tensors,
 * OrderedDicts as dicts, and the torch.Size, torch.device and dtype values their arguments need.
 * Any other global is refused by name (docs/formats.md#the-allowlist).
 */
final class TorchPolicy extends PlainPolicy {
    private enum Global { REBUILD_V2, REBUILD_V3, PARAMETER, PARAMETER_STATE, FROM_TYPE, ORDERED_DICT, SIZE,
        DEVICE, TENSOR_TYPE }

    /** A torch.*Storage class, or torch.UntypedStorage (bytes, typed by _rebuild_tensor_v3). */
    private record StorageType(String name, DType dtype) {
    }

    /** A torch dtype such as torch.float32, as _rebuild_tensor_v3 takes it. */
    private record TorchDType(String name, DType dtype) {
    }

    private static final Map<String, DType> STORAGES = Map.ofEntries(
            Map.entry("FloatStorage", DType.FLOAT32), Map.entry("DoubleStorage", DType.FLOAT64),
            Map.entry("HalfStorage", DType.FLOAT16), Map.entry("BFloat16Storage", DType.BFLOAT16),
            Map.entry("ByteStorage", DType.UINT8), Map.entry("CharStorage", DType.INT8),
            Map.entry("ShortStorage", DType.INT16), Map.entry("IntStorage", DType.INT32),
            Map.entry("LongStorage", DType.INT64), Map.entry("BoolStorage", DType.BOOL),
            Map.entry("UntypedStorage", DType.UINT8));
    /** Storage types torch has and focal refuses when a tensor of them is read (the file still opens). */
    private static final Map<String, String> REFUSED_STORAGES = Map.of(
            "ComplexFloatStorage", "complex64", "ComplexDoubleStorage", "complex128",
            "ComplexHalfStorage", "complex32", "QInt8Storage", "qint8", "QUInt8Storage", "quint8",
            "QInt32Storage", "qint32", "QUInt4x2Storage", "quint4x2", "QUInt2x4Storage", "quint2x4");
    private static final Map<String, DType> DTYPES = Map.ofEntries(
            Map.entry("float32", DType.FLOAT32), Map.entry("float", DType.FLOAT32),
            Map.entry("float64", DType.FLOAT64), Map.entry("double", DType.FLOAT64),
            Map.entry("float16", DType.FLOAT16), Map.entry("half", DType.FLOAT16),
            Map.entry("bfloat16", DType.BFLOAT16), Map.entry("uint8", DType.UINT8), Map.entry("int8", DType.INT8),
            Map.entry("int16", DType.INT16), Map.entry("short", DType.INT16), Map.entry("int32", DType.INT32),
            Map.entry("int", DType.INT32), Map.entry("int64", DType.INT64), Map.entry("long", DType.INT64),
            Map.entry("bool", DType.BOOL));
    private static final List<String> REFUSED_DTYPES = List.of("complex32", "complex64", "complex128", "cfloat",
            "cdouble", "chalf", "qint8", "quint8", "qint32", "quint4x2", "quint2x4", "float8_e4m3fn",
            "float8_e5m2", "float8_e4m3fnuz", "float8_e5m2fnuz", "uint16", "uint32", "uint64");

    private final Storages storages;
    private final PickleLimits limits;
    /** Each storage once, whatever number of tensors share it. */
    private final Map<String, StorageRef> refs = new HashMap<>();
    /** The pid's length: 5 in the zip format, 6 (a trailing view) in the legacy one. */
    private final int pidLength;

    TorchPolicy(Storages storages, PickleLimits limits, int pidLength) {
        this.storages = storages;
        this.limits = limits;
        this.pidLength = pidLength;
    }

    /** The storages the pickle named, by key. */
    Map<String, StorageRef> storages() {
        return refs;
    }

    @Override
    public Object global(String module, String name) throws Refusal {
        switch (module + "." + name) {
            case "torch._utils._rebuild_tensor_v2": return Global.REBUILD_V2;
            case "torch._utils._rebuild_tensor_v3": return Global.REBUILD_V3;
            case "torch._utils._rebuild_parameter": return Global.PARAMETER;
            case "torch._utils._rebuild_parameter_with_state": return Global.PARAMETER_STATE;
            case "torch._tensor._rebuild_from_type_v2": return Global.FROM_TYPE;
            case "collections.OrderedDict": return Global.ORDERED_DICT;
            case "torch.Size": return Global.SIZE;
            case "torch.device": return Global.DEVICE;
            case "torch.Tensor": case "torch.nn.parameter.Parameter": return Global.TENSOR_TYPE;
            default:
        }
        if (module.equals("torch") || module.equals("torch.storage")) {
            if (STORAGES.containsKey(name)) {
                return new StorageType(module + "." + name, STORAGES.get(name));
            }
            if (REFUSED_STORAGES.containsKey(name)) {
                return new StorageType(REFUSED_STORAGES.get(name) + " (" + module + "." + name + ")", null);
            }
            if (DTYPES.containsKey(name)) {
                return new TorchDType(module + "." + name, DTYPES.get(name));
            }
            if (REFUSED_DTYPES.contains(name)) {
                return new TorchDType(name + " (torch." + name + ")", null);
            }
        }
        throw refused(module, name);
    }

    @Override
    public Object call(Object callable, List<Object> args) throws Refusal {
        if (!(callable instanceof Global)) {
            return super.call(callable, args);
        }
        switch ((Global) callable) {
            case ORDERED_DICT:
                if (args.isEmpty()) {
                    return new LinkedHashMap<>();
                }
                break;
            case SIZE:
                if (args.size() == 1 && args.get(0) instanceof Tuple) {
                    return args.get(0);
                }
                break;
            case DEVICE:
                return "device"; // where the tensor lived (cpu, cuda:0) does not change its bytes
            case REBUILD_V2:
                if (args.size() == 6 || args.size() == 7) {
                    return tensor(args, null);
                }
                break;
            case REBUILD_V3:
                if (args.size() == 8 && args.get(6) instanceof TorchDType) {
                    return tensor(args, (TorchDType) args.get(6));
                }
                break;
            case PARAMETER:
            case PARAMETER_STATE:
                if (!args.isEmpty() && args.get(0) instanceof TorchTensor) {
                    return args.get(0);
                }
                break;
            case FROM_TYPE:
                if (args.size() == 4 && args.get(1) == Global.TENSOR_TYPE && args.get(2) instanceof Tuple
                        && (args.get(0) == Global.REBUILD_V2 || args.get(0) == Global.REBUILD_V3
                        || args.get(0) == Global.PARAMETER)) {
                    return call(args.get(0), (Tuple) args.get(2));
                }
                break;
            default:
        }
        throw new Refusal("refuses to call " + callable.toString().toLowerCase(java.util.Locale.ROOT)
                + " with " + args.size() + " arguments as given (only tensors and plain containers are read)");
    }

    private TorchTensor tensor(List<Object> args, TorchDType dtype) throws Refusal {
        if (!(args.get(0) instanceof StorageRef) || !(args.get(1) instanceof Long)) {
            throw new Refusal("a tensor's storage or offset is " + Unpickler.describe(args.get(0)) + ", "
                    + Unpickler.describe(args.get(1)));
        }
        StorageRef s = (StorageRef) args.get(0);
        long[] sizes = longs(args.get(2), "sizes");
        long[] strides = longs(args.get(3), "strides");
        if (sizes.length != strides.length) {
            throw new Refusal("a tensor has " + sizes.length + " sizes and " + strides.length + " strides");
        }
        DType t = s.dtype();
        String typeName = s.typeName();
        if (dtype != null) {
            t = s.dtype() == DType.UINT8 || s.dtype() == dtype.dtype() ? dtype.dtype() : null;
            typeName = dtype.name();
        }
        return new TorchTensor(s, t, typeName, (Long) args.get(1), sizes, strides, storages, limits);
    }

    private long[] longs(Object v, String what) throws Refusal {
        if (!(v instanceof Tuple) || ((Tuple) v).size() > limits.maxRank()) {
            throw new Refusal("a tensor's " + what + " are " + Unpickler.describe(v));
        }
        Tuple t = (Tuple) v;
        long[] out = new long[t.size()];
        for (int i = 0; i < out.length; i++) {
            if (!(t.get(i) instanceof Long)) {
                throw new Refusal("a tensor's " + what + " hold " + Unpickler.describe(t.get(i)));
            }
            out[i] = (Long) t.get(i);
        }
        return out;
    }

    @Override
    public void build(Object target, Object state) throws Refusal {
        if (target instanceof Map || target instanceof TorchTensor) {
            return; // an OrderedDict's _metadata, a Parameter's attributes: not tensors
        }
        super.build(target, state);
    }

    /** ('storage', type, key, location, numel), and in the legacy format a sixth item, None. */
    @Override
    public Object persistentLoad(Object pid) throws Refusal {
        if (!(pid instanceof Tuple) || ((Tuple) pid).size() != pidLength || !"storage".equals(((Tuple) pid).get(0))) {
            throw new Refusal("refuses persistent id " + Unpickler.describe(pid) + " (torch.save writes ('storage', "
                    + "type, key, location, numel" + (pidLength == 6 ? ", view" : "") + "))");
        }
        Tuple p = (Tuple) pid;
        if (!(p.get(1) instanceof StorageType) || !(p.get(2) instanceof String) || !(p.get(4) instanceof Long)
                || (Long) p.get(4) < 0) {
            throw new Refusal("a storage's persistent id holds " + Unpickler.describe(p.get(1)) + ", "
                    + Unpickler.describe(p.get(2)) + ", " + Unpickler.describe(p.get(4)));
        }
        if (pidLength == 6 && p.get(5) != null) {
            throw new Refusal("a view of a storage (written by PyTorch before 1.0) is not supported");
        }
        StorageType type = (StorageType) p.get(1);
        StorageRef ref = new StorageRef((String) p.get(2), type.dtype(), type.name(), (Long) p.get(4));
        StorageRef seen = refs.putIfAbsent(ref.key(), ref);
        if (seen != null && !seen.equals(ref)) {
            throw new Refusal("storage '" + dev.focal.io.IoErrors.shown(ref.key()) + "' is declared twice, differently");
        }
        if (seen == null && refs.size() > limits.maxTensors()) {
            throw new Refusal("names over " + limits.maxTensors() + " storages, more than focal reads");
        }
        return seen != null ? seen : ref;
    }
}
