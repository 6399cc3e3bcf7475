using System.Text.RegularExpressions;

namespace Microsoft.ML.R2DN.Cli.Commands;

/// <summary>
/// <c>r2dn export</c>: writes the R2DN/REN part of a model file as plain files, its JSON manifest and every parameter
/// as a NumPy <c>.npy</c> array (<see cref="R2dnModelFile.ExportNpy(ITransformer, string)"/>), for NumPy, PyTorch or
/// JAX users who read the weights without this package.
/// </summary>
internal static partial class ExportCommand
{
    private static readonly Option<string> Model = CliOptions.ModelFile(
        "The model file (.zip) written by 'r2dn train' (or mlContext.Model.Save)");
    private static readonly Option<string> Npy = new("--npy")
    {
        Description = "The folder to write manifest.json and parameters/**/*.npy to (created if missing; files of " +
                      "the same names are replaced)",
        Required = true,
    };
    private static readonly Option<bool> Json = CliOptions.Json("a list");

    public static System.CommandLine.Command Create() => CliOptions.ModelCommand("export",
        "Export a model's weights for NumPy: writes its JSON manifest (settings, column names, certificate " +
        "inputs) and every parameter as a .npy array, named as in the paper's code " +
        "(parameters/transformers/0/model/X.npy, ...).",
        Run,
        Model, Npy, Json);

    private static int Run(MLContext ml, ParseResult parse, CancellationToken _)
    {
        string folder = parse.GetValue(Npy)!;
        if (string.IsNullOrWhiteSpace(folder)) throw new UsageException("--npy needs the path of a folder.");
        if (File.Exists(folder)) throw new UsageException($"--npy '{folder}' is a file; give a folder.");
        string? parent = Path.GetDirectoryName(Path.GetFullPath(folder));
        if (parent is not null && !Directory.Exists(parent))
            throw new UsageException($"the folder that would hold --npy '{folder}' does not exist.");
        var model = LoadedModel.Load(ml, parse.GetValue(Model));
        var written = R2dnModelFile.ExportNpy(model.Recurrent, folder);
        var files = written.Select(p => (Path: p, Relative: Path.GetRelativePath(folder, p).Replace('\\', '/'),
                                         Bytes: new FileInfo(p).Length,
                                         Shape: p.EndsWith(".npy", StringComparison.Ordinal) ? NpyShape(p) : null))
                           .ToList();
        var output = CommandSupport.Out(parse);
        string what = $"{model.Description()} {(model.Forecaster is null ? "simulator" : "forecaster")}";
        if (parse.GetValue(Json))
        {
            var json = new JsonObject
            {
                ["command"] = "export",
                ["model"] = model.Path,
                ["description"] = what,
                ["folder"] = folder,
                ["files"] = new JsonArray([.. files.Select(f => (JsonNode)new JsonObject
                {
                    ["path"] = f.Relative,
                    ["bytes"] = f.Bytes,
                    ["shape"] = f.Shape is null ? null : new JsonArray([.. f.Shape.Select(d => (JsonNode)d)]),
                })]),
            };
            output.WriteLine(Report.ToJson(json));
            return ExitCodes.Success;
        }
        var text = new StringBuilder();
        text.AppendLine($"Exported the {what} of {model.Path} to {folder}: the manifest and {files.Count - 1} " +
                        $"arrays ({Report.Count(files.Sum(f => f.Bytes))} bytes).");
        var table = new Report.TextTable("File", "Shape", "Bytes");
        foreach (var f in files)
            table.Add(f.Relative, ShapeText(f.Shape), Report.Count(f.Bytes));
        text.Append(table.Render("  "));
        text.AppendLine("Read them with numpy.load(path); manifest.json names the settings and the columns.");
        output.Write(text.ToString());
        return ExitCodes.Success;
    }

    // NumPy's way of writing a shape: (16, 16), (3,) or ().
    private static string ShapeText(int[]? shape) =>
        shape is null ? "" : shape.Length == 1 ? $"({shape[0]},)" : "(" + string.Join(", ", shape) + ")";

    // The shape in the header of a .npy file, or null; the header reads
    // "{'descr': '<f8', 'fortran_order': False, 'shape': (16, 16), }".
    private static int[]? NpyShape(string path)
    {
        try
        {
            using var stream = File.OpenRead(path);
            var header = new byte[Math.Min(stream.Length, 512)];
            stream.ReadExactly(header);
            var match = ShapePattern().Match(Encoding.ASCII.GetString(header));
            if (!match.Success) return null;
            return [.. match.Groups[1].Value
                        .Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
                        .Select(d => int.Parse(d, CultureInfo.InvariantCulture))];
        }
        catch (Exception e) when (e is IOException or FormatException or OverflowException)
        {
            return null;
        }
    }

    [GeneratedRegex(@"'shape':\s*\(([^)]*)\)", RegexOptions.CultureInvariant)]
    private static partial Regex ShapePattern();
}
