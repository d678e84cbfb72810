using System;
using Xunit;

namespace NetGen.Tests.Optimizers;

/// <summary>Constructor arguments are checked, and the exception names the argument.</summary>
public class OptimizerArgumentTests
{
    public static TheoryData<string, string> OutOfRange => new()
    {
        { "sgd lr -1", "learningRate" },
        { "sgd lr NaN", "learningRate" },
        { "sgd momentum -0.1", "momentum" },
        { "sgd momentum Infinity", "momentum" },
        { "sgd dampening 1.5", "dampening" },
        { "sgd dampening -0.5", "dampening" },
        { "sgd weightDecay -1", "weightDecay" },
        { "adam lr Infinity", "learningRate" },
        { "adam beta1 1", "beta1" },
        { "adam beta1 -0.1", "beta1" },
        { "adam beta2 1", "beta2" },
        { "adam beta2 NaN", "beta2" },
        { "adam epsilon -1e-8", "epsilon" },
        { "adam weightDecay NaN", "weightDecay" },
        { "adamw beta1 1.1", "beta1" },
        { "adamw beta2 1", "beta2" },
        { "adamw epsilon NaN", "epsilon" },
        { "adamw weightDecay -0.01", "weightDecay" },
        { "rmsprop lr -0.01", "learningRate" },
        { "rmsprop alpha 1.5", "alpha" },
        { "rmsprop alpha -0.5", "alpha" },
        { "rmsprop epsilon -1", "epsilon" },
        { "rmsprop weightDecay -1", "weightDecay" },
        { "rmsprop momentum -0.9", "momentum" },
        { "adagrad learningRateDecay -1", "learningRateDecay" },
        { "adagrad weightDecay -1", "weightDecay" },
        { "adagrad initialAccumulatorValue -0.1", "initialAccumulatorValue" },
        { "adagrad epsilon -1", "epsilon" },
    };

    [Theory]
    [MemberData(nameof(OutOfRange))]
    public void Out_of_range_arguments_throw_naming_the_argument(string call, string argument)
    {
        ArgumentOutOfRangeException error = Assert.Throws<ArgumentOutOfRangeException>(() => Construct(call));

        Assert.Equal(argument, error.ParamName);
    }

    [Theory]
    [InlineData(0f, 0f)]
    [InlineData(0.9f, 0.1f)]
    public void Nesterov_needs_momentum_and_no_dampening(float momentum, float dampening)
    {
        ArgumentException error = Assert.Throws<ArgumentException>(() => new Sgd(0.1f, momentum, dampening, nesterov: true));

        Assert.Equal("nesterov", error.ParamName);
    }

    [Fact]
    public void Edge_values_are_accepted()
    {
        Assert.Equal(0f, new Sgd(0f, momentum: 0f, dampening: 1f).LearningRate);
        Assert.Equal(0f, new Adam(beta1: 0f, beta2: 0f, epsilon: 0f).Beta1);
        Assert.Equal(1f, new RmsProp(alpha: 1f).Alpha);
        Assert.Equal(0f, new AdaGrad(0f).LearningRate);
    }

    private static Optimizer Construct(string call)
    {
        string[] parts = call.Split(' ');
        float value = float.Parse(parts[2], System.Globalization.CultureInfo.InvariantCulture);
        return (parts[0], parts[1]) switch
        {
            ("sgd", "lr") => new Sgd(value),
            ("sgd", "momentum") => new Sgd(0.1f, momentum: value),
            ("sgd", "dampening") => new Sgd(0.1f, momentum: 0.9f, dampening: value),
            ("sgd", "weightDecay") => new Sgd(0.1f, weightDecay: value),
            ("adam", "lr") => new Adam(value),
            ("adam", "beta1") => new Adam(beta1: value),
            ("adam", "beta2") => new Adam(beta2: value),
            ("adam", "epsilon") => new Adam(epsilon: value),
            ("adam", "weightDecay") => new Adam(weightDecay: value),
            ("adamw", "beta1") => new AdamW(beta1: value),
            ("adamw", "beta2") => new AdamW(beta2: value),
            ("adamw", "epsilon") => new AdamW(epsilon: value),
            ("adamw", "weightDecay") => new AdamW(weightDecay: value),
            ("rmsprop", "lr") => new RmsProp(value),
            ("rmsprop", "alpha") => new RmsProp(alpha: value),
            ("rmsprop", "epsilon") => new RmsProp(epsilon: value),
            ("rmsprop", "weightDecay") => new RmsProp(weightDecay: value),
            ("rmsprop", "momentum") => new RmsProp(momentum: value),
            ("adagrad", "learningRateDecay") => new AdaGrad(learningRateDecay: value),
            ("adagrad", "weightDecay") => new AdaGrad(weightDecay: value),
            ("adagrad", "initialAccumulatorValue") => new AdaGrad(initialAccumulatorValue: value),
            ("adagrad", "epsilon") => new AdaGrad(epsilon: value),
            _ => throw new InvalidOperationException($"No constructor call for '{call}'."),
        };
    }
}
