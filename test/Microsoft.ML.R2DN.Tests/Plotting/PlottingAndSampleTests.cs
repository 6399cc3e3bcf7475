using System.Xml.Linq;
using Microsoft.ML.R2DN.Plotting;
using Microsoft.ML.R2DN.Samples;

namespace Microsoft.ML.R2DN.Tests.Plotting;

public class PlottingAndSampleTests
{
    [Fact]
    public void SampleSystem_IsDeterministicBoundedAndDrivenByItsInput()
    {
        var a = SampleData.NonlinearSystem(3000, series: 2, seed: 4).ToList();
        var b = SampleData.NonlinearSystem(3000, series: 2, seed: 4).ToList();
        Assert.Equal(6000, a.Count);
        Assert.Equal(a.Select(r => r.Output), b.Select(r => r.Output));
        Assert.All(a, r => Assert.InRange(r.Output, 0f, 40f));
        Assert.Equal(["unit-1", "unit-2"], a.Select(r => r.Series).Distinct());
        // The output responds to the drive: correlation of the drive with the output a few steps later is clearly non-zero.
        var unit = a.Where(r => r.Series == "unit-1").ToArray();
        double best = Enumerable.Range(0, 12).Max(lag => Math.Abs(Correlation(unit[..^lag].Select(r => (double)r.Drive).ToArray(),
                                                                                unit[lag..].Select(r => (double)r.Output).ToArray())));
        Assert.True(best > 0.3, $"max |corr| = {best}");
    }

    [Fact]
    public void LoadNonlinearSystem_OnMlNetsDataCatalog_SameRowsAsTheEnumerable()
    {
        var ml = new MLContext(seed: 1);
        var data = ml.Data.LoadNonlinearSystem(length: 50, series: 2, seed: 4);
        Assert.Equal(["Series", "Step", "Drive", "Output"], data.Schema.Select(c => c.Name));
        var rows = ml.Data.CreateEnumerable<SystemSample>(data, reuseRowObject: false).ToList();
        var expected = SampleData.NonlinearSystem(50, series: 2, seed: 4).ToList();
        Assert.Equal(expected.Select(r => (r.Series, r.Step, r.Drive, r.Output)), rows.Select(r => (r.Series, r.Step, r.Drive, r.Output)));
    }

    private static double Correlation(double[] x, double[] y)
    {
        double mx = x.Average(), my = y.Average(), sxy = 0, sxx = 0, syy = 0;
        for (int i = 0; i < x.Length; i++) { sxy += (x[i] - mx) * (y[i] - my); sxx += (x[i] - mx) * (x[i] - mx); syy += (y[i] - my) * (y[i] - my); }
        return sxy / Math.Sqrt(sxx * syy);
    }

    [Fact]
    public void Chart_RendersWellFormedSvgWithEverySeries()
    {
        var x = Enumerable.Range(0, 50).Select(i => (double)i).ToArray();
        var y = x.Select(v => Math.Sin(v / 5)).ToArray();
        var svg = new SvgChart { Title = "Forecast <test> & more", XLabel = "step", YLabel = "value", MarkerX = 30, MarkerLabel = "forecast" }
            .Add(new BandSeries("95% interval", x, y.Select(v => v - 0.2).ToArray(), y.Select(v => v + 0.2).ToArray(), "#1f77b4"))
            .Add(new LineSeries("actual", x, y, "#222"))
            .Add(new LineSeries("forecast", x, y.Select(v => v + 0.05).ToArray(), "#1f77b4", Dashed: true))
            .Render();
        var doc = XDocument.Parse(svg);
        XNamespace ns = "http://www.w3.org/2000/svg";
        Assert.Equal(2, doc.Descendants(ns + "path").Count());
        Assert.Single(doc.Descendants(ns + "polygon"));
        Assert.Contains("Forecast &lt;test&gt; &amp; more", svg);
        Assert.Contains("95% interval", svg);
    }

    [Fact]
    public void Chart_LogScale_SkipsNonPositiveValues_AndRejectsEmptyCharts()
    {
        var svg = new SvgChart { LogY = true }.Add(new LineSeries("loss", [0, 1, 2, 3], [10, 1, 0, 0.01], "red")).Render();
        Assert.Contains("M", svg);
        Assert.Throws<InvalidOperationException>(() => new SvgChart().Render());
        Assert.Throws<ArgumentException>(() => new SvgChart().Add(new LineSeries("bad", [1, 2], [1], "red")));
        Assert.Equal([0.0, 0.5, 1.0], SvgChart.Ticks(0, 1, 2));
    }
}
