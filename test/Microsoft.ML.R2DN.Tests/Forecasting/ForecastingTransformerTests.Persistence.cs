using System.Text.Json.Nodes;
using Microsoft.ML.R2DN.Forecasting;
using Microsoft.ML.R2DN.ModelFiles;
using static Microsoft.ML.R2DN.Tests.Forecasting.ForecastingTestData;

namespace Microsoft.ML.R2DN.Tests.Forecasting;

/// <summary>Saving and loading forecasters.</summary>
public sealed partial class ForecastingTransformerTests
{
    private static byte[] Save(MLContext ml, ITransformer model, IDataView data)
    {
        using var stream = new MemoryStream();
        ml.Model.Save(model, data.Schema, stream);
        return stream.ToArray();
    }

    private static ITransformer Load(MLContext ml, byte[] file) => ml.Model.Load(new MemoryStream(file), out _);

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void SaveThenLoad_Always_IdenticalTransformOutputAndVerifiedCertificate(bool multi)
    {
        var (model, data) = multi ? (fixture.MultiModel, fixture.MultiData) : (fixture.Model, fixture.Data);
        var loaded = Assert.IsType<ForecastingTransformer>(Load(fixture.Ml, Save(fixture.Ml, model, data)));
        Assert.True(loaded.Certificate.IsVerified);
        Assert.Equal(model.Certificate.Statement, loaded.Certificate.Statement);
        Assert.Equal(model.TrainingLoss, loaded.TrainingLoss);
        Assert.Equal(model.Horizon, loaded.Horizon);
        Assert.Equal(model.ConfidenceLevel, loaded.ConfidenceLevel);
        Assert.Equal(model.TargetColumnNames, loaded.TargetColumnNames);
        Assert.Equal(model.FeatureColumnNames, loaded.FeatureColumnNames);
        Assert.Equal(model.SeriesIdColumnName, loaded.SeriesIdColumnName);
        Assert.Equal(model.GetIntervalHalfWidths(0.8f), loaded.GetIntervalHalfWidths(0.8f));
        var before = model.Transform(data);
        var after = loaded.Transform(data);
        foreach (var column in new[] { "Forecast", "Lower", "Upper" })
            Assert.Equal(Column(fixture.Ml, before, column), Column(fixture.Ml, after, column));
    }

    [Fact]
    public void SaveThenLoad_File_WritesNpyEntriesNamedAfterTheParts()
    {
        using var dir = new Data.TempDirectory();
        string path = Path.Combine(dir.Path, "forecaster.zip");
        fixture.Ml.Model.Save(fixture.Model, fixture.Data.Schema, path);
        var (manifest, arrays) = ModelArchive.ReadFile(path);
        var entry = manifest["transformers"]![0]!.AsObject();
        Assert.Equal("ForecastingTransformer", (string?)entry["type"]);
        Assert.Equal("Load", (string?)entry["targetColumns"]![0]);
        Assert.Contains("transformers/0/model/X", arrays.Keys);
        Assert.Contains("transformers/0/calibrationResiduals", arrays.Keys);
        Assert.Contains("transformers/0/targetMean", arrays.Keys);
        var loaded = fixture.Ml.Model.Load(path, out var schema);
        Assert.NotNull(schema.GetColumnOrNull("Load"));
        Assert.IsType<ForecastingTransformer>(loaded);
    }

    [Fact]
    public void Load_DamagedParts_FormatExceptionSaysWhat()
    {
        var file = Save(fixture.Ml, fixture.Model, fixture.Data);
        byte[] Edit(Action<JsonObject, Dictionary<string, (int[] Shape, double[] Data)>> edit)
        {
            var (manifest, arrays) = ModelArchive.Read(new MemoryStream(file));
            edit(manifest["transformers"]![0]!.AsObject(), arrays);
            using var ms = new MemoryStream();
            ModelArchive.Write(ms, manifest, arrays.Select(kv => (kv.Key, kv.Value.Shape, kv.Value.Data)).ToList());
            return ms.ToArray();
        }
        void AssertDamaged(byte[] damaged, string fragment)
        {
            var e = Assert.Throws<FormatException>(() => Load(fixture.Ml, damaged));
            Assert.Contains(fragment, e.Message);
        }
        AssertDamaged(Edit((_, a) => a.Remove("transformers/0/calibrationResiduals")), "calibrationResiduals");
        AssertDamaged(Edit((t, _) => t["horizon"] = 7), "inputs and");
        AssertDamaged(Edit((_, a) => a["transformers/0/targetStd"] = ([1], [-1.0])), "standard deviation");
        AssertDamaged(Edit((t, _) => t["missingValues"] = "Sometimes"), "missingValues");
        // A parameter changed by hand still loads only if the certificate verifies; a non-finite one never does.
        AssertDamaged(Edit((_, a) => a["transformers/0/model/X"].Data[0] = double.NaN), "X");
    }
}
