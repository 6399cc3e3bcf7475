using System.IO.Compression;
using System.Text.Json.Nodes;
using Microsoft.ML.R2DN.Forecasting;
using Microsoft.ML.R2DN.ModelFiles;
using static Microsoft.ML.R2DN.Tests.Forecasting.ForecastingTestData;

namespace Microsoft.ML.R2DN.Tests.Forecasting;

/// <summary>Saving and loading forecasters through ML.NET's model catalog, and damaged files.</summary>
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
        var file = Save(fixture.Ml, model, data);
        var ml = new MLContext(seed: 99);   // another context, as in another process
        var loaded = ml.Model.Load(new MemoryStream(file), out var inputSchema);
        Assert.IsType<TransformerChain<ITransformer>>(loaded);
        Assert.Equal(data.Schema.Select(c => c.Name), inputSchema.Select(c => c.Name));

        // The ML.NET chain itself scores: same schema and the same values as the transformer in memory.
        var before = model.Transform(data);
        var after = loaded.Transform(data);
        Assert.Equal(before.Schema.Select(c => (c.Name, c.Type.ToString())),
                     after.Schema.Select(c => (c.Name, c.Type.ToString())));
        foreach (var column in new[] { "Forecast", "Lower", "Upper" })
            Assert.Equal(Column(fixture.Ml, before, column), Column(ml, after, column));

        // The transformer recovered from the chain: certificate re-verified, the same settings and outputs.
        var recovered = loaded.GetForecaster();
        Assert.True(recovered.Certificate.IsVerified);
        Assert.Equal(model.Certificate.Statement, recovered.Certificate.Statement);
        Assert.Equal(model.TrainingLoss, recovered.TrainingLoss);
        Assert.Equal(model.Horizon, recovered.Horizon);
        Assert.Equal(model.ConfidenceLevel, recovered.ConfidenceLevel);
        Assert.Equal(model.TargetColumnNames, recovered.TargetColumnNames);
        Assert.Equal(model.FeatureColumnNames, recovered.FeatureColumnNames);
        Assert.Equal(model.SeriesIdColumnName, recovered.SeriesIdColumnName);
        Assert.Equal(model.GetIntervalHalfWidths(0.8f), recovered.GetIntervalHalfWidths(0.8f));
        var again = recovered.Transform(data);
        foreach (var column in new[] { "Forecast", "Lower", "Upper" })
            Assert.Equal(Column(fixture.Ml, before, column), Column(ml, again, column));
    }

    [Fact]
    public void SaveThenLoad_ModelWhoseOutputFillsItsTier_Identical()
    {
        // Horizon 4 and one target: four values, the size of the smallest carrier tier (no slot selection).
        var ml = new MLContext(seed: 2);
        var data = ml.Data.LoadFromEnumerable(Seasonal(80));
        var options = SmallR2dn(horizon: 4);
        options.Epochs = 2;
        options.ConfidenceLowerBoundColumn = "Lower";
        options.ConfidenceUpperBoundColumn = "Upper";
        var model = ml.Forecasting.R2DN(options).Fit(data);
        var loaded = Load(ml, Save(ml, model, data));
        var after = loaded.Transform(data);
        Assert.Equal(new VectorDataViewType(NumberDataViewType.Single, 4), after.Schema["Forecast"].Type);
        foreach (var column in new[] { "Forecast", "Lower", "Upper" })
            Assert.Equal(Column(ml, model.Transform(data), column), Column(ml, after, column));
    }

    [Fact]
    public void SaveThenLoad_ReadByCreateEnumerable_SameForecasts()
    {
        var loaded = Load(fixture.Ml, Save(fixture.Ml, fixture.Model, fixture.Data));
        var rows = fixture.Ml.Data.CreateEnumerable<ForecastRow>(loaded.Transform(fixture.Data),
                                                                 reuseRowObject: false).ToList();
        var expected = Column(fixture.Ml, fixture.Model.Transform(fixture.Data), "Forecast");
        Assert.Equal(expected.Length, rows.Count);
        for (int t = 0; t < rows.Count; t += 17)
            Assert.Equal(expected[t], rows[t].Forecast);
    }

    private sealed class ForecastRow
    {
        [VectorType(6)]
        public float[] Forecast { get; set; } = [];
    }

    [Fact]
    public void SaveThenLoad_FittedPipeline_IdenticalTransformAndForecasterRecovered()
    {
        var ml = new MLContext(seed: 7);
        var rows = Seasonal(120);
        var data = ml.Data.LoadFromEnumerable(rows);
        var options = SmallR2dn(horizon: 3);
        options.Epochs = 2;
        options.InputColumnName = "Scaled";
        var pipeline = ml.Transforms.NormalizeMeanVariance("Scaled", "Load").Append(ml.Forecasting.R2DN(options));
        var model = pipeline.Fit(data);
        var loaded = Load(ml, Save(ml, model, data));
        Assert.Equal(Column(ml, model.Transform(data), "Forecast"), Column(ml, loaded.Transform(data), "Forecast"));
        Assert.True(loaded.GetForecaster().Certificate.IsVerified);
        Assert.Equal(model.LastTransformer.Certificate.Statement, loaded.GetForecaster().Certificate.Statement);
    }

    [Fact]
    public void SaveThenLoad_File_ExportNpyWritesManifestAndArraysNamedAfterTheParts()
    {
        using var dir = new Data.TempDirectory();
        string path = Path.Combine(dir.Path, "forecaster.zip");
        fixture.Ml.Model.Save(fixture.Model, fixture.Data.Schema, path);
        // The file is an ML.NET model zip (ML.NET's own layout), not our archive.
        using (var zip = ZipFile.OpenRead(path))
            Assert.DoesNotContain(zip.Entries, e => e.FullName == ModelArchive.ManifestEntryName);
        var loaded = fixture.Ml.Model.Load(path, out var schema);
        Assert.NotNull(schema.GetColumnOrNull("Load"));
        Assert.IsType<ForecastingTransformer>(loaded.GetForecaster());

        foreach (var written in new[]
                 {
                     R2dnModelFile.ExportNpy(fixture.Ml, path, Path.Combine(dir.Path, "fromFile")),
                     R2dnModelFile.ExportNpy(fixture.Model, Path.Combine(dir.Path, "fromMemory")),
                     R2dnModelFile.ExportNpy(loaded, Path.Combine(dir.Path, "fromLoaded")),
                 })
        {
            string folder = Path.GetDirectoryName(written[0])!;
            Assert.Equal(Path.Combine(folder, "manifest.json"), written[0]);
            var manifest = JsonNode.Parse(File.ReadAllText(written[0]))!.AsObject();
            Assert.Equal(ModelArchive.FormatName, (string?)manifest["format"]);
            Assert.Equal(ModelArchive.FormatVersion, (int?)manifest["formatVersion"]);
            var entry = manifest["transformers"]![0]!.AsObject();
            Assert.Equal("ForecastingTransformer", (string?)entry["type"]);
            Assert.Equal("Load", (string?)entry["targetColumns"]![0]);
            var names = written.Skip(1).Select(p => Path.GetRelativePath(folder, p).Replace(Path.DirectorySeparatorChar,
                '/')).ToList();
            Assert.Contains("parameters/transformers/0/model/X.npy", names);
            Assert.Contains("parameters/transformers/0/calibrationResiduals.npy", names);
            Assert.Contains("parameters/transformers/0/targetMean.npy", names);
            Assert.All(written.Skip(1), p => Assert.EndsWith(".npy", p, StringComparison.Ordinal));
            var (shape,
                 values) = NpyFormat.Read(File.ReadAllBytes(Path.Combine(folder,
                                                                         "parameters/transformers/0/targetMean.npy")),
                                                                             "targetMean", 1 << 20);
            Assert.Equal([1], shape);
            Assert.True(double.IsFinite(values[0]));
        }
        // The three exports are the same bytes.
        string[] Files(string sub)
        {
            string root = Path.Combine(dir.Path, sub);
            return Directory.GetFiles(root, "*", SearchOption.AllDirectories)
                            .Select(f => Path.GetRelativePath(root, f)).Order(StringComparer.Ordinal).ToArray();
        }
        Assert.Equal(Files("fromFile"), Files("fromMemory"));
        foreach (var f in Files("fromFile"))
        {
            Assert.Equal(File.ReadAllBytes(Path.Combine(dir.Path, "fromFile", f)),
                         File.ReadAllBytes(Path.Combine(dir.Path, "fromMemory", f)));
            Assert.Equal(File.ReadAllBytes(Path.Combine(dir.Path, "fromFile", f)),
                         File.ReadAllBytes(Path.Combine(dir.Path, "fromLoaded", f)));
        }
    }

    [Fact]
    public void ExportNpy_BadArguments_Throw()
    {
        using var dir = new Data.TempDirectory();
        var notOurs = fixture.Ml.Transforms.CopyColumns("Copy", "Load").Fit(fixture.Data);
        Assert.Throws<ArgumentException>("model", () => R2dnModelFile.ExportNpy(notOurs, dir.Path));
        Assert.Throws<FileNotFoundException>(() => R2dnModelFile.ExportNpy(fixture.Ml,
                                                                           Path.Combine(dir.Path, "none.zip"),
                                                                               dir.Path));
        Assert.Throws<ArgumentException>(() => R2dnModelFile.ExportNpy(fixture.Model, ""));
    }

    [Fact]
    public void GetForecaster_ModelWithoutOne_ArgumentException()
    {
        var notOurs = fixture.Ml.Transforms.CopyColumns("Copy", "Load").Fit(fixture.Data);
        Assert.Throws<ArgumentException>("model", () => notOurs.GetForecaster());
        var loaded = Load(fixture.Ml, Save(fixture.Ml, notOurs, fixture.Data));
        Assert.Throws<ArgumentException>("model", () => loaded.GetForecaster());
        Assert.Throws<ArgumentException>("model", () => fixture.Model.GetSimulator());
    }

    [Fact]
    public void CreatePredictionEngine_OnTheForecaster_IsRefusedAsNotRowToRow()
    {
        Assert.False(((ITransformer)fixture.Model).IsRowToRowMapper);
        var e = Assert.Throws<ArgumentOutOfRangeException>(
            () => fixture.Ml.Model.CreatePredictionEngine<LoadRow, LoadForecast>(fixture.Model));
        Assert.Contains("row to row", e.Message);
    }

    // The loaded model is ML.NET components only, and its scorer is a stateful custom mapping: ML.NET's own prediction
    // engine runs it, keeping the state between calls (one state per engine), so it gives the transform's rows in
    // order.
    [Fact]
    public void CreatePredictionEngine_OnTheLoadedChain_KeepsTheStateBetweenCalls()
    {
        var loaded = Load(fixture.Ml, Save(fixture.Ml, fixture.Model, fixture.Data));
        var expected = Column(fixture.Ml, fixture.Model.Transform(fixture.Data), "Forecast");
        var engine = fixture.Ml.Model.CreatePredictionEngine<LoadRow, ForecastRow>(loaded);
        for (int t = 0; t < 10; t++)
            Assert.Equal(expected[t], engine.Predict(fixture.Rows[t]).Forecast);
    }

    // The inner archive (our manifest and .npy arrays, carried inside the ML.NET zip) damaged by hand: decoding it, as
    // loading a model file does, gives a FormatException that says what is wrong.
    [Fact]
    public void Decode_DamagedInnerArchive_FormatExceptionSaysWhat()
    {
        var archive = TransformerArchive.Encode(fixture.Model);
        Assert.IsType<ForecastingTransformer>(TransformerArchive.Decode(Convert.ToBase64String(archive)));
        string Edit(Action<JsonObject, Dictionary<string, (int[] Shape, double[] Data)>> edit)
        {
            var (manifest, arrays) = ModelArchive.Read(new MemoryStream(archive));
            edit(manifest["transformers"]![0]!.AsObject(), arrays);
            using var ms = new MemoryStream();
            ModelArchive.Write(ms, manifest, arrays.Select(kv => (kv.Key, kv.Value.Shape, kv.Value.Data)).ToList());
            return Convert.ToBase64String(ms.ToArray());
        }
        void AssertDamaged(string damaged, string fragment)
        {
            var e = Assert.Throws<FormatException>(() => TransformerArchive.Decode(damaged));
            Assert.Contains(fragment, e.Message);
        }
        AssertDamaged(Edit((_, a) => a.Remove("transformers/0/calibrationResiduals")), "calibrationResiduals");
        AssertDamaged(Edit((t, _) => t["horizon"] = 7), "inputs and");
        AssertDamaged(Edit((_, a) => a["transformers/0/targetStd"] = ([1], [-1.0])), "standard deviation");
        AssertDamaged(Edit((t, _) => t["missingValues"] = "Sometimes"), "missingValues");
        // A parameter changed by hand still loads only if the certificate verifies; a non-finite one never does.
        AssertDamaged(Edit((_, a) => a["transformers/0/model/X"].Data[0] = double.NaN), "X");
        AssertDamaged(Edit((t, _) => t["type"] = "SomethingElse"), "unknown transformer type 'SomethingElse'");
        AssertDamaged("not base64!", "not valid base64");
        AssertDamaged(Convert.ToBase64String("hello"u8.ToArray()), "not a model file");
    }

    [Fact]
    public void FromArchive_DamagedManifest_FormatExceptionSaysWhat()
    {
        var (manifest, arrays) = TransformerArchive.Describe(fixture.Model);
        var readArrays = arrays.ToDictionary(a => a.Item1, a => (a.Item2, a.Item3));
        JsonObject Copy(Action<JsonObject> edit)
        {
            var m = JsonNode.Parse(manifest.ToJsonString())!.AsObject();
            edit(m);
            return m;
        }
        void AssertDamaged(JsonObject m, string fragment)
        {
            var e = Assert.Throws<FormatException>(() => TransformerArchive.FromArchive(m, readArrays));
            Assert.StartsWith(ModelFileErrors.DamagedPrefix, e.Message);
            Assert.Contains(fragment, e.Message);
        }
        Assert.IsType<ForecastingTransformer>(TransformerArchive.FromArchive(Copy(_ => { }), readArrays));
        AssertDamaged(Copy(m => m.Remove("transformers")), "does not describe one R2DN/REN transformer");
        AssertDamaged(Copy(m => m["transformers"] = new JsonArray()), "does not describe one R2DN/REN transformer");
        AssertDamaged(Copy(m => m.Remove("inputSchema")), "the input schema is missing");
        AssertDamaged(Copy(m => m["inputSchema"]![0]!.AsObject().Remove("type")), "has no name or type");
        AssertDamaged(Copy(m => m["inputSchema"]![0]!["type"] = "Quaternion"), "unknown column type 'Quaternion'");
        AssertDamaged(Copy(m => m["inputSchema"]![0]!["keyValues"] = new JsonArray("a")), "do not match its type");
    }

    // Damage to the ML.NET zip itself. ML.NET reads the zip, so what comes out of ml.Model.Load is ML.NET's exception:
    // FormatException, InvalidDataException, InvalidOperationException ("Error during class instantiation") and, for
    // damage inside a component's stream, a bare TargetInvocationException from ML.NET's reflection-based loaders.
    // Damage to the bytes of our own archive (carried as text inside the zip) loads, and fails when the chain first
    // runs: ML.NET wraps our FormatException in InvalidOperationExceptions. No damage may pass silently.
    [Fact]
    public void Load_DamagedMlNetZip_NeverPassesSilently()
    {
        var file = Save(fixture.Ml, fixture.Model, fixture.Data);
        var expected = Column(fixture.Ml, fixture.Model.Transform(fixture.Data), "Forecast");
        var seen = new SortedDictionary<string, int>(StringComparer.Ordinal);
        void Note(string stage, Exception e)
        {
            string key = $"{stage}: {e.GetType().Name}";
            for (var inner = e.InnerException; inner is not null; inner = inner.InnerException)
                key += " <- " + inner.GetType().Name;
            seen[key] = seen.GetValueOrDefault(key) + 1;
            Assert.True(e is FormatException or InvalidDataException or InvalidOperationException
                        or System.Reflection.TargetInvocationException,
                        $"{stage}: {e}");
        }

        foreach (int length in new[] { 0, 10, file.Length / 4, file.Length / 2, file.Length - 30, file.Length - 1 })
        {
            var e = Record.Exception(() => Load(fixture.Ml, file[..length]));
            Assert.NotNull(e);
            Note("truncated", e);
        }

        var rng = new Random(3);
        int passed = 0;
        for (int i = 0; i < 60; i++)
        {
            var damaged = (byte[])file.Clone();
            damaged[rng.Next(damaged.Length)] ^= 0x5A;
            ITransformer? loaded = null;
            var e = Record.Exception(() => loaded = Load(fixture.Ml, damaged));
            if (e is not null)
            {
                Note("load", e);
                continue;
            }
            float[][]? forecasts = null;
            e = Record.Exception(() => forecasts = Column(fixture.Ml, loaded!.Transform(fixture.Data), "Forecast"));
            if (e is not null)
            {
                Note("transform", e);
                // The cause, inside ML.NET's wrappers, is ours and says what is damaged; recovering the model says it
                // directly.
                var causes = new List<Exception>();
                for (var x = e; x is not null; x = x.InnerException) causes.Add(x);
                Assert.Contains(causes,
                                x => x is FormatException
                                    && x.Message.StartsWith(ModelFileErrors.DamagedPrefix, StringComparison.Ordinal));
                var direct = Assert.Throws<FormatException>(() => loaded!.GetForecaster());
                Assert.StartsWith(ModelFileErrors.DamagedPrefix, direct.Message);
                continue;
            }
            // A byte that does not matter (a timestamp, say): the model is exactly the one saved.
            Assert.Equal(expected, forecasts);
            Assert.True(loaded!.GetForecaster().Certificate.IsVerified);
            passed++;
        }
        output.WriteLine($"{file.Length} bytes; {passed} flips changed nothing");
        foreach (var (key, count) in seen) output.WriteLine($"{count,3} {key}");
    }

    // R2dnModelFile.Load, for files from elsewhere: every damage is a FormatException, found at load (the R2DN/REN part
    // is rebuilt and verified at once), never at the first row.
    [Fact]
    public void SafeLoad_DamagedFiles_AlwaysFormatExceptionAtLoad()
    {
        var file = Save(fixture.Ml, fixture.Model, fixture.Data);
        var expected = Column(fixture.Ml, fixture.Model.Transform(fixture.Data), "Forecast");
        var loadedWhole = R2dnModelFile.Load(fixture.Ml, new MemoryStream(file), out var schema);
        Assert.NotNull(schema.GetColumnOrNull("Load"));
        Assert.Equal(expected, Column(fixture.Ml, loadedWhole.Transform(fixture.Data), "Forecast"));

        var damagedFiles = new List<byte[]>();
        foreach (int length in new[] { 0, 10, file.Length / 4, file.Length / 2, file.Length - 30, file.Length - 1 })
            damagedFiles.Add(file[..length]);
        var rng = new Random(3);
        for (int i = 0; i < 60; i++)
        {
            var damaged = (byte[])file.Clone();
            damaged[rng.Next(damaged.Length)] ^= 0x5A;
            damagedFiles.Add(damaged);
        }
        var messages = new SortedSet<string>(StringComparer.Ordinal);
        foreach (var damaged in damagedFiles)
        {
            ITransformer? loaded = null;
            var e = Record.Exception(() => loaded = R2dnModelFile.Load(fixture.Ml, new MemoryStream(damaged), out _));
            if (e is not null)
            {
                Assert.True(e is FormatException, e.ToString());
                messages.Add(e.Message.Length > 70 ? e.Message[..70] : e.Message);
                continue;
            }
            Assert.Equal(expected, Column(fixture.Ml, loaded!.Transform(fixture.Data), "Forecast"));
        }
        foreach (var m in messages) output.WriteLine(m);
    }

    [Fact]
    public void SafeLoad_Limits_RefuseBeforeMlNetReads()
    {
        using var dir = new Data.TempDirectory();
        var file = Save(fixture.Ml, fixture.Model, fixture.Data);
        var e = Assert.Throws<FormatException>(() =>
            R2dnModelFile.Load(fixture.Ml, new MemoryStream(file), out _,
                               new ModelArchiveLimits { MaxArchiveBytes = file.Length - 1 }));
        Assert.Contains("larger than the limit", e.Message);
        e = Assert.Throws<FormatException>(() =>
            R2dnModelFile.Load(fixture.Ml, new MemoryStream(file), out _, new ModelArchiveLimits { MaxEntries = 2 }));
        Assert.Contains("entries, more than the limit of 2", e.Message);
        Assert.Throws<ArgumentOutOfRangeException>(() =>
            R2dnModelFile.Load(fixture.Ml, new MemoryStream(file), out _, new ModelArchiveLimits { MaxEntries = 0 }));

        // An entry that climbs out of the archive.
        var withEvil = new MemoryStream();
        withEvil.Write(file);
        using (var zip = new ZipArchive(withEvil, ZipArchiveMode.Update, leaveOpen: true))
        using (var s = zip.CreateEntry("../evil.txt").Open())
            s.Write("x"u8);
        e = Assert.Throws<FormatException>(() =>
                                           R2dnModelFile.Load(fixture.Ml, new MemoryStream(withEvil.ToArray()), out _));
        Assert.Contains("'../evil.txt' is not allowed", e.Message);

        e = Assert.Throws<FormatException>(() => R2dnModelFile.Load(fixture.Ml,
                                                                    new MemoryStream("not a zip"u8.ToArray()), out _));
        Assert.StartsWith("The file is not a model file", e.Message);
        Assert.Throws<FileNotFoundException>(() =>
                                             R2dnModelFile.Load(fixture.Ml, Path.Combine(dir.Path, "none.zip"), out _));
        string path = Path.Combine(dir.Path, "model.zip");
        File.WriteAllBytes(path, file);
        Assert.True(R2dnModelFile.Load(fixture.Ml, path, out _).GetForecaster().Certificate.IsVerified);
    }
}
