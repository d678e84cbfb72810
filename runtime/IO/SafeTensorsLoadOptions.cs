using System.Collections.Generic;

namespace NetGen;

/// <summary>
/// How <see cref="SafeTensors.Load(INetwork, string, SafeTensorsLoadOptions)"/> matches a file's tensors to
/// a network's <see cref="INetwork.ParameterTensors"/>.
/// </summary>
public sealed class SafeTensorsLoadOptions
{
    /// <summary>The defaults: strict, by name, no renaming.</summary>
    public static SafeTensorsLoadOptions Default { get; } = new();

    /// <summary>
    /// When <see langword="true"/> (the default) every network tensor must be in the file and the file may hold
    /// no other tensor. When <see langword="false"/> a network tensor the file lacks keeps its value and a file
    /// tensor the network lacks is ignored. A shape mismatch fails either way.
    /// </summary>
    public bool Strict { get; init; } = true;

    /// <summary>
    /// Renames the file's tensors before they are matched by name: a key is a name in the file, its value the
    /// network tensor it loads into (<c>{"fc1.weight": "0.weight"}</c>). Names not in the map are used as they
    /// are. Cannot be combined with <see cref="ByOrder"/>.
    /// </summary>
    public IReadOnlyDictionary<string, string>? Rename { get; init; }

    /// <summary>
    /// When <see langword="true"/> names are ignored: the file's tensors in the order of their data (sorted by
    /// data offset) load into the network's tensors in the order of <see cref="INetwork.ParameterTensors"/>,
    /// and each pair must have the same shape. Strict requires the same number of tensors; non-strict loads
    /// the shorter list's count of pairs.
    /// </summary>
    public bool ByOrder { get; init; }
}
