using System;
using System.Collections.Generic;
using System.Globalization;

namespace NetGen;

/// <summary>
/// What a checkpoint records about an optimizer: its kind, the hyperparameters fixed at construction (which a
/// resumed run must share for the continuation to be exact), and a name for each state vector, PyTorch's
/// where there is one (<c>exp_avg</c>, <c>momentum_buffer</c>, ...). Optimizers of other types are recorded by
/// type name with their state vectors numbered.
/// </summary>
internal sealed class OptimizerDescription
{
    private OptimizerDescription(string kind, List<KeyValuePair<string, string>> hyperparameters, string[] stateNames)
    {
        Kind = kind;
        Hyperparameters = hyperparameters;
        StateNames = stateNames;
    }

    /// <summary><c>Adam</c>, <c>AdamW</c>, <c>Sgd</c>, <c>RmsProp</c>, <c>AdaGrad</c>, or the full type name of another optimizer.</summary>
    public string Kind { get; }

    /// <summary>Hyperparameters other than the learning rate, as invariant round-trip strings, in a fixed order.</summary>
    public List<KeyValuePair<string, string>> Hyperparameters { get; }

    /// <summary>One name per state vector, in the optimizer's state order.</summary>
    public string[] StateNames { get; }

    public static OptimizerDescription Of(Optimizer optimizer)
    {
        var h = new List<KeyValuePair<string, string>>();
        switch (optimizer)
        {
            case Adam a:
                Add(h, "beta1", a.Beta1);
                Add(h, "beta2", a.Beta2);
                Add(h, "epsilon", a.Epsilon);
                Add(h, "weight_decay", a.WeightDecay);
                return new OptimizerDescription("Adam", h, ["exp_avg", "exp_avg_sq"]);
            case AdamW w:
                Add(h, "beta1", w.Beta1);
                Add(h, "beta2", w.Beta2);
                Add(h, "epsilon", w.Epsilon);
                Add(h, "weight_decay", w.WeightDecay);
                return new OptimizerDescription("AdamW", h, ["exp_avg", "exp_avg_sq"]);
            case Sgd s:
                Add(h, "momentum", s.Momentum);
                Add(h, "dampening", s.Dampening);
                Add(h, "weight_decay", s.WeightDecay);
                Add(h, "nesterov", s.Nesterov);
                return new OptimizerDescription("Sgd", h, s.StateVectorCount == 0 ? [] : ["momentum_buffer"]);
            case RmsProp r:
            {
                Add(h, "alpha", r.Alpha);
                Add(h, "epsilon", r.Epsilon);
                Add(h, "weight_decay", r.WeightDecay);
                Add(h, "momentum", r.Momentum);
                Add(h, "centered", r.Centered);
                var names = new List<string> { "square_avg" };
                if (r.Momentum > 0f)
                {
                    names.Add("momentum_buffer");
                }

                if (r.Centered)
                {
                    names.Add("grad_avg");
                }

                return new OptimizerDescription("RmsProp", h, names.ToArray());
            }

            case AdaGrad g:
                Add(h, "lr_decay", g.LearningRateDecay);
                Add(h, "weight_decay", g.WeightDecay);
                Add(h, "initial_accumulator_value", g.InitialAccumulatorValue);
                Add(h, "epsilon", g.Epsilon);
                return new OptimizerDescription("AdaGrad", h, ["sum"]);
            default:
            {
                int count = optimizer.StateVectorCount;
                var names = new string[count];
                for (int k = 0; k < count; k++)
                {
                    names[k] = "state" + k.ToString(CultureInfo.InvariantCulture);
                }

                return new OptimizerDescription(optimizer.GetType().FullName ?? optimizer.GetType().Name, h, names);
            }
        }
    }

    /// <summary>A float as the shortest invariant string that reads back to the same bits.</summary>
    public static string Format(float value) => value.ToString("R", CultureInfo.InvariantCulture);

    /// <summary>"Adam (beta1 0.9, beta2 0.999, ...)" for messages.</summary>
    public string Display()
    {
        if (Hyperparameters.Count == 0)
        {
            return Kind;
        }

        var parts = new List<string>(Hyperparameters.Count);
        foreach (KeyValuePair<string, string> pair in Hyperparameters)
        {
            parts.Add($"{pair.Key} {pair.Value}");
        }

        return $"{Kind} ({string.Join(", ", parts)})";
    }

    private static void Add(List<KeyValuePair<string, string>> list, string name, float value) => list.Add(new(name, Format(value)));

    private static void Add(List<KeyValuePair<string, string>> list, string name, bool value) => list.Add(new(name, value ? "true" : "false"));
}
