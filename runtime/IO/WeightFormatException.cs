using System;

namespace NetGen;

/// <summary>
/// Thrown when a weight file or a checkpoint cannot be loaded: it is not a well-formed safetensors file
/// (bad header length, invalid JSON, unknown dtype, offsets outside the data or overlapping, truncated
/// data), or it does not match the network (a tensor missing, extra or of another shape), or, for a
/// checkpoint, its metadata is missing or malformed or names another optimizer or other hyperparameters, or it
/// holds values training cannot continue from (a non-finite value, a negative second moment or variance, a count
/// that is not a whole number, a step count above 2^53). A weight file with a negative running variance or count
/// is refused too; its non-finite weights load, as in PyTorch. The
/// message names the tensor, what was expected and what was found. When it is thrown the network's parameters
/// (and for a checkpoint the optimizer and the trainer) are exactly as they were before the load began.
/// </summary>
public sealed class WeightFormatException : Exception
{
    /// <summary>Creates the exception with a default message.</summary>
    public WeightFormatException()
        : base("The weight file is not valid for this network.")
    {
    }

    /// <summary>Creates the exception with <paramref name="message"/>.</summary>
    public WeightFormatException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception with <paramref name="message"/> caused by <paramref name="innerException"/>.</summary>
    public WeightFormatException(string message, Exception? innerException)
        : base(message, innerException)
    {
    }

    /// <summary>Creates the exception about the tensor <paramref name="tensorName"/>.</summary>
    public WeightFormatException(string message, string? tensorName)
        : base(message)
    {
        TensorName = tensorName;
    }

    /// <summary>The name of the tensor the problem is about, when it is about one; otherwise <see langword="null"/>.</summary>
    public string? TensorName { get; }
}
