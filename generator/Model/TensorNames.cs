using System.Linq;

namespace NetGen.Generator.Model;

/// <summary>How a tensor's PyTorch name becomes a C# member name: the planner checks the names are distinct, the emitter writes them.</summary>
internal static class TensorNames
{
    /// <summary><c>0.weight</c> → <c>Layer0Weight</c>, <c>fc1.bias</c> → <c>Fc1Bias</c>.</summary>
    public static string ViewName(string tensorName)
    {
        var builder = new System.Text.StringBuilder();
        foreach (string part in tensorName.Split('.', '_', '-', ' '))
        {
            string clean = new string(part.Where(char.IsLetterOrDigit).ToArray());
            if (clean.Length > 0)
            {
                builder.Append(char.ToUpperInvariant(clean[0])).Append(clean.Substring(1));
            }
        }

        string name = builder.ToString();
        return name.Length == 0 || char.IsDigit(name[0]) ? "Layer" + name : name;
    }
}
