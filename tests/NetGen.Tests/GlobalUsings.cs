// Tests reach the runtime's kernels and what generated code calls, as the generated code does.
global using NetGen.CompilerServices;
