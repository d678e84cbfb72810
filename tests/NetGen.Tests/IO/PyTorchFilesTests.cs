using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Text.Json;
using NetGen.Tests.Networks;
using Xunit;

namespace NetGen.Tests.IO;

/// <summary>
/// Safetensors files written from PyTorch state_dicts (Reference/safetensors_reference.py, which lays them out
/// as the Python package does: tensors sorted by dtype and name, not in network order) load into the NetGen
/// twins by name, and the outputs match PyTorch's for the same weights to 1e-5. The F16 and BF16 files load as
/// the float32 weights rounded to nearest-even in those formats, widened exactly.
/// </summary>
public sealed class PyTorchFilesTests
{
    private const double Relative = 1e-5;
    private const double Floor = 1e-6;

    private static readonly Lazy<JsonDocument> Reference = new(() =>
        JsonDocument.Parse(File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "Reference", "safetensors_reference.json"))));

    public static IEnumerable<object[]> Files()
    {
        foreach (string network in new[] { "Zoo", "Sequence", "LeNet5" })
        {
            foreach (string dtype in new[] { "F32", "F16", "BF16" })
            {
                yield return [network, dtype];
            }
        }
    }

    [Theory]
    [MemberData(nameof(Files))]
    public void A_PyTorch_state_dict_file_loads_and_the_outputs_match_PyTorch(string network, string dtype)
    {
        JsonElement entry = Reference.Value.RootElement.GetProperty(network);
        JsonElement file = entry.GetProperty("files").EnumerateArray().Single(f => f.GetProperty("dtype").GetString() == dtype);
        INetwork net = Create(network, seed: 0);
        net.Load(Path.Combine(AppContext.BaseDirectory, "Reference", file.GetProperty("file").GetString()!));

        int batch = entry.GetProperty("batch").GetInt32();
        float[] x = entry.GetProperty("inputs").EnumerateArray().Select(e => e.GetSingle()).ToArray();
        double[] expected = file.GetProperty("outputs").EnumerateArray()
            .Select(e => double.Parse(e.GetRawText(), CultureInfo.InvariantCulture)).ToArray();
        var y = new float[batch * net.OutputLength];
        net.Forward(x, y, net.CreateWorkspace(batch));

        int m = net.OutputLength;
        for (int b = 0; b < batch; b++)
        {
            double scale = Enumerable.Range(0, m).Max(i => Math.Abs(expected[(b * m) + i]));
            for (int i = 0; i < m; i++)
            {
                int k = (b * m) + i;
                double error = Math.Abs(y[k] - expected[k]);
                Assert.True(error <= (Relative * scale) + Floor, $"{network} {dtype}: sample {b} output {i} is {y[k]:R}, PyTorch {expected[k]:R}");
            }
        }
    }

    [Theory]
    [InlineData("Zoo")]
    [InlineData("Sequence")]
    [InlineData("LeNet5")]
    public void F16_and_BF16_files_hold_the_float32_weights_rounded_to_nearest_even(string network)
    {
        string stem = Path.Combine(AppContext.BaseDirectory, "Reference", network.ToLowerInvariant());
        INetwork f32 = Create(network, seed: 1);
        INetwork f16 = Create(network, seed: 2);
        INetwork bf16 = Create(network, seed: 3);
        f32.Load(stem + ".safetensors");
        f16.Load(stem + ".f16.safetensors");
        bf16.Load(stem + ".bf16.safetensors");

        ReadOnlySpan<float> w = f32.Parameters;
        for (int i = 0; i < w.Length; i++)
        {
            Assert.Equal(BitConverter.SingleToInt32Bits((float)(Half)w[i]), BitConverter.SingleToInt32Bits(f16.Parameters[i]));
            Assert.Equal(BitConverter.SingleToInt32Bits(RoundToBFloat16(w[i])), BitConverter.SingleToInt32Bits(bf16.Parameters[i]));
        }
    }

    /// <summary>float32 to bfloat16, round to nearest even, widened back (finite values).</summary>
    private static float RoundToBFloat16(float value)
    {
        uint bits = BitConverter.SingleToUInt32Bits(value);
        bits += 0x7FFF + ((bits >> 16) & 1);
        return BitConverter.UInt32BitsToSingle(bits & 0xFFFF0000);
    }

    private static INetwork Create(string network, ulong seed) => network switch
    {
        "Zoo" => new Zoo(seed),
        "Sequence" => new Sequence(seed),
        "LeNet5" => new LeNet5(seed),
        _ => throw new ArgumentOutOfRangeException(nameof(network)),
    };
}
