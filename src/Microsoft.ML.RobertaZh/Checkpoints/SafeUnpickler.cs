using System.Buffers.Binary;
using System.Numerics;
using System.Text;

namespace Microsoft.ML.RobertaZh.Checkpoints;

/// <summary>
/// A minimal pickle reader for PyTorch state dicts. It understands only the opcodes torch.save emits for a
/// dict of tensors and only allow-listed globals (collections.OrderedDict, torch._utils._rebuild_tensor_v2,
/// torch._utils._rebuild_tensor, torch._utils._rebuild_parameter, torch.*Storage). It never imports or calls
/// anything: REDUCE of an allowed global builds plain data (<see cref="PickleDict"/>, <see cref="TorchTensorRef"/>).
/// Anything else is refused with a <see cref="CheckpointFormatException"/>.
/// </summary>
internal sealed class SafeUnpickler
{
    private const int MaxStack = 1 << 22;
    private const int MaxMemo = 1 << 22;
    private static readonly object Mark = new();

    private readonly Stream _stream;
    private readonly string _path;
    private readonly string _record;
    private readonly List<object?> _stack = [];
    private readonly List<int> _marks = [];
    private readonly Dictionary<long, object?> _memo = [];

    /// <param name="stream">Positioned at the first opcode; left just after STOP.</param>
    /// <param name="path">The checkpoint file, for messages.</param>
    /// <param name="record">What is being read, for messages ("data.pkl", "the object pickle", ...).</param>
    public SafeUnpickler(Stream stream, string path, string record)
    {
        _stream = stream;
        _path = path;
        _record = record;
    }

    /// <summary>Reads one pickle up to and including STOP and returns its value.</summary>
    public object? Load()
    {
        while (true)
        {
            byte op = ReadByte();
            switch (op)
            {
                case 0x80: ReadByte(); break;                                    // PROTO
                case 0x95: ReadBytes(8); break;                                  // FRAME: framing is irrelevant for a stream
                case (byte)'c': Push(ResolveGlobal(ReadLine(), ReadLine())); break; // GLOBAL
                case 0x93:                                                       // STACK_GLOBAL
                {
                    object? name = Pop();
                    object? module = Pop();
                    if (module is not string m || name is not string n)
                    {
                        throw Fail("STACK_GLOBAL expects two strings.");
                    }

                    Push(ResolveGlobal(m, n));
                    break;
                }

                case (byte)'q': Memoize(ReadByte()); break;                      // BINPUT
                case (byte)'r': Memoize(ReadUInt32()); break;                    // LONG_BINPUT
                case 0x94: Memoize(_memo.Count); break;                          // MEMOIZE
                case (byte)'h': Push(Recall(ReadByte())); break;                 // BINGET
                case (byte)'j': Push(Recall(ReadUInt32())); break;               // LONG_BINGET
                case (byte)'(': _marks.Add(_stack.Count); _stack.Add(Mark); break; // MARK
                case (byte)')': Push(new PickleTuple([])); break;                // EMPTY_TUPLE
                case (byte)'t': Push(new PickleTuple(PopToMark().ToArray())); break; // TUPLE
                case 0x85: Push(new PickleTuple([Pop()])); break;                // TUPLE1
                case 0x86: { var b = Pop(); var a = Pop(); Push(new PickleTuple([a, b])); break; } // TUPLE2
                case 0x87: { var c = Pop(); var b = Pop(); var a = Pop(); Push(new PickleTuple([a, b, c])); break; } // TUPLE3
                case (byte)'}': Push(new PickleDict()); break;                   // EMPTY_DICT
                case (byte)']': Push(new List<object?>()); break;                // EMPTY_LIST
                case (byte)'a': { var v = Pop(); ListOnTop().Add(v); break; }    // APPEND
                case (byte)'e': { var items = PopToMark(); ListOnTop().AddRange(items); break; } // APPENDS
                case (byte)'s': { var v = Pop(); var k = Pop(); SetItem(DictOnTop(), k, v); break; } // SETITEM
                case (byte)'u':                                                  // SETITEMS
                {
                    var items = PopToMark();
                    if (items.Count % 2 != 0)
                    {
                        throw Fail("SETITEMS with an odd number of items.");
                    }

                    var dict = DictOnTop();
                    for (int i = 0; i < items.Count; i += 2)
                    {
                        SetItem(dict, items[i], items[i + 1]);
                    }

                    break;
                }

                case (byte)'b': { var state = Pop(); Build(Peek(), state); break; } // BUILD
                case (byte)'R': { var args = Pop(); var f = Pop(); Push(Reduce(f, args)); break; } // REDUCE
                case (byte)'Q': Push(PersistentLoad(Pop())); break;              // BINPERSID
                case (byte)'J': Push((long)BinaryPrimitives.ReadInt32LittleEndian(ReadBytes(4))); break; // BININT
                case (byte)'K': Push((long)ReadByte()); break;                   // BININT1
                case (byte)'M': Push((long)BinaryPrimitives.ReadUInt16LittleEndian(ReadBytes(2))); break; // BININT2
                case 0x8a: Push(ReadLong(ReadByte())); break;                    // LONG1
                case (byte)'X': Push(ReadUtf8(ReadUInt32())); break;             // BINUNICODE
                case 0x8c: Push(ReadUtf8(ReadByte())); break;                    // SHORT_BINUNICODE
                case 0x8d: Push(ReadUtf8(ReadUInt64())); break;                  // BINUNICODE8
                case (byte)'U': Push(Encoding.Latin1.GetString(ReadBytes(ReadByte()))); break; // SHORT_BINSTRING (py2 str)
                case (byte)'T': Push(Encoding.Latin1.GetString(ReadBytes(ReadUInt32()))); break; // BINSTRING (py2 str)
                case (byte)'C': Push(ReadBytes(ReadByte())); break;              // SHORT_BINBYTES
                case (byte)'B': Push(ReadBytes(ReadUInt32())); break;            // BINBYTES
                case (byte)'G': Push(BinaryPrimitives.ReadDoubleBigEndian(ReadBytes(8))); break; // BINFLOAT
                case 0x88: Push(true); break;                                    // NEWTRUE
                case 0x89: Push(false); break;                                   // NEWFALSE
                case (byte)'N': Push(null); break;                               // NONE
                case (byte)'0': Pop(); break;                                    // POP
                case (byte)'1': PopToMark(); break;                              // POP_MARK
                case (byte)'.':                                                  // STOP
                {
                    object? result = Pop();
                    if (_stack.Count != 0)
                    {
                        throw Fail("STOP with items left on the stack.");
                    }

                    return result;
                }

                default:
                    throw Fail($"uses pickle opcode 0x{op:x2} ('{(op is >= 0x20 and < 0x7f ? (char)op : '?')}'), which a state dict never needs; refusing to load.");
            }
        }
    }

    private CheckpointFormatException Fail(string problem) => new(_path, $"{_record} {problem}");

    private PickleGlobal ResolveGlobal(string module, string name)
    {
        PickleGlobalKind? kind = (module, name) switch
        {
            ("collections", "OrderedDict") => PickleGlobalKind.OrderedDict,
            ("torch._utils", "_rebuild_tensor_v2") => PickleGlobalKind.RebuildTensorV2,
            ("torch._utils", "_rebuild_tensor") => PickleGlobalKind.RebuildTensor,
            ("torch._utils", "_rebuild_parameter") => PickleGlobalKind.RebuildParameter,
            ("torch", _) when name.EndsWith("Storage", StringComparison.Ordinal) && name.All(char.IsAsciiLetterOrDigit)
                => PickleGlobalKind.StorageType,
            _ => null,
        };
        if (kind is null)
        {
            throw new CheckpointFormatException(
                _path, $"{_record} refers to global '{module}.{name}', which a state dict never needs; refusing to load.");
        }

        return new PickleGlobal(kind.Value, module, name);
    }

    private object? Reduce(object? callable, object? args)
    {
        if (callable is not PickleGlobal g || args is not PickleTuple a)
        {
            throw Fail("applies REDUCE to something other than an allowed global; refusing to load.");
        }

        switch (g.Kind)
        {
            case PickleGlobalKind.OrderedDict:
                var dict = new PickleDict();
                if (a.Count == 1 && a[0] is List<object?> pairs)
                {
                    foreach (var p in pairs)
                    {
                        if (p is not PickleTuple { Count: 2 } kv)
                        {
                            throw Fail("builds an OrderedDict from something other than pairs.");
                        }

                        SetItem(dict, kv[0], kv[1]);
                    }
                }
                else if (a.Count != 0)
                {
                    throw Fail("calls OrderedDict with unexpected arguments.");
                }

                return dict;
            case PickleGlobalKind.RebuildTensorV2 when a.Count is 6 or 7:
            case PickleGlobalKind.RebuildTensor when a.Count == 4:
                return RebuildTensor(a);
            case PickleGlobalKind.RebuildParameter when a.Count is 2 or 3 && a[0] is TorchTensorRef:
                return a[0];
            default:
                throw Fail($"calls {g.FullName} with {a.Count} unexpected arguments; refusing to load.");
        }
    }

    private TorchTensorRef RebuildTensor(PickleTuple a)
    {
        if (a[0] is not TorchStorageRef storage || a[1] is not long offset || offset < 0)
        {
            throw Fail("rebuilds a tensor without a storage and offset.");
        }

        long[] size = LongTuple(a[2], "size");
        long[] stride = LongTuple(a[3], "stride");
        if (size.Length != stride.Length)
        {
            throw Fail("rebuilds a tensor whose size and stride differ in rank.");
        }

        return new TorchTensorRef(storage, offset, size, stride);
    }

    private long[] LongTuple(object? value, string what)
    {
        if (value is not PickleTuple t)
        {
            throw Fail($"rebuilds a tensor whose {what} is not a tuple.");
        }

        var result = new long[t.Count];
        for (int i = 0; i < result.Length; i++)
        {
            result[i] = t[i] is long v && v >= 0 ? v : throw Fail($"rebuilds a tensor with an invalid {what} entry.");
        }

        return result;
    }

    private TorchStorageRef PersistentLoad(object? pid)
    {
        // ('storage', torch.<X>Storage, key, location, numel[, view_metadata])
        if (pid is not PickleTuple { Count: 5 or 6 } t || t[0] is not string kind || kind != "storage"
            || t[1] is not PickleGlobal { Kind: PickleGlobalKind.StorageType } type
            || t[2] is not string key || t[3] is not string || t[4] is not long numel || numel < 0)
        {
            throw Fail("has a persistent id that is not a torch storage reference.");
        }

        TensorDType? dtype = TensorDTypes.TryParseTorchStorage(type.Name, out var d) ? d : null;
        long viewOffset = 0, viewLength = -1;
        if (t.Count == 6 && t[5] is not null)
        {
            if (t[5] is not PickleTuple { Count: 3 } view || view[1] is not long vo || view[2] is not long vl || vo < 0 || vl < 0)
            {
                throw Fail("has an invalid storage view in a persistent id.");
            }

            (viewOffset, viewLength) = (vo, vl);
        }

        return new TorchStorageRef(key, type.Name, dtype, numel, viewOffset, viewLength);
    }

    private void Build(object? target, object? state)
    {
        if (target is PickleDict dict)
        {
            dict.State = state;   // OrderedDict attributes such as _metadata: not needed
            return;
        }

        throw Fail("applies BUILD to an object that is not a dict; refusing to load.");
    }

    private void SetItem(PickleDict dict, object? key, object? value)
    {
        if (key is null or List<object?> or PickleDict)
        {
            throw Fail("uses an unhashable dict key.");
        }

        dict.Set(key, value);
    }

    private PickleDict DictOnTop() => Peek() as PickleDict ?? throw Fail("sets an item on something that is not a dict.");

    private List<object?> ListOnTop() => Peek() as List<object?> ?? throw Fail("appends to something that is not a list.");

    private void Push(object? value)
    {
        if (_stack.Count >= MaxStack)
        {
            throw Fail("is too deeply nested.");
        }

        _stack.Add(value);
    }

    private object? Pop()
    {
        int n = _stack.Count;
        if (n == 0 || (_marks.Count > 0 && _marks[^1] == n - 1) || ReferenceEquals(_stack[n - 1], Mark))
        {
            throw Fail("pops from an empty stack (corrupt pickle).");
        }

        object? v = _stack[n - 1];
        _stack.RemoveAt(n - 1);
        return v;
    }

    private object? Peek()
    {
        int n = _stack.Count;
        return n == 0 || ReferenceEquals(_stack[n - 1], Mark) ? throw Fail("reads from an empty stack (corrupt pickle).") : _stack[n - 1];
    }

    private List<object?> PopToMark()
    {
        if (_marks.Count == 0)
        {
            throw Fail("has no MARK where one is needed (corrupt pickle).");
        }

        int m = _marks[^1];
        _marks.RemoveAt(_marks.Count - 1);
        var items = _stack.GetRange(m + 1, _stack.Count - m - 1);
        _stack.RemoveRange(m, _stack.Count - m);
        return items;
    }

    private void Memoize(long index)
    {
        if (_memo.Count >= MaxMemo && !_memo.ContainsKey(index))
        {
            throw Fail("memoizes too many objects.");
        }

        _memo[index] = Peek();
    }

    private object? Recall(long index) =>
        _memo.TryGetValue(index, out var v) ? v : throw Fail($"reads memo entry {index}, which was never stored (corrupt pickle).");

    private byte ReadByte()
    {
        int b = _stream.ReadByte();
        return b < 0 ? throw Fail("ends before STOP (truncated?).") : (byte)b;
    }

    private uint ReadUInt32() => BinaryPrimitives.ReadUInt32LittleEndian(ReadBytes(4));

    private ulong ReadUInt64() => BinaryPrimitives.ReadUInt64LittleEndian(ReadBytes(8));

    private byte[] ReadBytes(ulong count)
    {
        long remaining = _stream.CanSeek ? _stream.Length - _stream.Position : int.MaxValue;
        if (count > (ulong)Math.Min(remaining, Array.MaxLength))
        {
            throw Fail($"claims a {count}-byte value but the data ends first (truncated?).");
        }

        var bytes = new byte[count];
        int read = _stream.ReadAtLeast(bytes, bytes.Length, throwOnEndOfStream: false);
        return read < bytes.Length ? throw Fail("ends before STOP (truncated?).") : bytes;
    }

    private string ReadUtf8(ulong count)
    {
        try
        {
            return new UTF8Encoding(false, throwOnInvalidBytes: true).GetString(ReadBytes(count));
        }
        catch (DecoderFallbackException e)
        {
            throw new CheckpointFormatException(_path, $"{_record} has a string that is not valid UTF-8.", e);
        }
    }

    private string ReadLine()
    {
        var sb = new StringBuilder();
        while (true)
        {
            byte b = ReadByte();
            if (b == (byte)'\n')
            {
                return sb.ToString();
            }

            if (sb.Length > 256 || b is < 0x20 or >= 0x7f)
            {
                throw Fail("has a malformed GLOBAL name.");
            }

            sb.Append((char)b);
        }
    }

    private object ReadLong(int n)
    {
        byte[] bytes = ReadBytes((ulong)n);
        if (n <= 8)
        {
            long v = 0;
            for (int i = n - 1; i >= 0; i--)
            {
                v = (v << 8) | bytes[i];
            }

            if (n is > 0 and < 8 && (bytes[n - 1] & 0x80) != 0)
            {
                v -= 1L << (8 * n);   // sign-extend
            }

            return v;
        }

        return new BigInteger(bytes, isUnsigned: false, isBigEndian: false);
    }
}
