using System.IO;

namespace NetGen;

/// <summary>
/// <c>net.Save(path)</c> and <c>net.Load(path)</c> for every network: safetensors files, as
/// <see cref="SafeTensors"/> reads and writes them.
/// </summary>
public static class NetworkWeightsExtensions
{
    /// <summary>Writes the network's parameters to <paramref name="path"/> as safetensors, atomically.</summary>
    /// <exception cref="IOException">The file cannot be written.</exception>
    public static void Save(this INetwork network, string path) => SafeTensors.Save(network, path);

    /// <summary>
    /// Loads the safetensors file <paramref name="path"/> into the network, matching tensors by name;
    /// <paramref name="strict"/> (the default) requires the file to hold exactly the network's tensors.
    /// </summary>
    /// <exception cref="WeightFormatException">The file is malformed or does not match; the parameters are unchanged.</exception>
    /// <exception cref="IOException">The file cannot be read.</exception>
    public static void Load(this INetwork network, string path, bool strict = true) => SafeTensors.Load(network, path, strict);

    /// <summary>Loads the safetensors file <paramref name="path"/> into the network as <paramref name="options"/> say.</summary>
    /// <exception cref="WeightFormatException">The file is malformed or does not match; the parameters are unchanged.</exception>
    /// <exception cref="IOException">The file cannot be read.</exception>
    public static void Load(this INetwork network, string path, SafeTensorsLoadOptions options) => SafeTensors.Load(network, path, options);
}
