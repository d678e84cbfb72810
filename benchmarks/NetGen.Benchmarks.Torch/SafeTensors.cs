using System;
using System.Buffers.Binary;
using System.Collections.Generic;
using System.IO;
using System.Text.Json;
using TorchSharp;
using static TorchSharp.torch;

namespace NetGen.Benchmarks.Torch;

/// <summary>Copies a safetensors file's F32 tensors into a TorchSharp module's parameters by name.</summary>
internal static class SafeTensors
{
    /// <summary>
    /// Every parameter of <paramref name="module"/> gets the tensor the file holds under <paramref name="fileName"/> of its
    /// name; throws unless each parameter has one of the same shape and every tensor of the file was used.
    /// </summary>
    public static void CopyInto(nn.Module module, string path, Func<string, string> fileName)
    {
        Dictionary<string, (long[] Shape, float[] Values)> tensors = Read(path);
        var used = new HashSet<string>();
        using (torch.no_grad())
        {
            foreach ((string name, TorchSharp.Modules.Parameter parameter) in module.named_parameters())
            {
                string key = fileName(name);
                if (!tensors.TryGetValue(key, out var tensor))
                {
                    throw new InvalidDataException($"{Path.GetFileName(path)} has no tensor {key} for the parameter {name}.");
                }

                if (!ShapesEqual(tensor.Shape, parameter.shape))
                {
                    throw new InvalidDataException($"{key} in {Path.GetFileName(path)} is [{string.Join(", ", tensor.Shape)}]; the parameter {name} is [{string.Join(", ", parameter.shape)}].");
                }

                using Tensor source = torch.tensor(tensor.Values, tensor.Shape);
                parameter.copy_(source);
                used.Add(key);
            }
        }

        if (used.Count != tensors.Count)
        {
            var unused = new List<string>();
            foreach (string key in tensors.Keys)
            {
                if (!used.Contains(key))
                {
                    unused.Add(key);
                }
            }

            throw new InvalidDataException($"{Path.GetFileName(path)} holds tensors the module has no parameter for: {string.Join(", ", unused)}.");
        }
    }

    private static bool ShapesEqual(long[] a, long[] b)
    {
        if (a.Length != b.Length)
        {
            return false;
        }

        for (int i = 0; i < a.Length; i++)
        {
            if (a[i] != b[i])
            {
                return false;
            }
        }

        return true;
    }

    private static Dictionary<string, (long[] Shape, float[] Values)> Read(string path)
    {
        byte[] bytes = File.ReadAllBytes(path);
        long headerLength = BinaryPrimitives.ReadInt64LittleEndian(bytes);
        int start = checked(8 + (int)headerLength);
        using JsonDocument header = JsonDocument.Parse(bytes.AsMemory(8, (int)headerLength));
        var result = new Dictionary<string, (long[], float[])>();
        foreach (JsonProperty entry in header.RootElement.EnumerateObject())
        {
            if (entry.Name == "__metadata__")
            {
                continue;
            }

            if (entry.Value.GetProperty("dtype").GetString() != "F32")
            {
                throw new InvalidDataException($"{entry.Name} in {Path.GetFileName(path)} is not F32.");
            }

            var shape = new List<long>();
            foreach (JsonElement d in entry.Value.GetProperty("shape").EnumerateArray())
            {
                shape.Add(d.GetInt64());
            }

            JsonElement offsets = entry.Value.GetProperty("data_offsets");
            int begin = offsets[0].GetInt32(), end = offsets[1].GetInt32();
            var values = new float[(end - begin) / sizeof(float)];
            for (int i = 0; i < values.Length; i++)
            {
                values[i] = BinaryPrimitives.ReadSingleLittleEndian(bytes.AsSpan(start + begin + 4 * i));
            }

            result.Add(entry.Name, (shape.ToArray(), values));
        }

        return result;
    }
}
