using System.Collections.Generic;

namespace NetGen.Generator.Model;

/// <summary>
/// The members the emitter writes into a network class, besides one view per tensor (<see cref="TensorNames"/>): a
/// class may not have a member of its own name (CS0542), so a network class cannot be called any of these.
/// </summary>
internal static class GeneratedMembers
{
    public static IReadOnlyCollection<string> Names { get; } = new HashSet<string>
    {
        "InputLength", "OutputLength", "ParameterCount", "WorkspaceLength", "FlopsPerSample", "Summary", "InputShape",
        "OutputShape", "BufferCount", "Parameters", "Gradients", "ParameterTensors", "Buffers", "BufferTensors",
        "Initialize", "ZeroGradients", "CreateWorkspace", "Forward", "ForwardTraining", "Backward", "BatchSize", "Run",
        "RunBackward", "_parameters", "_gradients", "_buffers", "s_tensors", "s_buffers", "t_workspace", "Info", "s_info",
    };
}
