using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Xml.Linq;
using Xunit;

namespace NetGen.Tests.Plots;

/// <summary>
/// Reads an SVG written by <see cref="SvgPlot"/> back as XML: its charts, their ticks (label, value and position), and
/// the series' polylines and markers, so tests can check the picture against the numbers.
/// </summary>
internal sealed class SvgDocument
{
    public static readonly XNamespace Ns = "http://www.w3.org/2000/svg";

    private SvgDocument(XDocument document) => Document = document;

    public XDocument Document { get; }

    public XElement Root => Document.Root!;

    /// <summary>Parses <paramref name="svg"/> (failing the test if it is not well-formed XML).</summary>
    public static SvgDocument Parse(string svg)
    {
        XDocument document = XDocument.Parse(svg);
        Assert.Equal(Ns + "svg", document.Root!.Name);
        return new SvgDocument(document);
    }

    public IReadOnlyList<Chart> Charts =>
        Root.Elements(Ns + "svg").Where(e => Class(e) == "chart").Select(e => new Chart(e)).ToList();

    public IEnumerable<XElement> WithClass(string name) => Root.Descendants().Where(e => Class(e) == name);

    public static string? Class(XElement e) => (string?)e.Attribute("class");

    public static double Number(XElement e, string attribute) =>
        double.Parse((string)e.Attribute(attribute)!, NumberStyles.Float, CultureInfo.InvariantCulture);

    public static (double X, double Y)[] Points(XElement polyline) =>
        ((string)polyline.Attribute("points")!).Split(' ')
            .Select(p => p.Split(','))
            .Select(p => (double.Parse(p[0], CultureInfo.InvariantCulture), double.Parse(p[1], CultureInfo.InvariantCulture)))
            .ToArray();

    /// <summary>One nested <c>&lt;svg class="chart"&gt;</c>: a plot with its axes, series and legend.</summary>
    internal sealed class Chart
    {
        public Chart(XElement element) => Element = element;

        public XElement Element { get; }

        /// <summary>The chart's offset in the picture.</summary>
        public double OffsetX => Number(Element, "x");

        public double OffsetY => Number(Element, "y");

        public string? Title => Element.Elements(Ns + "text").Where(e => Class(e) == "title").Select(e => e.Value).SingleOrDefault();

        /// <summary>The ticks of the axis <c>x-axis</c> or <c>y-axis</c>: label, value and position on that axis.</summary>
        public IReadOnlyList<Tick> Ticks(string axis) =>
            Element.Elements(Ns + "g").Single(e => Class(e) == axis).Elements(Ns + "g").Where(e => Class(e) == "tick")
                .Select(e => new Tick(
                    e.Element(Ns + "text")!.Value,
                    Number(e, "data-value"),
                    Number(e.Element(Ns + "line")!, axis == "x-axis" ? "x1" : "y1")))
                .ToList();

        /// <summary>The position of the axis value <paramref name="value"/>, by the line through the first and last ticks.</summary>
        public double Position(string axis, double value)
        {
            IReadOnlyList<Tick> ticks = Ticks(axis);
            Tick a = ticks[0], b = ticks[^1];
            if (ticks.Count == 1)
            {
                Assert.Equal(a.Value, value);
                return a.Position;
            }

            return a.Position + ((value - a.Value) / (b.Value - a.Value) * (b.Position - a.Position));
        }

        public XElement Series(string name) =>
            Element.Elements(Ns + "g").Single(e => Class(e) == "series" && (string?)e.Attribute("data-name") == name);

        public IReadOnlyList<(double X, double Y)[]> Lines(string name) =>
            Series(name).Elements(Ns + "polyline").Select(Points).ToList();

        public IReadOnlyList<(double X, double Y)> Markers(string name) =>
            Series(name).Elements(Ns + "circle").Select(c => (Number(c, "cx"), Number(c, "cy"))).ToList();

        public XElement Frame => Element.Elements(Ns + "rect").Single(e => Class(e) == "frame");

        public IReadOnlyList<string> LegendNames =>
            Element.Elements(Ns + "g").Single(e => Class(e) == "legend").Elements(Ns + "text").Select(e => e.Value).ToList();
    }

    internal readonly record struct Tick(string Label, double Value, double Position);
}
