using System;
using Xunit;

namespace NetGen.Tests.Optimizers;

/// <summary>Every optimizer configuration against PyTorch 1.13, step by step, and the state it keeps.</summary>
public class OptimizerParityTests
{
    private const double Tolerance = 1e-5;

    public static TheoryData<string> Cases => OptimizerReference.CaseNames();

    [Theory]
    [MemberData(nameof(Cases))]
    public void Every_step_matches_PyTorch(string name)
    {
        OptimizerReference.Case reference = OptimizerReference.Cases[name];
        Optimizer optimizer = reference.Create();
        float[] parameters = (float[])OptimizerReference.Initial.Clone();
        float[] previous = (float[])parameters.Clone();
        float[] expectedPrevious = (float[])parameters.Clone();
        for (int step = 0; step < reference.Steps.Length; step++)
        {
            optimizer.Step(parameters, OptimizerReference.Gradients[step]);
            float[] expected = reference.Steps[step];
            Assert.Equal(step + 1, optimizer.StepCount);
            OptimizerReference.AssertClose(parameters, expected, Tolerance, $"{name}, parameters after step {step + 1}");

            // The update alone, so a small step cannot hide in the parameters' magnitude.
            OptimizerReference.AssertClose(
                Difference(parameters, previous), Difference(expected, expectedPrevious), 1e-4, $"{name}, update of step {step + 1}");
            parameters.CopyTo(previous, 0);
            expected.CopyTo(expectedPrevious, 0);
        }
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void Steps_after_the_first_allocate_nothing(string name)
    {
        Optimizer optimizer = OptimizerReference.Cases[name].Create();
        float[] parameters = (float[])OptimizerReference.Initial.Clone();
        float[] gradients = OptimizerReference.Gradients[0];
        optimizer.Step(parameters, gradients);
        optimizer.Step(parameters, gradients);

        long before = GC.GetAllocatedBytesForCurrentThread();
        optimizer.Step(parameters, gradients);
        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;

        Assert.Equal(0, allocated);
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void Reset_forgets_the_state(string name)
    {
        OptimizerReference.Case reference = OptimizerReference.Cases[name];
        Optimizer optimizer = reference.Create();
        float[] parameters = (float[])OptimizerReference.Initial.Clone();
        float[] other = new float[parameters.Length];
        Array.Fill(other, 3f);
        optimizer.Step(parameters, other);
        optimizer.Step(parameters, other);

        optimizer.Reset();

        Assert.Equal(0, optimizer.StepCount);
        Assert.Equal(-1, optimizer.ParameterCount);
        Assert.True(optimizer.GetState().IsEmpty);
        parameters = (float[])OptimizerReference.Initial.Clone();
        for (int step = 0; step < reference.Steps.Length; step++)
        {
            optimizer.Step(parameters, OptimizerReference.Gradients[step]);
            OptimizerReference.AssertClose(parameters, reference.Steps[step], Tolerance, $"{name} after Reset, step {step + 1}");
        }
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void Saved_state_resumes_the_same_trajectory(string name)
    {
        OptimizerReference.Case reference = OptimizerReference.Cases[name];
        Optimizer first = reference.Create();
        float[] parameters = (float[])OptimizerReference.Initial.Clone();
        first.Step(parameters, OptimizerReference.Gradients[0]);
        first.Step(parameters, OptimizerReference.Gradients[1]);
        Assert.Equal(first.StateLength(parameters.Length), first.GetState().Length);
        Assert.Equal(first.StateVectorCount * parameters.Length, first.GetState().Length);

        Optimizer resumed = reference.Create();
        resumed.SetState(first.GetState().ToArray(), first.StepCount);
        float[] resumedParameters = (float[])parameters.Clone();
        for (int step = 2; step < reference.Steps.Length; step++)
        {
            first.Step(parameters, OptimizerReference.Gradients[step]);
            resumed.Step(resumedParameters, OptimizerReference.Gradients[step]);
            Assert.Equal(parameters, resumedParameters);
            OptimizerReference.AssertClose(resumedParameters, reference.Steps[step], Tolerance, $"{name} resumed, step {step + 1}");
        }

        Assert.Equal(first.StepCount, resumed.StepCount);
        Assert.True(first.GetState().SequenceEqual(resumed.GetState()));
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void A_later_step_of_another_length_throws_naming_both(string name)
    {
        Optimizer optimizer = OptimizerReference.Cases[name].Create();
        optimizer.Step(new float[37], new float[37]);

        ArgumentException error = Assert.Throws<ArgumentException>(() => optimizer.Step(new float[36], new float[36]));

        Assert.Equal("parameters", error.ParamName);
        Assert.Contains("37", error.Message, StringComparison.Ordinal);
        Assert.Contains("36", error.Message, StringComparison.Ordinal);

        // After Reset, another length is fine.
        optimizer.Reset();
        optimizer.Step(new float[36], new float[36]);
        Assert.Equal(36, optimizer.ParameterCount);
    }

    [Fact]
    public void Gradients_of_another_length_throw()
    {
        var optimizer = new Adam();

        ArgumentException error = Assert.Throws<ArgumentException>(() => optimizer.Step(new float[4], new float[5]));

        Assert.Equal("gradients", error.ParamName);
        Assert.Equal(0, optimizer.StepCount);
    }

    [Fact]
    public void State_vectors_follow_the_configuration()
    {
        Assert.Equal(0, new Sgd(0.1f).StateVectorCount);
        Assert.Equal(1, new Sgd(0.1f, momentum: 0.9f).StateVectorCount);
        Assert.Equal(2, new Adam().StateVectorCount);
        Assert.Equal(2, new AdamW().StateVectorCount);
        Assert.Equal(1, new RmsProp().StateVectorCount);
        Assert.Equal(2, new RmsProp(momentum: 0.9f).StateVectorCount);
        Assert.Equal(3, new RmsProp(momentum: 0.9f, centered: true).StateVectorCount);
        Assert.Equal(1, new AdaGrad().StateVectorCount);
        Assert.Equal(74, new Adam().StateLength(37));
    }

    [Fact]
    public void Defaults_are_PyTorchs()
    {
        var adam = new Adam();
        Assert.Equal((1e-3f, 0.9f, 0.999f, 1e-8f, 0f), (adam.LearningRate, adam.Beta1, adam.Beta2, adam.Epsilon, adam.WeightDecay));
        var adamW = new AdamW();
        Assert.Equal((1e-3f, 0.9f, 0.999f, 1e-8f, 0.01f), (adamW.LearningRate, adamW.Beta1, adamW.Beta2, adamW.Epsilon, adamW.WeightDecay));
        var rmsProp = new RmsProp();
        Assert.Equal((1e-2f, 0.99f, 1e-8f, 0f, 0f, false), (rmsProp.LearningRate, rmsProp.Alpha, rmsProp.Epsilon, rmsProp.WeightDecay, rmsProp.Momentum, rmsProp.Centered));
        var adaGrad = new AdaGrad();
        Assert.Equal((1e-2f, 0f, 0f, 0f, 1e-10f), (adaGrad.LearningRate, adaGrad.LearningRateDecay, adaGrad.WeightDecay, adaGrad.InitialAccumulatorValue, adaGrad.Epsilon));
        var sgd = new Sgd(0.1f);
        Assert.Equal((0f, 0f, 0f, false), (sgd.Momentum, sgd.Dampening, sgd.WeightDecay, sgd.Nesterov));
    }

    [Fact]
    public void SetState_checks_its_arguments()
    {
        var adam = new Adam();
        Assert.Throws<ArgumentException>(() => adam.SetState(new float[5], 3));
        Assert.Throws<ArgumentException>(() => adam.SetState(new float[4], 0));
        Assert.Throws<ArgumentOutOfRangeException>(() => adam.SetState(new float[4], -1));

        adam.SetState(new float[4], 7);
        Assert.Equal((2, 7L), (adam.ParameterCount, adam.StepCount));
        Assert.Throws<ArgumentException>(() => adam.Step(new float[3], new float[3]));

        var sgd = new Sgd(0.1f);
        sgd.SetState(ReadOnlySpan<float>.Empty, 5);
        Assert.Equal(5, sgd.StepCount);
        sgd.Step(new float[3], new float[3]);
        Assert.Equal(6, sgd.StepCount);
    }

    private static float[] Difference(float[] after, float[] before)
    {
        var difference = new float[after.Length];
        for (int i = 0; i < after.Length; i++)
        {
            difference[i] = after[i] - before[i];
        }

        return difference;
    }
}
