using System.Text.Json;

namespace Microsoft.ML.R2DN.Notebooks.Tests;

/// <summary>One cell of a Polyglot (.ipynb) notebook.</summary>
/// <param name="Index">The cell's position among all the notebook's cells, from 0.</param>
/// <param name="Kind">"code", "markdown" or "raw".</param>
/// <param name="Language">The cell's kernel language (from <c>metadata.dotnet_interactive.language</c>, else
/// <c>metadata.polyglot_notebook.kernelName</c>, else the notebook's default), for code cells.</param>
/// <param name="Source">The cell's text.</param>
internal sealed record NotebookCell(int Index, string Kind, string? Language, string Source);

/// <summary>A Polyglot notebook read from its .ipynb JSON (nbformat 4), and where the notebooks of the repository
/// are.</summary>
internal sealed class Notebook
{
    private Notebook(string path, string kernelName, IReadOnlyList<NotebookCell> cells)
    {
        Path = path;
        KernelName = kernelName;
        Cells = cells;
    }

    /// <summary>The .ipynb file.</summary>
    public string Path { get; }

    /// <summary>The notebook's kernelspec name (".net-csharp" for a C# Polyglot notebook).</summary>
    public string KernelName { get; }

    /// <summary>Every cell, in order.</summary>
    public IReadOnlyList<NotebookCell> Cells { get; }

    /// <summary>The code cells, in order.</summary>
    public IEnumerable<NotebookCell> CodeCells => Cells.Where(c => c.Kind == "code");

    /// <summary>Reads a notebook.</summary>
    /// <exception cref="InvalidDataException">The file is not an nbformat 4 notebook.</exception>
    public static Notebook Load(string path)
    {
        using var document = JsonDocument.Parse(File.ReadAllText(path));
        var root = document.RootElement;
        if (!root.TryGetProperty("nbformat", out var format) || format.GetInt32() != 4)
            throw new InvalidDataException($"{path} is not an nbformat 4 notebook.");
        string kernel = "";
        string? defaultLanguage = null;
        if (root.TryGetProperty("metadata", out var metadata))
        {
            if (metadata.TryGetProperty("kernelspec", out var spec) && spec.TryGetProperty("name", out var name))
                kernel = name.GetString() ?? "";
            if (metadata.TryGetProperty("polyglot_notebook", out var polyglot)
                && polyglot.TryGetProperty("kernelInfo", out var info)
                && info.TryGetProperty("defaultKernelName", out var dk))
                defaultLanguage = dk.GetString();
        }
        var cells = new List<NotebookCell>();
        foreach (var cell in root.GetProperty("cells").EnumerateArray())
        {
            string kind = cell.GetProperty("cell_type").GetString() ?? "";
            var source = cell.GetProperty("source");
            string text = source.ValueKind == JsonValueKind.Array
                ? string.Concat(source.EnumerateArray().Select(line => line.GetString()))
                : source.GetString() ?? "";
            string? language = defaultLanguage;
            if (cell.TryGetProperty("metadata", out var cellMetadata))
            {
                if (cellMetadata.TryGetProperty("dotnet_interactive", out var di)
                    && di.TryGetProperty("language", out var l))
                    language = l.GetString();
                else if (cellMetadata.TryGetProperty("polyglot_notebook", out var pn)
                         && pn.TryGetProperty("kernelName", out var k))
                    language = k.GetString();
            }
            cells.Add(new NotebookCell(cells.Count, kind, kind == "code" ? language : null, text));
        }
        return new Notebook(path, kernel, cells);
    }

    /// <summary>The repository's notebooks folder: notebooks/ beside Microsoft.ML.R2DN.sln, found by walking up from
    /// the test's output folder.</summary>
    /// <exception cref="DirectoryNotFoundException">No folder above holds Microsoft.ML.R2DN.sln.</exception>
    public static string Folder()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(System.IO.Path.Combine(dir.FullName, "Microsoft.ML.R2DN.sln")))
                return System.IO.Path.Combine(dir.FullName, "notebooks");
        throw new DirectoryNotFoundException(
            $"No folder above {AppContext.BaseDirectory} holds Microsoft.ML.R2DN.sln.");
    }

    /// <summary>The file names of every notebook in <see cref="Folder"/>, sorted.</summary>
    public static IEnumerable<string> All()
    {
        string folder = Folder();
        return Directory.Exists(folder)
            ? Directory.EnumerateFiles(folder, "*.ipynb").Select(p => System.IO.Path.GetFileName(p))
                       .Order(StringComparer.Ordinal)
            : [];
    }
}
