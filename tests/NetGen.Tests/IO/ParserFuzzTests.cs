using System;
using System.Buffers.Binary;
using System.Globalization;
using System.IO;
using System.Linq;
using CsCheck;
using NetGen.Tests.Networks;
using Xunit;
using Xunit.Abstractions;

namespace NetGen.Tests.IO;

/// <summary>
/// Property-based fuzzing (CsCheck) of the safetensors and checkpoint parsers, for a bounded time. The promise
/// under test is the loaders' own: a file loads, or throws <see cref="WeightFormatException"/> and the network (and
/// the trainer and optimizer) are exactly as they were; nothing else is thrown. Weight files are also loaded
/// three ways (from a span, a seekable stream and a trickling non-seekable one), which must agree.
/// </summary>
/// <remarks>
/// Inputs are a valid file mutated by <see cref="FileMutator"/> (structural and byte-level, driven by a generated
/// seed), a value in the data set to NaN, an infinity or a negative number, a few bytes overwritten anywhere, or two
/// of these stacked. Each test runs <c>NETGEN_FUZZ_SECONDS</c> seconds (default 5; CI runs a longer pass). Seeds are
/// random; a failure prints its seed (CsCheck's "Set seed"), and <c>CsCheck_Seed=...</c> in the environment replays it.
/// </remarks>
public sealed class ParserFuzzTests
{
    private static readonly float[] Specials =
        [float.NaN, float.PositiveInfinity, float.NegativeInfinity, -1f, -1e-30f, -0f, 0f, 1e38f, 2.5f, -3e38f, float.Epsilon];

    private readonly ITestOutputHelper _output;

    public ParserFuzzTests(ITestOutputHelper output) => _output = output;

    private static int Seconds =>
        int.TryParse(Environment.GetEnvironmentVariable("NETGEN_FUZZ_SECONDS"), NumberStyles.None, CultureInfo.InvariantCulture, out int s) && s > 0 ? s : 5;

    [Fact]
    public void Fuzzed_weight_files_load_or_throw_weight_format_exception_and_failures_change_nothing()
    {
        var stream = new MemoryStream();
        SafeTensors.Save(new BnTwice(seed: 1), stream); // parameters, running statistics and I64 counts
        byte[] valid = stream.ToArray();
        int[] before = Bits(new BnTwice(seed: 2));

        Mutated(valid).Select(Gen.Bool).Sample((file, strict) =>
        {
            var results = new (bool Loaded, int[] Bits)[3];
            for (int how = 0; how < 3; how++)
            {
                var net = new BnTwice(seed: 2);
                try
                {
                    switch (how)
                    {
                        case 0:
                            SafeTensors.Load(net, file, strict);
                            break;
                        case 1:
                            SafeTensors.Load(net, new MemoryStream(file), strict);
                            break;
                        default:
                            SafeTensors.Load(net, new TrickleStream(file), strict);
                            break;
                    }

                    results[how] = (true, Bits(net));
                }
                catch (WeightFormatException)
                {
                    int[] after = Bits(net);
                    if (!after.SequenceEqual(before))
                    {
                        throw new InvalidOperationException($"A refused load (way {how}) changed the network.");
                    }

                    results[how] = (false, after);
                }
            }

            for (int how = 1; how < 3; how++)
            {
                if (results[how].Loaded != results[0].Loaded || !results[how].Bits.SequenceEqual(results[0].Bits))
                {
                    throw new InvalidOperationException(
                        $"Loading from a span {(results[0].Loaded ? "succeeded" : "failed")}, way {how} {(results[how].Loaded ? "succeeded" : "failed")}" +
                        (results[how].Loaded == results[0].Loaded ? " with other values." : "."));
                }
            }
        }, writeLine: _output.WriteLine, time: Seconds, print: Describe);
    }

    [Fact]
    public void Fuzzed_checkpoints_load_or_throw_weight_format_exception_and_failures_change_nothing()
    {
        byte[] valid = Save(Trained(seed: 1, steps: 3));
        byte[] start = Save(Trained(seed: 6, steps: 1));

        Mutated(valid).Select(Gen.Bool).Sample((file, trickle) =>
        {
            Trainer<INetwork> target = NewTrainer(seed: 6);
            target.LoadCheckpoint(new MemoryStream(start));
            try
            {
                target.LoadCheckpoint(trickle ? new TrickleStream(file) : new MemoryStream(file));
            }
            catch (WeightFormatException)
            {
                if (!Save(target).AsSpan().SequenceEqual(start))
                {
                    throw new InvalidOperationException("A refused checkpoint changed the trainer, its network or its optimizer.");
                }
            }
        }, writeLine: _output.WriteLine, time: Seconds, print: Describe);
    }

    /// <summary>Mutations of <paramref name="valid"/>: one of four kinds, or two stacked.</summary>
    private static Gen<byte[]> Mutated(byte[] valid)
    {
        int headerLength = (int)BinaryPrimitives.ReadUInt64LittleEndian(valid);
        int floats = (valid.Length - 8 - headerLength) / 4;
        Gen<float> value = Gen.OneOf(new IGen<float>[] { Gen.Int[0, Specials.Length - 1].Select(i => Specials[i]), Gen.Float });
        Gen<Func<byte[], byte[]>> one = Gen.OneOf(new IGen<Func<byte[], byte[]>>[]
        {
            Gen.Select(Gen.Int[0, FileMutator.Kinds - 1], Gen.Int, (kind, seed) => (Func<byte[], byte[]>)(f => Structural(f, kind, seed))),
            Gen.Select(Gen.Int[0, floats - 1], value, (index, v) => (Func<byte[], byte[]>)(f => SetDataFloat(f, headerLength, index, v))),
            Gen.Select(Gen.Int[0, valid.Length - 1], Gen.Int[1, 8], Gen.Int, (at, count, seed) => (Func<byte[], byte[]>)(f => Overwrite(f, at, count, seed))),
        });
        return Gen.OneOf(new IGen<byte[]>[]
        {
            one.Select(m => m(valid)),
            Gen.Select(one, one, (a, b) => b(a(valid))),
        });
    }

    /// <summary>A <see cref="FileMutator"/> mutation; of a file it cannot parse as safetensors (an earlier mutation broke it), the file itself.</summary>
    private static byte[] Structural(byte[] file, int kind, int seed)
    {
        try
        {
            return FileMutator.Mutate(file, new Random(seed), kind);
        }
        catch (Exception e) when (e is System.Text.Json.JsonException or InvalidOperationException or ArgumentException or NullReferenceException or FormatException or IndexOutOfRangeException or OverflowException)
        {
            return file;
        }
    }

    private static byte[] SetDataFloat(byte[] file, int headerLength, int index, float value)
    {
        byte[] copy = (byte[])file.Clone();
        int at = 8 + headerLength + (4 * index);
        if (at + 4 <= copy.Length)
        {
            BinaryPrimitives.WriteSingleLittleEndian(copy.AsSpan(at), value);
        }

        return copy;
    }

    /// <summary><paramref name="count"/> random bytes (from <paramref name="seed"/>) written at <paramref name="at"/>.</summary>
    private static byte[] Overwrite(byte[] file, int at, int count, int seed)
    {
        byte[] bytes = new byte[count];
        new Random(seed).NextBytes(bytes);
        byte[] copy = (byte[])file.Clone();
        for (int i = 0; i < bytes.Length && at + i < copy.Length; i++)
        {
            copy[at + i] = bytes[i];
        }

        return copy;
    }

    private static string Describe<T>((byte[] File, T Flag) input)
    {
        byte[] file = input.File;
        int header = file.Length >= 8 ? (int)Math.Min(BinaryPrimitives.ReadUInt64LittleEndian(file), int.MaxValue) : 0;
        string json = header > 0 && 8 + header <= file.Length ? System.Text.Encoding.UTF8.GetString(file, 8, Math.Min(header, 400)) : "";
        return $"{file.Length} bytes ({input.Flag}), header length {header}: {json}";
    }

    private static int[] Bits(INetwork network) =>
        [.. network.Parameters.ToArray().Select(BitConverter.SingleToInt32Bits), .. network.Buffers.ToArray().Select(BitConverter.SingleToInt32Bits)];

    private static Trainer<INetwork> NewTrainer(ulong seed) => new(new BnTwice(seed), new Adam(learningRate: 3e-3f), Loss.SoftmaxCrossEntropy, seed);

    private static Trainer<INetwork> Trained(ulong seed, int steps)
    {
        Trainer<INetwork> trainer = NewTrainer(seed);
        var rng = new Rng(seed + 100);
        var x = new float[8 * 6];
        for (int i = 0; i < x.Length; i++)
        {
            x[i] = rng.NextGaussian();
        }

        float[] labels = [0, 1, 0, 1, 1, 0, 1, 0];
        for (int i = 0; i < steps; i++)
        {
            trainer.TrainStep(x, labels);
        }

        return trainer;
    }

    private static byte[] Save(Trainer<INetwork> trainer)
    {
        var stream = new MemoryStream();
        trainer.SaveCheckpoint(stream);
        return stream.ToArray();
    }
}
