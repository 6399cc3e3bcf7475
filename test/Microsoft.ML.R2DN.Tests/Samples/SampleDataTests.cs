using Microsoft.ML.R2DN.Samples;

namespace Microsoft.ML.R2DN.Tests.Samples;

/// <summary>The built-in sample system and its loader on ML.NET's data catalog.</summary>
public class SampleDataTests
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
        // The output responds to the drive: the drive's correlation with the output a few steps later is clearly
        // non-zero.
        var unit = a.Where(r => r.Series == "unit-1").ToArray();
        double best = Enumerable.Range(0, 12).Max(lag => Math.Abs(Correlation(
            [.. unit[..^lag].Select(r => (double)r.Drive)], [.. unit[lag..].Select(r => (double)r.Output)])));
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
        Assert.Equal(expected.Select(r => (r.Series, r.Step, r.Drive, r.Output)),
                     rows.Select(r => (r.Series, r.Step, r.Drive, r.Output)));
    }

    private static double Correlation(double[] x, double[] y)
    {
        double mx = x.Average(), my = y.Average(), sxy = 0, sxx = 0, syy = 0;
        for (int i = 0; i < x.Length; i++)
        {
            sxy += (x[i] - mx) * (y[i] - my);
            sxx += (x[i] - mx) * (x[i] - mx);
            syy += (y[i] - my) * (y[i] - my);
        }
        return sxy / Math.Sqrt(sxx * syy);
    }
}
