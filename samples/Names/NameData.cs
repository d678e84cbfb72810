using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;

namespace NetGen.Samples.Names;

/// <summary>
/// The names as sequences for a character-level language model: the unique names of female.txt and male.txt, a
/// vocabulary of the characters that occur plus a boundary token, a 90/10 split by name, and each name as 16 input
/// tokens <c>[boundary, c1 .. cn, pad ...]</c> with 16 targets <c>[c1 .. cn, boundary, ignore ...]</c>.
/// </summary>
internal sealed class NameData
{
    /// <summary>T: a name has at most 15 characters, so 16 steps hold it with its boundary token.</summary>
    public const int Steps = 16;

    /// <summary>The largest name: one step is taken by the boundary token.</summary>
    public const int MaxLength = Steps - 1;

    /// <summary>Token 0 starts and ends every name (and pads the inputs after its end, where nothing counts).</summary>
    public const int Boundary = 0;

    /// <summary>The target of a padding step: the loss leaves it out (PyTorch's default ignore_index).</summary>
    public const int IgnoreIndex = -100;

    /// <summary>The split's own seed: the same held-out names whatever <c>--seed</c> says.</summary>
    public const ulong SplitSeed = 2024;

    private readonly int[] _tokenOf = new int[128];

    private NameData(string[] all, string[] train, string[] heldOut, char[] characters)
    {
        All = all;
        Train = train;
        HeldOut = heldOut;
        Characters = characters;
        Array.Fill(_tokenOf, -1);
        for (int i = 0; i < characters.Length; i++)
        {
            _tokenOf[characters[i]] = i + 1;
        }
    }

    /// <summary>Every unique name, in ordinal order.</summary>
    public string[] All { get; }

    public string[] Train { get; }

    public string[] HeldOut { get; }

    /// <summary>The characters that occur, in ordinal order: token i + 1 is <c>Characters[i]</c>.</summary>
    public char[] Characters { get; }

    /// <summary>The characters plus the boundary token.</summary>
    public int Vocabulary => Characters.Length + 1;

    /// <summary>
    /// Reads female.txt and male.txt from <paramref name="directory"/>, keeps each name once (423 are in both
    /// lists and a few are repeated within one), sorts them ordinally and shuffles them with
    /// <see cref="SplitSeed"/>: the first tenth (rounded down) is held out, the rest trains.
    /// </summary>
    public static NameData Load(string directory)
    {
        var unique = new HashSet<string>(StringComparer.Ordinal);
        foreach (string file in new[] { "female.txt", "male.txt" })
        {
            foreach (string line in File.ReadLines(Path.Combine(directory, file)))
            {
                string name = line.Trim();
                if (name.Length == 0)
                {
                    continue;
                }

                if (name.Length > MaxLength || name.Any(c => c >= 128))
                {
                    throw new InvalidDataException($"{file}: '{name}' is longer than {MaxLength} characters or not ASCII.");
                }

                unique.Add(name);
            }
        }

        string[] all = unique.ToArray();
        Array.Sort(all, StringComparer.Ordinal);
        char[] characters = all.SelectMany(n => n).Distinct().OrderBy(c => c).ToArray();

        string[] shuffled = (string[])all.Clone();
        var rng = new Rng(SplitSeed);
        rng.Shuffle<string>(shuffled);
        int heldOut = all.Length / 10;
        return new NameData(all, shuffled[heldOut..], shuffled[..heldOut], characters);
    }

    public int TokenOf(char c) => _tokenOf[c];

    public char CharacterOf(int token) => Characters[token - 1];

    /// <summary>The names as a data set of token sequences with next-token targets.</summary>
    public Dataset ToDataset(string[] names)
    {
        var tokens = new int[names.Length * Steps];
        var targets = new int[names.Length * Steps];
        for (int s = 0; s < names.Length; s++)
        {
            Span<int> input = tokens.AsSpan(s * Steps, Steps);
            Span<int> target = targets.AsSpan(s * Steps, Steps);
            input.Fill(Boundary);
            target.Fill(IgnoreIndex);
            string name = names[s];
            for (int i = 0; i < name.Length; i++)
            {
                input[i + 1] = TokenOf(name[i]);
                target[i] = TokenOf(name[i]);
            }

            target[name.Length] = Boundary;
        }

        return Dataset.FromTokens(tokens, Steps, targets, IgnoreIndex, Vocabulary);
    }

    /// <summary>The characters of <paramref name="names"/>, each name's end counted as one: what a loss per character divides by.</summary>
    public static int CountedPositions(string[] names) => names.Sum(n => n.Length + 1);
}
