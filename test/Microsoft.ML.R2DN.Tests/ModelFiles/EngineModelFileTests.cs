using System.Reflection;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.ML.R2DN.Engine.Models;
using Microsoft.ML.R2DN.ModelFiles;
using static Microsoft.ML.R2DN.Tests.ModelFiles.ModelFileTestData;

namespace Microsoft.ML.R2DN.Tests.ModelFiles;

public sealed class EngineModelFileTests
{
    public static TheoryData<string> AllCases => CaseData;

    [Theory]
    [MemberData(nameof(AllCases))]
    public void SaveThenLoad_EveryKind_GivesTheSameModel(string name)
    {
        var original = CreateModel(name);
        var (loaded, certificate, manifest) = Load(new MemoryStream(SaveToBytes(original)));

        Assert.Equal(original.GetType(), loaded.GetType());
        Assert.Equal(original.Parameters.Select(BitConverter.DoubleToInt64Bits),
                     loaded.Parameters.Select(BitConverter.DoubleToInt64Bits));
        Assert.Equal(original.Layout.Groups.Select(g => (g.Name, string.Join(",", g.Shape), g.Offset)),
                     loaded.Layout.Groups.Select(g => (g.Name, string.Join(",", g.Shape), g.Offset)));
        AssertSameConfiguration(original, loaded);
        Assert.True(certificate.IsVerified);
        Assert.Equal(original.Certify().MaxEigenvalue, certificate.MaxEigenvalue);
        Assert.Equal(name.Split('-')[0], manifest["model"]!["kind"]!.GetValue<string>());

        // Same outputs and final state, bit for bit.
        loaded.Threads = 1;
        const int T = 9, B = 3;
        var rng = new Random(42);
        var x0 = Enumerable.Range(0, B * original.StateSize).Select(_ => (float)rng.NextDouble() - 0.5f).ToArray();
        var u = Enumerable.Range(0,
                                 T * B * original.InputSize).Select(_ => (float)(2 * rng.NextDouble() - 1)).ToArray();
        var (y1, x1) = (new float[T * B * original.OutputSize], new float[B * original.StateSize]);
        var (y2, x2) = (new float[y1.Length], new float[x1.Length]);
        original.Simulate(x0, u, T, B, y1, x1);
        loaded.Simulate(x0, u, T, B, y2, x2);
        Assert.Equal(y1, y2);
        Assert.Equal(x1, x2);
        Assert.Contains(y1, v => v != 0);
    }

    [Fact]
    public void SaveThenLoad_ThroughAFile_KeepsTheCallersManifest()
    {
        using var folder = new TempFolder();
        string path = folder.File("r2dn.zip");
        var model = CreateModel("LipschitzR2dn");
        using (var file = File.Create(path))
            Save(file, model, new JsonObject { ["schema"] = new JsonArray("Load", "Temperature") });

        using var read = File.OpenRead(path);
        var (loaded, _, manifest) = Load(read);

        Assert.Equal(model.Parameters, loaded.Parameters);
        Assert.Equal("Temperature", manifest["schema"]![1]!.GetValue<string>());
        Assert.Equal(["r2dn.zip"], folder.Listing());
    }

    [Fact]
    public void Save_WritesEveryGroupAsAnNpyNamedAsInModelsMd()
    {
        var model = CreateModel("ContractingR2dn");
        var (_, arrays) = ModelArchive.Read(new MemoryStream(SaveToBytes(model)));
        Assert.Equal(model.Layout.Groups.Select(g => g.Name).Order(StringComparer.Ordinal),
                     arrays.Keys.Order(StringComparer.Ordinal));
        Assert.Contains("network/layers_1/XY", arrays.Keys);
        Assert.Equal([1], arrays["p"].Shape);
        Assert.Equal([6, 6], arrays["X"].Shape);
        Assert.Equal(model.Layout["X"].Slice(model.Parameters).ToArray(), arrays["X"].Data);
    }

    [Theory]
    [MemberData(nameof(AllCases))]
    public void Describe_HasKindOptionsCountAndCertificate(string name)
    {
        var model = CreateModel(name);
        var d = EngineModelFile.Describe(model);

        Assert.Equal(model.ParameterCount, d["parameterCount"]!.GetValue<int>());
        var cert = d["certificate"]!.AsObject();
        Assert.True(cert["verified"]!.GetValue<bool>());
        Assert.Equal(model.Certify().Statement, cert["statement"]!.GetValue<string>());
        foreach (var key in new[] { "property", "model", "maxEigenvalue", "relativeResidual", "scale",
                                   "relativeTolerance" })
            Assert.True(cert.ContainsKey(key), key);
        Assert.Equal(name.StartsWith("Lipschitz", StringComparison.Ordinal), d.ContainsKey("gamma"));
        Assert.Equal(name == "GeneralRen", d.ContainsKey("Q") && d.ContainsKey("S") && d.ContainsKey("R"));

        // Every public option of the engine is written, so a new option cannot be silently dropped from model files.
        // nv keeps the key it had before the option was named NonlinearWidth, so that older files load.
        var optionsType = model is R2dn ? typeof(R2dnOptions) : typeof(RenOptions);
        var expected = optionsType.GetProperties(BindingFlags.Public | BindingFlags.Instance)
                                  .Where(p => p.Name != "EqualityContract")
                                  .Select(p => p.Name == nameof(R2dnOptions.NonlinearWidth) ? "features"
                                               : JsonNamingPolicy.CamelCase.ConvertName(p.Name))
                                  .Order(StringComparer.Ordinal);
        Assert.Equal(expected, d["options"]!.AsObject().Select(kv => kv.Key).Order(StringComparer.Ordinal));
    }

    [Fact]
    public void Describe_NonFiniteParameter_Throws()
    {
        var model = CreateModel("ContractingRen");
        model.Parameters[model.Layout["bv"].Offset + 1] = double.PositiveInfinity;
        var e = Assert.Throws<ArgumentException>(() => EngineModelFile.Describe(model));
        Assert.Contains("'bv'", e.Message);
    }

    [Fact]
    public void Create_FromDescriptionBuiltInCode_Works()
    {
        var model = CreateModel("GeneralRen");
        var arrays = EngineModelFile.GetArrays(model).ToDictionary(a => a.Name, a => (a.Shape, a.Data));
        var copy = (GeneralRen)EngineModelFile.Create(EngineModelFile.Describe(model), arrays);
        Assert.Equal(model.Parameters, copy.Parameters);
        Assert.Equal(((GeneralRen)model).S.Data, copy.S.Data);
    }

    private static void AssertSameConfiguration(RecurrentModel a, RecurrentModel b)
    {
        switch (a, b)
        {
            case (R2dn r1, R2dn r2):
                Assert.Equal(r1.Options.HiddenSizes, r2.Options.HiddenSizes);
                Assert.Equal(r1.Options with { HiddenSizes = [] }, r2.Options with { HiddenSizes = [] });
                break;
            case (Ren r1, Ren r2):
                Assert.Equal(r1.Options, r2.Options);
                break;
            default:
                Assert.Fail("different families");
                break;
        }
        switch (a, b)
        {
            case (LipschitzR2dn l1, LipschitzR2dn l2): Assert.Equal(l1.Gamma, l2.Gamma); break;
            case (LipschitzRen l1, LipschitzRen l2): Assert.Equal(l1.Gamma, l2.Gamma); break;
            case (GeneralRen g1, GeneralRen g2):
                Assert.Equal(g1.Q.Data, g2.Q.Data);
                Assert.Equal(g1.S.Data, g2.S.Data);
                Assert.Equal(g1.R.Data, g2.R.Data);
                break;
        }
    }
}
