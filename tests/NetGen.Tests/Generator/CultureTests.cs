using System.Globalization;
using Xunit;

namespace NetGen.Tests.Generator;

/// <summary>
/// The generated source does not depend on the machine's culture: the same text under a culture that writes minus as
/// U+2212, decimals with a comma and groups with a no-break space as under the invariant culture (the Regex
/// generator's test). The project builds with InvariantGlobalization, under which named cultures are the invariant one,
/// so the culture here is made by hand: a writable clone whose number format is changed, which formatting honours in
/// either mode.
/// </summary>
public sealed class CultureTests
{
    [Fact]
    public void The_generated_source_is_the_same_under_a_culture_with_another_minus_sign()
    {
        string[] sources =
        {
            SnapshotTests.ZooSource,       // negative leaky slopes, dropout rates
            SnapshotTests.BatchNormSource, // momentum and epsilon
            ConvolutionSnapshotTests.LeNetSource,
        };
        GeneratorResult invariant = GeneratorHarness.Run(sources);

        var culture = (CultureInfo)CultureInfo.InvariantCulture.Clone();
        culture.NumberFormat.NegativeSign = "\u2212";
        culture.NumberFormat.NumberDecimalSeparator = ",";
        culture.NumberFormat.NumberGroupSeparator = "\u00A0";
        Assert.Equal("\u22121,5", (-1.5f).ToString(culture)); // the culture does change formatting here

        CultureInfo saved = CultureInfo.CurrentCulture, savedUi = CultureInfo.CurrentUICulture;
        GeneratorResult local;
        try
        {
            CultureInfo.CurrentCulture = culture;
            CultureInfo.CurrentUICulture = culture;
            local = GeneratorHarness.Run(sources);
        }
        finally
        {
            CultureInfo.CurrentCulture = saved;
            CultureInfo.CurrentUICulture = savedUi;
        }

        Assert.Equal(invariant.Sources.Keys, local.Sources.Keys);
        foreach ((string name, string text) in invariant.Sources)
        {
            Assert.Equal(text, local.Sources[name]); // (the math comments write − themselves, in both)
        }
    }
}
