using System.Diagnostics;
using System.Text.Json.Nodes;
using Microsoft.ML.R2DN.Engine.Models;
using Microsoft.ML.R2DN.ModelFiles;
using static Microsoft.ML.R2DN.Tests.ModelFiles.ModelFileTestData;

namespace Microsoft.ML.R2DN.Tests.ModelFiles;

/// <summary>Damaged and hand-edited model files: always a <see cref="FormatException"/> that says what is wrong, never
/// a crash.</summary>
public sealed class EngineModelFileDamageTests
{
    // Reads a valid file, lets the test edit the description and arrays, and writes them back as a well-formed archive.
    private static byte[] Edit(string modelCase, Action<JsonObject, Dictionary<string,
                               (int[] Shape, double[] Data)>> edit)
    {
        var (manifest, arrays) = ModelArchive.Read(new MemoryStream(SaveToBytes(CreateModel(modelCase))));
        edit(manifest["model"]!.AsObject(), arrays);
        using var ms = new MemoryStream();
        ModelArchive.Write(ms, manifest, arrays.Select(kv => (kv.Key, kv.Value.Shape, kv.Value.Data)).ToList());
        return ms.ToArray();
    }

    private static FormatException LoadFails(byte[] file) =>
        Assert.Throws<FormatException>(() => Load(new MemoryStream(file)));

    private static void AssertDamaged(byte[] file, params string[] fragments)
    {
        var e = LoadFails(file);
        Assert.StartsWith(ModelFileErrors.DamagedPrefix, e.Message);
        foreach (var f in fragments) Assert.Contains(f, e.Message);
    }

    [Fact]
    public void Load_UneditedFile_Loads()
    {
        var file = Edit("ContractingR2dn", (_, _) => { });
        Assert.IsType<ContractingR2dn>(Load(new MemoryStream(file)).Model);
    }

    [Fact]
    public void Load_WrongShape_IsDamaged()
    {
        AssertDamaged(Edit("ContractingR2dn", (_, a) => a["Y"] = ([3, 2], new double[6])),
                      "parameter 'Y' has shape (3, 2)", "needs (3, 3)");
        AssertDamaged(Edit("ContractingRen", (_, a) => a["p"] = ([], [1.0])), "parameter 'p' has shape ()",
                      "needs (1,)");
        AssertDamaged(Edit("LipschitzR2dn", (_, a) => a["network/layers_0/XY"] = ([72], new double[72])),
                      "'network/layers_0/XY'");
    }

    [Fact]
    public void Load_MissingParameter_IsDamaged()
    {
        AssertDamaged(Edit("ContractingR2dn", (_, a) => a.Remove("bv")), "parameter 'bv' is missing.");
        AssertDamaged(Edit("LipschitzRen-d22zero", (_, a) => a.Remove("Z3")), "parameter 'Z3' is missing.");
    }

    [Fact]
    public void Load_ExtraParameter_IsDamaged()
    {
        AssertDamaged(Edit("ContractingR2dn", (_, a) => a["network/layers_9/XY"] = ([1], [0.0])),
                      "unexpected parameter 'network/layers_9/XY'");
        // An identity-output model has no C2: one smuggled in is refused, not ignored.
        AssertDamaged(Edit("ContractingRen-identity", (_, a) => a["C2"] = ([2, 2], new double[4])),
                      "unexpected parameter 'C2'");
    }

    [Theory]
    [InlineData(double.NaN)]
    [InlineData(double.PositiveInfinity)]
    [InlineData(double.NegativeInfinity)]
    public void Load_NonFiniteParameter_IsDamaged(double value)
    {
        AssertDamaged(Edit("GeneralRen", (_, a) => a["X"].Data[4] = value), "parameter 'X' has a non-finite value",
                      "at index 4");
    }

    [Fact]
    public void Load_UnknownOrMissingKind_IsDamaged()
    {
        AssertDamaged(Edit("ContractingRen", (d, _) => d["kind"] = "QuantumRen"), "unknown model kind 'QuantumRen'",
                      "newer version");
        AssertDamaged(Edit("ContractingRen", (d, _) => d.Remove("kind")), "no 'kind'");
        AssertDamaged(Edit("ContractingRen", (d, _) => d["kind"] = 3), "no 'kind'");
        // Kinds of the other family do not match the parameters.
        AssertDamaged(Edit("ContractingRen", (d, _) => d["kind"] = "ContractingR2dn"), "options");
        AssertDamaged(Edit("LipschitzR2dn", (d, _) => d["kind"] = "ContractingR2dn"), "parameter");
    }

    [Fact]
    public void Load_NoModelDescription_IsDamaged()
    {
        AssertDamaged(Edit("ContractingRen", (d, _) => d.Clear()), "'kind'");
        var file = Zip(("manifest.json", Utf8(Manifest())));
        AssertDamaged(file, "no 'model' object");
    }

    [Theory]
    [InlineData("stateSize", "-1", "options are invalid")]
    [InlineData("stateSize", "0", "options are invalid")]
    [InlineData("stateSize", "2.5", "'options.stateSize' must be an integer")]
    [InlineData("stateSize", "\"3\"", "'options.stateSize' must be an integer")]
    [InlineData("stateSize", "1e400", "'options.stateSize' must be an integer")]
    [InlineData("contractionRate", "1.5", "options are invalid")]
    [InlineData("contractionRate", "true", "'options.contractionRate' must be a number")]
    [InlineData("activation", "\"Sigmoid\"", "'options.activation' must be one of ReLU, Tanh")]
    [InlineData("activation", "0", "'options.activation' must be one of")]
    [InlineData("activation", "\"relu\"", "'options.activation' must be one of")]
    [InlineData("identityOutput", "1", "'options.identityOutput' must be true or false")]
    [InlineData("hiddenSizes", "[0]", "options are invalid")]
    [InlineData("hiddenSizes", "5", "'options.hiddenSizes' must be an array")]
    [InlineData("hiddenSizes", "[5, \"a\"]", "'options.hiddenSizes' must be an array")]
    [InlineData("unknownKnob", "1", "unknown option 'options.unknownKnob'")]
    public void Load_BadOption_IsDamaged(string key, string json, string expected)
    {
        AssertDamaged(Edit("ContractingR2dn", (d, _) => d["options"]![key] = JsonNode.Parse(json)), expected);
    }

    [Fact]
    public void Load_MissingOption_IsDamaged()
    {
        AssertDamaged(Edit("ContractingRen", (d, _) => d["options"]!.AsObject().Remove("d22Zero")),
                      "'options.d22Zero' is missing");
    }

    [Fact]
    public void Load_InconsistentOptions_AreDamaged()
    {
        // Valid one by one, but the model refuses them together.
        AssertDamaged(Edit("ContractingR2dn-identity-tanh", (d, _) => d["options"]!["networkOutputLayer"] = "Linear"),
                      "cannot be built", "hidden layer");
        AssertDamaged(Edit("LipschitzRen-d22zero", (d, _) => d["options"]!["identityOutput"] = true), "options");
        // A different size than the arrays have.
        AssertDamaged(Edit("ContractingRen", (d, _) => d["options"]!["features"] = 5), "'parameterCount'");
        AssertDamaged(Edit("ContractingRen", (d, _) => d["parameterCount"] = 1), "'parameterCount' is 1");
    }

    [Fact]
    public void Load_AbsurdSizesInTheOptions_AreDamagedFastWithoutAllocatingThem()
    {
        // X alone would be 7 GB
        var huge = Edit("ContractingR2dn", (d, _) => d["options"]!["stateSize"] = 15_000);
        var hugeRen =
            Edit("ContractingRen", (d, _) => { d["options"]!["features"] = 1_000_000; d["parameterCount"] = 4; });
        var overflow = Edit("LipschitzR2dn", (d, _) => d["options"]!["stateSize"] = int.MaxValue);
        var layers = Edit("ContractingR2dn",
                          (d, _) => d["options"]!["hiddenSizes"] =
                              new JsonArray(Enumerable.Repeat(1, 50_000).Select(i => (JsonNode?)i).ToArray()));
        LoadFails(Edit("ContractingR2dn", (d, _) => d["options"]!["stateSize"] = 4));   // warm up

        var clock = Stopwatch.StartNew();
        long before = GC.GetAllocatedBytesForCurrentThread();
        AssertDamaged(huge, "'parameterCount'");
        AssertDamaged(hugeRen);
        AssertDamaged(overflow, "options are invalid");
        AssertDamaged(layers, "hiddenSizes");
        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;

        Assert.True(clock.ElapsedMilliseconds < 3000, $"took {clock.ElapsedMilliseconds} ms");
        Assert.True(allocated < 256 << 20, $"allocated {allocated} bytes");
    }

    [Theory]
    [InlineData("-1")]
    [InlineData("0")]
    [InlineData("\"2.5\"")]
    [InlineData("null")]
    public void Load_BadGamma_IsDamaged(string json)
    {
        AssertDamaged(Edit("LipschitzRen-d22zero", (d, _) => d["gamma"] = JsonNode.Parse(json)),
                      "'gamma' must be a finite number greater than 0");
        AssertDamaged(Edit("LipschitzR2dn", (d, _) => d["gamma"] = JsonNode.Parse(json)), "'gamma'");
    }

    [Fact]
    public void Load_BadSupplyRate_IsDamaged()
    {
        AssertDamaged(Edit("GeneralRen", (d, _) => d["Q"] = JsonNode.Parse("[[-1, 0.5], [0.1, -2]]")),
                      "cannot be built", "symmetric");
        AssertDamaged(Edit("GeneralRen", (d, _) => d["Q"] = JsonNode.Parse("[[1, 0], [0, 1]]")), "cannot be built");
        AssertDamaged(Edit("GeneralRen", (d, _) => d["S"] = JsonNode.Parse("[[1, 0, 0], [0, 1, 0]]")),
                      "cannot be built");
        AssertDamaged(Edit("GeneralRen", (d, _) => d["R"] = JsonNode.Parse("[[1, 0], [0]]")),
                      "'R' must be a rectangular array");
        AssertDamaged(Edit("GeneralRen", (d, _) => d["R"] = JsonNode.Parse("[[1, 0], [0, \"x\"]]")), "'R'[1][1]");
        AssertDamaged(Edit("GeneralRen", (d, _) => d.Remove("S")), "'S' must be");
    }

    [Fact]
    public void Load_ChangedGammaWithTheSameParameters_StillLoadsWithTheNewBound()
    {
        // gamma is part of the model, not of the parameters: editing it gives another model, itself certified.
        var file = Edit("LipschitzR2dn", (d, _) => d["gamma"] = 10.0);
        var (model, certificate, _) = Load(new MemoryStream(file));
        Assert.Equal(10.0, ((LipschitzR2dn)model).Gamma);
        Assert.True(certificate.IsVerified);
    }

    [Fact]
    public void Load_ParametersTooLargeToCertify_SaysTheCertificateDoesNotVerify()
    {
        // Finite, but p² overflows the direct-to-explicit map.
        var file = Edit("ContractingR2dn", (_, a) => a["p"].Data[0] = 1e300);
        var e = LoadFails(file);
        Assert.StartsWith("The model's certificate does not verify after loading: ", e.Message);
    }

    [Fact]
    public void Load_TruncatedFile_IsAlwaysAFormatException()
    {
        var file = SaveToBytes(SmallModel());
        var offsets = new SortedSet<int> { 0, 1, 2, 3, 4, 10, 29, 30, 31, file.Length - 1, file.Length - 2,
                                          file.Length - 21, file.Length - 22, file.Length - 23 };
        for (int i = 0; i < 64; i++) offsets.Add((int)((long)file.Length * i / 64));
        foreach (int length in offsets)
        {
            var e = Record.Exception(() => Load(new MemoryStream(file[..length])));
            Assert.True(e is FormatException,
                        $"truncated to {length} of {file.Length} bytes: {e?.GetType().Name}: {e?.Message}");
        }
    }

    [Fact]
    public void Load_RandomByteFlips_GiveAFormatExceptionOrTheSameModel()
    {
        var original = SmallModel();
        var file = SaveToBytes(original);
        var rng = new Random(20240611);
        int failures = 0, sameModel = 0;
        for (int trial = 0; trial < 600; trial++)
        {
            var damaged = (byte[])file.Clone();
            int flips = trial % 3 + 1;
            for (int k = 0; k < flips; k++) damaged[rng.Next(damaged.Length)] ^= (byte)rng.Next(1, 256);
            try
            {
                var (model, certificate, _) = Load(new MemoryStream(damaged));
                Assert.True(certificate.IsVerified);
                Assert.Equal(original.GetType(), model.GetType());
                Assert.Equal(original.Parameters, model.Parameters);
                sameModel++;
            }
            catch (FormatException) { failures++; }
            catch (Exception e)
            {
                Assert.Fail($"trial {trial}: {e.GetType().Name}: {e.Message}");
            }
        }
        // Most flips land in checked data; some land in bytes no reader uses (local headers, timestamps, padding).
        Assert.True(failures > 300, $"{failures} failures, {sameModel} same-model loads");
    }

    [Fact]
    public void Load_OverwrittenRuns_GiveAFormatExceptionOrTheSameModel()
    {
        var original = SmallModel();
        var file = SaveToBytes(original);
        var rng = new Random(7);
        for (int trial = 0; trial < 200; trial++)
        {
            var damaged = (byte[])file.Clone();
            int start = rng.Next(damaged.Length), length = rng.Next(1, 64);
            for (int i = start; i < Math.Min(damaged.Length, start + length); i++)
                damaged[i] = (byte)rng.Next(trial % 2 == 0 ? 256 : 1);
            var e = Record.Exception(() =>
            {
                var (model, _, _) = Load(new MemoryStream(damaged));
                Assert.Equal(original.Parameters, model.Parameters);
            });
            Assert.True(e is null or FormatException, $"trial {trial} (bytes {start}..{start + length}): {e}");
        }
    }
}
