namespace NetGen.Tests.Kernels;

// The shapes the attention tests run: Steps T, Model d, Heads h, Causal; named A{h}_{T}_{d}[C].

internal readonly struct A1_1_4 : IAttentionLayer
{
    public static int Steps => 1;
    public static int Model => 4;
    public static int Heads => 1;
    public static bool Causal => false;
}

internal readonly struct A1_1_4C : IAttentionLayer
{
    public static int Steps => 1;
    public static int Model => 4;
    public static int Heads => 1;
    public static bool Causal => true;
}

internal readonly struct A1_7_4C : IAttentionLayer
{
    public static int Steps => 7;
    public static int Model => 4;
    public static int Heads => 1;
    public static bool Causal => true;
}

internal readonly struct A2_7_8 : IAttentionLayer
{
    public static int Steps => 7;
    public static int Model => 8;
    public static int Heads => 2;
    public static bool Causal => false;
}

internal readonly struct A2_16_8C : IAttentionLayer
{
    public static int Steps => 16;
    public static int Model => 8;
    public static int Heads => 2;
    public static bool Causal => true;
}

internal readonly struct A4_16_12 : IAttentionLayer
{
    public static int Steps => 16;
    public static int Model => 12;
    public static int Heads => 4;
    public static bool Causal => false;
}

internal readonly struct A4_16_12C : IAttentionLayer
{
    public static int Steps => 16;
    public static int Model => 12;
    public static int Heads => 4;
    public static bool Causal => true;
}

internal readonly struct A4_7_12C : IAttentionLayer
{
    public static int Steps => 7;
    public static int Model => 12;
    public static int Heads => 4;
    public static bool Causal => true;
}

internal readonly struct A2_16_12 : IAttentionLayer
{
    public static int Steps => 16;
    public static int Model => 12;
    public static int Heads => 2;
    public static bool Causal => false;
}

internal readonly struct A1_16_8C : IAttentionLayer
{
    public static int Steps => 16;
    public static int Model => 8;
    public static int Heads => 1;
    public static bool Causal => true;
}

internal readonly struct A4_1_8C : IAttentionLayer
{
    public static int Steps => 1;
    public static int Model => 8;
    public static int Heads => 4;
    public static bool Causal => true;
}

internal readonly struct A4_16_8 : IAttentionLayer
{
    public static int Steps => 16;
    public static int Model => 8;
    public static int Heads => 4;
    public static bool Causal => false;
}

internal readonly struct A2_40_48C : IAttentionLayer
{
    public static int Steps => 40;
    public static int Model => 48;
    public static int Heads => 2;
    public static bool Causal => true;
}

internal readonly struct A2_40_48 : IAttentionLayer
{
    public static int Steps => 40;
    public static int Model => 48;
    public static int Heads => 2;
    public static bool Causal => false;
}

/// <summary>Finite differences and causality: dk = 6 (no vector width divides it), T = 9.</summary>
internal readonly struct A2_9_12 : IAttentionLayer
{
    public static int Steps => 9;
    public static int Model => 12;
    public static int Heads => 2;
    public static bool Causal => false;
}

internal readonly struct A2_9_12C : IAttentionLayer
{
    public static int Steps => 9;
    public static int Model => 12;
    public static int Heads => 2;
    public static bool Causal => true;
}

/// <summary>The benchmark shape: T 64, d 64, 4 heads (T·T·d = 2^18, so a batch splits across threads).</summary>
internal readonly struct A4_64_64 : IAttentionLayer
{
    public static int Steps => 64;
    public static int Model => 64;
    public static int Heads => 4;
    public static bool Causal => false;
}

internal readonly struct A4_64_64C : IAttentionLayer
{
    public static int Steps => 64;
    public static int Model => 64;
    public static int Heads => 4;
    public static bool Causal => true;
}

/// <summary>T 70 (not a multiple of any width), dk 20 (a 16-wide vector and a 4-wide one), causal.</summary>
internal readonly struct A2_70_40C : IAttentionLayer
{
    public static int Steps => 70;
    public static int Model => 40;
    public static int Heads => 2;
    public static bool Causal => true;
}
