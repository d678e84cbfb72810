using System;
using System.Collections.Generic;
using System.Globalization;
using System.Text;
using Xunit;

namespace NetGen.Tests.Gradients;

/// <summary>What a loss on the network's outputs gives: its value in double and dL/dy at the unperturbed point.</summary>
internal interface IObjective
{
    /// <summary>The loss of <paramref name="outputs"/>, in double.</summary>
    double Value(float[] outputs);

    /// <summary>dL/dy at <paramref name="outputs"/>, which Backward receives.</summary>
    float[] Gradient(float[] outputs);

    /// <summary>Extra absolute noise of <see cref="Value"/> beyond the network's own (a loss that rounds to float).</summary>
    double ValueNoise(double value);
}

/// <summary><c>L = Σ c·y</c> with fixed random c, summed in double, so <c>dL/dy = c</c> exactly.</summary>
internal sealed class LinearObjective : IObjective
{
    private readonly float[] _c;

    public LinearObjective(int length, ulong seed)
    {
        _c = new float[length];
        var random = new Rng(seed);
        for (int i = 0; i < length; i++)
        {
            _c[i] = random.NextGaussian();
        }
    }

    public double Value(float[] outputs)
    {
        double sum = 0;
        for (int i = 0; i < outputs.Length; i++)
        {
            sum += (double)_c[i] * outputs[i];
        }

        return sum;
    }

    public float[] Gradient(float[] outputs) => (float[])_c.Clone();

    public double ValueNoise(double value) => 0;
}

/// <summary>One of the runtime's losses with fixed targets; its value is a float, so each difference carries ulp(L)/h more.</summary>
internal sealed class LossObjective : IObjective
{
    private readonly Loss _loss;
    private readonly float[] _targets;
    private readonly int _batch;

    public LossObjective(Loss loss, float[] targets, int batch)
    {
        _loss = loss;
        _targets = targets;
        _batch = batch;
    }

    public double Value(float[] outputs) => _loss.Compute(outputs, _targets, default, _batch);

    public float[] Gradient(float[] outputs)
    {
        var g = new float[outputs.Length];
        _loss.Compute(outputs, _targets, g, _batch);
        return g;
    }

    public double ValueNoise(double value)
    {
        float f = Math.Abs((float)value);
        return (double)MathF.BitIncrement(f) - f;
    }
}

/// <summary>
/// Central differences of a network's loss against its Backward, for parameters and inputs.
/// </summary>
/// <remarks>
/// <para>
/// The network runs in float, so a difference <c>(L(θ+h) - L(θ-h)) / 2h</c> carries the float rounding of the
/// forward pass divided by 2h. The check is <c>|fd - g| ≤ 1e-3 · max(|fd|, |g|) + floor</c>, the floor being that
/// noise: <c>NoiseUlps · 2⁻²⁴ · Σ_i |dL/dy_i · y_i| / h</c> (plus ulp(L)/h for a loss that returns a float).
/// Measured, the errors of correct gradients reach about 1.5 such ulps; 4 leaves a margin of two, and the floor
/// stays near 1e-5 for gradients of order 1e-3 to 1.
/// </para>
/// <para>
/// ReLU and LeakyReLU have kinks. A probe whose ±h step moves a pre-activation across 0 measures an average of two
/// slopes, not the derivative. After each perturbed forward the check compares the sign (negative, zero, positive)
/// of every float the forward kept in the workspace with the unperturbed one: a ReLU output leaving or reaching
/// 0, or a LeakyReLU input changing sign, means a kink lies inside the step (the pre-activation was within the
/// step's effect of 0) and the probe is skipped. The test skips nothing for networks without kinks and asserts
/// that at most 5% of probes are skipped for the others; the skip never looks at the analytic gradient, so it
/// cannot hide a backward bug.
/// </para>
/// <para>
/// Dropout draws its mask from <c>workspace.Random</c>; it is reset to the same seed before every forward, so
/// every evaluation uses the same mask and the network is a fixed function.
/// </para>
/// </remarks>
internal sealed class GradientCheck
{
    private const double Relative = 1e-3;
    private const double NoiseUlps = 4;
    private const ulong DropoutSeed = 7;

    private readonly INetwork _net;
    private readonly Workspace _workspace;
    private readonly float[] _inputs;
    private readonly float[] _outputs;
    private readonly IObjective _objective;
    private readonly int _batch;
    private readonly sbyte[] _signs;

    /// <param name="inputGradients">
    /// False for a network whose inputs are token ids (it starts with an embedding): Backward is given no input
    /// gradients, as such a network requires, and only the parameters can be checked.
    /// </param>
    public GradientCheck(INetwork net, float[] inputs, int batch, Func<int, IObjective>? objective = null, ulong seed = 99, bool inputGradients = true)
    {
        _net = net;
        _batch = batch;
        _inputs = inputs;
        Assert.Equal(batch * net.InputLength, inputs.Length);
        _workspace = net.CreateWorkspace(batch);
        _outputs = new float[batch * net.OutputLength];
        _objective = objective?.Invoke(_outputs.Length) ?? new LinearObjective(_outputs.Length, seed);

        // The analytic gradients at the unperturbed point.
        BaseLoss = Evaluate();
        OutputGradient = _objective.Gradient(_outputs);
        net.ZeroGradients();
        InputGradients = new float[inputGradients ? inputs.Length : 0];
        net.Backward(inputs, OutputGradient, InputGradients, _workspace);
        ParameterGradients = net.Gradients.ToArray();

        // The sign of every float the forward keeps at the unperturbed point (forward again: backward may
        // have used parts of the workspace as scratch).
        Evaluate();
        _signs = new sbyte[_workspace.Buffer.Length];
        for (int i = 0; i < _signs.Length; i++)
        {
            _signs[i] = (sbyte)Math.Sign(_workspace.Buffer[i]);
        }

        double scale = 0;
        for (int i = 0; i < _outputs.Length; i++)
        {
            scale += Math.Abs(OutputGradient[i]) * Math.Abs(_outputs[i]);
        }

        NoiseScale = NoiseUlps * Math.Pow(2, -24) * scale + _objective.ValueNoise(BaseLoss);
    }

    public double BaseLoss { get; }

    public float[] OutputGradient { get; }

    public float[] ParameterGradients { get; }

    public float[] InputGradients { get; }

    /// <summary>Absolute noise of one loss evaluation; divided by the step it is the floor of the check.</summary>
    public double NoiseScale { get; }

    public static float[] UniformInputs(int length, ulong seed, float min = -1f, float max = 1f)
    {
        var random = new Rng(seed);
        var x = new float[length];
        for (int i = 0; i < length; i++)
        {
            x[i] = random.NextFloat(min, max);
        }

        return x;
    }

    /// <summary>Every index of a buffer of <paramref name="length"/>.</summary>
    public static int[] All(int length)
    {
        var all = new int[length];
        for (int i = 0; i < length; i++)
        {
            all[i] = i;
        }

        return all;
    }

    /// <summary>About <paramref name="count"/> parameter indices, at least a few from every tensor (first, last and random ones).</summary>
    public static int[] Subset(INetwork net, int count, ulong seed)
    {
        var random = new Rng(seed);
        var picked = new SortedSet<int>();
        int perTensor = Math.Max(4, count / net.ParameterTensors.Count);
        foreach (ParameterTensor t in net.ParameterTensors)
        {
            picked.Add(t.Offset);
            picked.Add(t.Offset + t.Length - 1);
            int n = Math.Min(perTensor, t.Length);
            for (int k = 0; k < n; k++)
            {
                picked.Add(t.Offset + random.NextInt(t.Length));
            }
        }

        return new List<int>(picked).ToArray();
    }

    /// <summary>Checks dL/dθ at <paramref name="indices"/>; says how many probes were compared and skipped at a kink.</summary>
    public Outcome CheckParameters(IReadOnlyList<int> indices, double h, bool hasKinks)
    {
        float[] parameters = _net.Parameters.ToArray();
        return Check(indices, h, hasKinks, "parameter", ParameterGradients, Name, (k, v) => _net.Parameters[k] = v, k => parameters[k]);
    }

    /// <summary>Checks dL/dx at <paramref name="indices"/>.</summary>
    public Outcome CheckInputs(IReadOnlyList<int> indices, double h, bool hasKinks)
    {
        float[] original = (float[])_inputs.Clone();
        return Check(indices, h, hasKinks, "input", InputGradients, k => $"x[{k / _net.InputLength}, {k % _net.InputLength}]", (k, v) => _inputs[k] = v, k => original[k]);
    }

    private string Name(int k)
    {
        foreach (ParameterTensor t in _net.ParameterTensors)
        {
            if (k >= t.Offset && k < t.Offset + t.Length)
            {
                return $"{t.Name}[{k - t.Offset}]";
            }
        }

        return $"parameter {k}";
    }

    private Outcome Check(IReadOnlyList<int> indices, double h, bool hasKinks, string what, float[] analytic, Func<int, string> name, Action<int, float> set, Func<int, float> get)
    {
        int skipped = 0;
        var skippedNames = new StringBuilder();
        int checkedCount = 0;
        var failures = new StringBuilder();
        int failureCount = 0;
        double worst = 0;
        string worstProbe = "none";
        foreach (int k in indices)
        {
            float original = get(k);
            (double fd, double step, bool crossed) = Differences(k, original, h, set);
            double g = analytic[k];
            double allowed = Relative * Math.Max(Math.Abs(fd), Math.Abs(g)) + 2 * NoiseScale / step;
            if (hasKinks && crossed)
            {
                skippedNames.Append(name(k)).Append(' ');
                skipped++;
                continue;
            }

            checkedCount++;
            double error = Math.Abs(fd - g);
            if (error / allowed > worst)
            {
                worst = error / allowed;
                worstProbe = $"{name(k)}: analytic {g:G6}, central difference {fd:G6}, allowed {allowed:E2}";
            }

            if (error > allowed)
            {
                failureCount++;
                if (failureCount <= 10)
                {
                    failures.AppendLine(CultureInfo.InvariantCulture, $"  {name(k)}: analytic {g:R}, central difference {fd:R}, error {error:E2} > allowed {allowed:E2}");
                }
            }
        }

        Assert.True(failureCount == 0, $"{_net.GetType().Name}: {failureCount} of {checkedCount} {what} gradients disagree (batch {_batch}, h {h}):\n{failures}");
        return new Outcome(checkedCount, skipped, worst, worstProbe, skippedNames.ToString());
    }

    /// <summary>
    /// The central difference <c>(L(+h) - L(-h)) / 2h</c> along coordinate <paramref name="k"/>, divided by the step
    /// actually taken (float rounding may change it), and whether some value the forward pass keeps changed sign
    /// class (negative, zero, positive) between the unperturbed point and either side: a ReLU or LeakyReLU kink lies
    /// inside the step.
    /// </summary>
    private (double Central, double Step, bool Crossed) Differences(int k, float original, double h, Action<int, float> set)
    {
        float plus = (float)(original + h);
        float minus = (float)(original - h);
        set(k, plus);
        double lossPlus = Evaluate();
        bool crossed = !SameSigns();
        set(k, minus);
        double lossMinus = Evaluate();
        crossed |= !SameSigns();
        set(k, original);
        double step = (double)plus - minus;
        return ((lossPlus - lossMinus) / step, step, crossed);
    }

    private bool SameSigns()
    {
        ReadOnlySpan<float> buffer = _workspace.Buffer;
        for (int i = 0; i < buffer.Length; i++)
        {
            if (Math.Sign(buffer[i]) != _signs[i])
            {
                return false;
            }
        }

        return true;
    }

    private double Evaluate()
    {
        _workspace.Random = new Rng(DropoutSeed);
        _net.ForwardTraining(_inputs, _outputs, _workspace);
        return _objective.Value(_outputs);
    }

    /// <summary>How a check went: probes compared, probes skipped at a kink, the worst error as a fraction of its allowance.</summary>
    internal readonly record struct Outcome(int Checked, int Skipped, double WorstRatio, string WorstProbe, string SkippedProbes);
}
