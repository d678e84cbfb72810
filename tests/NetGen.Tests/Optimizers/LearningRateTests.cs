using System;
using Xunit;

namespace NetGen.Tests.Optimizers;

/// <summary>The <see cref="Optimizer.LearningRate"/> setter refuses what the constructor refuses.</summary>
public sealed class LearningRateTests
{
    public static TheoryData<string, float> Refused()
    {
        var data = new TheoryData<string, float>();
        foreach (string name in new[] { "sgd", "adam", "adamw", "rmsprop", "adagrad" })
        {
            foreach (float value in new[] { float.NaN, float.PositiveInfinity, float.NegativeInfinity, -1e-3f, -float.Epsilon })
            {
                data.Add(name, value);
            }
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(Refused))]
    public void The_setter_refuses_NaN_infinity_and_negatives_and_keeps_the_old_rate(string name, float value)
    {
        Optimizer optimizer = New(name);

        ArgumentOutOfRangeException error = Assert.Throws<ArgumentOutOfRangeException>(() => optimizer.LearningRate = value);

        Assert.Equal("value", error.ParamName);
        Assert.Contains("LearningRate", error.Message, StringComparison.Ordinal);
        Assert.Equal(0.125f, optimizer.LearningRate);
    }

    [Theory]
    [InlineData(0f)]
    [InlineData(1e-30f)]
    [InlineData(float.MaxValue)]
    public void The_setter_takes_finite_values_from_0(float value)
    {
        Optimizer optimizer = New("adam");

        optimizer.LearningRate = value;

        Assert.Equal(value, optimizer.LearningRate);
    }

    private static Optimizer New(string name) => name switch
    {
        "sgd" => new Sgd(0.125f, momentum: 0.9f),
        "adam" => new Adam(0.125f),
        "adamw" => new AdamW(0.125f),
        "rmsprop" => new RmsProp(0.125f),
        _ => new AdaGrad(0.125f),
    };
}
