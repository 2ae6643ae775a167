using Google.Protobuf;

namespace RagFood.Server.Tests.Support;

/// <summary>Makes hostile request bodies: random bytes, and valid messages bit-flipped, truncated, spliced, padded with
/// garbage or given impossible varints and lengths.</summary>
internal sealed class ProtobufFuzzer(int seed)
{
    private readonly Random _random = new(seed);

    public byte[] Next(IReadOnlyList<IMessage> seeds)
    {
        var valid = seeds[_random.Next(seeds.Count)].ToByteArray();
        return _random.Next(10) switch
        {
            0 => RandomBytes(_random.Next(0, 64)),
            1 => FlipBits(valid, 1 + _random.Next(4)),
            2 => valid.Length == 0 ? RandomBytes(3) : valid[.._random.Next(valid.Length)],
            3 => Insert(valid, RandomBytes(1 + _random.Next(8))),
            4 => [.. valid, .. seeds[_random.Next(seeds.Count)].ToByteArray()],
            5 => Insert(valid, [(byte)((1 + _random.Next(12)) << 3 | _random.Next(8)), 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF]),
            6 => Insert(valid, [(byte)((1 + _random.Next(12)) << 3 | 2), 0xFF, 0xFF, 0xFF, 0x7F, 0x00]),
            7 => ReplaceBytes(valid, 1 + _random.Next(6)),
            8 => Nested(_random.Next(20, 120)),
            _ => Insert(valid, [(byte)((1 + _random.Next(12)) << 3 | 2), 0x03, 0xC3, 0x28, 0xFE]),
        };
    }

    private byte[] RandomBytes(int length)
    {
        var bytes = new byte[length];
        _random.NextBytes(bytes);
        return bytes;
    }

    private byte[] FlipBits(byte[] bytes, int count)
    {
        var copy = (byte[])bytes.Clone();
        for (var i = 0; i < count && copy.Length > 0; i++)
        {
            copy[_random.Next(copy.Length)] ^= (byte)(1 << _random.Next(8));
        }

        return copy;
    }

    private byte[] ReplaceBytes(byte[] bytes, int count)
    {
        var copy = (byte[])bytes.Clone();
        for (var i = 0; i < count && copy.Length > 0; i++)
        {
            copy[_random.Next(copy.Length)] = (byte)_random.Next(256);
        }

        return copy;
    }

    private byte[] Insert(byte[] bytes, byte[] extra)
    {
        var at = _random.Next(bytes.Length + 1);
        return [.. bytes[..at], .. extra, .. bytes[at..]];
    }

    /// <summary>A length-delimited field nested <paramref name="depth"/> times (deeper than the parser's recursion limit
    /// when large enough).</summary>
    private byte[] Nested(int depth)
    {
        var field = (byte)((1 + _random.Next(5)) << 3 | 2);
        byte[] inner = [];
        for (var i = 0; i < depth; i++)
        {
            var length = new byte[5];
            var size = CodedOutputStream.ComputeLengthSize(inner.Length);
            var output = new CodedOutputStream(length);
            output.WriteLength(inner.Length);
            output.Flush();
            inner = [field, .. length[..size], .. inner];
        }

        return inner;
    }
}
