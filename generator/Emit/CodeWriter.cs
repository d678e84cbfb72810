using System.Collections.Generic;
using System.Text;

namespace NetGen.Generator.Emit;

/// <summary>A minimal indented writer for the generated source.</summary>
internal sealed class CodeWriter
{
    private readonly StringBuilder _text = new();
    private int _depth;

    public CodeWriter Line(string line = "")
    {
        if (line.Length > 0)
        {
            _text.Append(' ', _depth * 4);
        }

        _text.Append(line).Append('\n');
        return this;
    }

    /// <summary>Writes <paramref name="header"/> and an opening brace, and indents.</summary>
    public CodeWriter Open(string header)
    {
        if (header.Length > 0)
        {
            Line(header);
        }

        Line("{");
        _depth++;
        return this;
    }

    /// <summary>Un-indents and writes a closing brace (with an optional suffix such as <c>;</c>).</summary>
    public CodeWriter Close(string suffix = "")
    {
        _depth--;
        Line("}" + suffix);
        return this;
    }

    /// <summary>
    /// Opens the namespace (when there is one) and the containing types, outermost first, that a partial
    /// declaration of a network sits in; returns how many <see cref="CloseScopes"/> closes.
    /// </summary>
    public int OpenScopes(string ns, IEnumerable<string> containingTypes)
    {
        int opened = 0;
        if (ns.Length > 0)
        {
            Open($"namespace {ns}");
            opened++;
        }

        foreach (string outer in containingTypes)
        {
            Open(outer);
            opened++;
        }

        return opened;
    }

    /// <summary>Closes what <see cref="OpenScopes"/> opened.</summary>
    public void CloseScopes(int opened)
    {
        for (int i = 0; i < opened; i++)
        {
            Close();
        }
    }

    public override string ToString() => _text.ToString();
}
