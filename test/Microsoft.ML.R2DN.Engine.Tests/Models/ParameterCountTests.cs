using System.Text.Json;
using Microsoft.ML.R2DN.Engine.Models;

namespace Microsoft.ML.R2DN.Engine.Tests.Models;

/// <summary>Every model configuration of the paper's experiments has the parameter count of MODELS.md section
/// 4.</summary>
public class PaperParameterCountTests
{
    public static IEnumerable<object[]> Configurations()
    {
        using var doc = JsonDocument.Parse(File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "golden",
                                                                         "parameter_counts.json")));
        foreach (var entry in doc.RootElement.EnumerateArray())
            yield return new object[] { entry.GetRawText() };
    }

    [Theory]
    [MemberData(nameof(Configurations))]
    public void ParameterCount_EqualsThePapers(string json)
    {
        using var doc = JsonDocument.Parse(json);
        var e = doc.RootElement;
        var c = e.GetProperty("config");
        int nu = c.GetProperty("nu").GetInt32(), nx = c.GetProperty("nx").GetInt32(),
            nv = c.GetProperty("nv").GetInt32(), ny = c.GetProperty("ny").GetInt32();
        bool identity = c.GetProperty("identity_output").GetBoolean();
        int expected = e.GetProperty("parameter_count").GetInt32();
        RecurrentModel model = e.GetProperty("model").GetString() == "ren"
            ? new ContractingRen(new RenOptions
            {
                InputSize = nu, StateSize = nx, NonlinearWidth = nv, OutputSize = ny,
                IdentityOutput = identity
            })
            : new ContractingR2dn(new R2dnOptions
            {
                InputSize = nu, StateSize = nx, NonlinearWidth = nv, OutputSize = ny, IdentityOutput = identity,
                HiddenSizes = c.GetProperty("hidden").EnumerateArray().Select(h => h.GetInt32()).ToArray(),
            });
        Assert.Equal(expected, model.ParameterCount);
        Assert.True(model.Certify().IsVerified);
    }

    [Fact]
    public void F16Ren_Has96995Parameters()
    {
        var ren =
            new ContractingRen(new RenOptions { InputSize = 2, StateSize = 75, NonlinearWidth = 150, OutputSize = 3 });
        Assert.Equal(96_995, ren.ParameterCount);
    }
}
