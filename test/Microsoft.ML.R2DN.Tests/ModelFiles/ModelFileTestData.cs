using System.Buffers.Binary;
using System.IO.Compression;
using System.Text;
using System.Text.Json.Nodes;
using Microsoft.ML.R2DN.Engine.LinearAlgebra;
using Microsoft.ML.R2DN.Engine.Models;
using Microsoft.ML.R2DN.ModelFiles;

namespace Microsoft.ML.R2DN.Tests.ModelFiles;

/// <summary>Models of every kind, hand-made archives and byte surgery on zip files, for the model-file tests.</summary>
internal static class ModelFileTestData
{
    /// <summary>The model cases: every kind, and the options that change the layout (identity output, D22 = 0, empty
    /// and linear networks, zero-size groups).</summary>
    public static readonly string[] Cases =
    [
        "ContractingR2dn", "ContractingR2dn-identity-tanh", "ContractingR2dn-linear-output", "LipschitzR2dn",
        "LipschitzR2dn-square", "ContractingRen", "ContractingRen-identity", "LipschitzRen-d22zero", "GeneralRen",
    ];

    public static TheoryData<string> CaseData => new(Cases);

    /// <summary>A model of the named case with its parameters moved away from the initialisation (seeded).</summary>
    public static RecurrentModel CreateModel(string name)
    {
        RecurrentModel m = name switch
        {
            "ContractingR2dn" => new ContractingR2dn(new R2dnOptions
            {
                InputSize = 2, StateSize = 3, NonlinearWidth = 4,
                OutputSize = 2, HiddenSizes = [5]
            }, seed: 1),
            "ContractingR2dn-identity-tanh" => new ContractingR2dn(new R2dnOptions
            {
                InputSize = 1, StateSize = 3, NonlinearWidth = 2, OutputSize = 3, IdentityOutput = true,
                Activation = Activation.Tanh,
                Initialization = Initialization.Random, ContractionRate = 0.9,
            }, seed: 2),
            "ContractingR2dn-linear-output" => new ContractingR2dn(new R2dnOptions
            {
                InputSize = 2, StateSize = 2, NonlinearWidth = 3, OutputSize = 1, HiddenSizes = [3, 2],
                NetworkOutputLayer = LbdnOutputLayer.Linear,
            }, seed: 3),
            "LipschitzR2dn" => new LipschitzR2dn(new R2dnOptions
            {
                InputSize = 2, StateSize = 3, NonlinearWidth = 4,
                OutputSize = 1, HiddenSizes = [4]
            }, gamma: 2.5,
                                                                  seed: 4),
            // nu = nv = ny: Z12 and Z21 have shape (0, d), groups with no values.
            "LipschitzR2dn-square" => new LipschitzR2dn(new R2dnOptions
            {
                InputSize = 2, StateSize = 2,
                NonlinearWidth = 2, OutputSize = 2,
                ContractionRate = 0.95
            }, gamma: 0.3, seed: 5),
            "ContractingRen" => new ContractingRen(new RenOptions
            {
                InputSize = 2, StateSize = 3, NonlinearWidth = 4,
                OutputSize = 2
            }, seed: 6),
            "ContractingRen-identity" => new ContractingRen(new RenOptions
            {
                InputSize = 1, StateSize = 2, NonlinearWidth = 3, OutputSize = 2, IdentityOutput = true,
                Activation = Activation.Tanh,
            }, seed: 7),
            "LipschitzRen-d22zero" => new LipschitzRen(new RenOptions
            {
                InputSize = 3, StateSize = 2,
                NonlinearWidth = 3, OutputSize = 2,
                D22Zero = true
            }, gamma: 0.7, seed: 8),
            "GeneralRen" =>
                new GeneralRen(new RenOptions { InputSize = 2, StateSize = 3, NonlinearWidth = 3, OutputSize = 2 },
                new Matrix(2, 2, [-1.0, 0.1, 0.1, -2.0]), new Matrix(2, 2, [0.1, 0.0, 0.0, 0.2]),
                new Matrix(2, 2, [3.0, 0.5, 0.5, 2.0]), seed: 9),
            _ => throw new ArgumentException(name),
        };
        var rng = new Random(name.Length * 7919 + 17);
        for (int i = 0; i < m.Parameters.Length; i++) m.Parameters[i] += 0.1 * (2 * rng.NextDouble() - 1);
        m.Threads = 1;
        return m;
    }

    /// <summary>A small contracting R2DN, for the tests that load a file hundreds of times.</summary>
    public static RecurrentModel SmallModel()
    {
        var m = new ContractingR2dn(new R2dnOptions
        {
            InputSize = 1, StateSize = 2, NonlinearWidth = 2, OutputSize = 1,
            HiddenSizes = [2]
        }, seed: 11);
        var rng = new Random(5);
        for (int i = 0; i < m.Parameters.Length; i++) m.Parameters[i] += 0.1 * (2 * rng.NextDouble() - 1);
        return m;
    }

    /// <summary>The manifest property that holds the model description in the files these tests write.</summary>
    public const string ModelKey = "model";

    /// <summary>Writes <paramref name="model"/> as a transformer stores its engine model: the description
    /// (<see cref="EngineModelFile.Describe"/>) in the manifest, beside the caller's properties, and the parameter
    /// groups (<see cref="EngineModelFile.GetArrays"/>) as arrays.</summary>
    public static void Save(Stream destination, RecurrentModel model, JsonObject? manifest = null)
    {
        var m = manifest is null ? new JsonObject() : (JsonObject)manifest.DeepClone();
        m[ModelKey] = EngineModelFile.Describe(model);
        ModelArchive.Write(destination, m, EngineModelFile.GetArrays(model));
    }

    /// <summary>Reads what <see cref="Save"/> wrote, as a transformer reads its engine model back: the model (its
    /// certificate re-verified) and the whole manifest.</summary>
    /// <exception cref="FormatException">The file is damaged or its certificate does not verify.</exception>
    public static (RecurrentModel Model, Engine.Certificates.Certificate Certificate, JsonObject Manifest) Load(
        Stream source, ModelArchiveLimits? limits = null)
    {
        var (manifest, arrays) = ModelArchive.Read(source, limits);
        var description = manifest[ModelKey] as JsonObject
                          ?? throw ModelFileErrors.Damaged($"the manifest has no '{ModelKey}' object.");
        var model = EngineModelFile.Create(description, arrays, out var certificate);
        return (model, certificate, manifest);
    }

    /// <summary>The bytes of a model file holding <paramref name="model"/>.</summary>
    public static byte[] SaveToBytes(RecurrentModel model, JsonObject? manifest = null)
    {
        using var ms = new MemoryStream();
        Save(ms, model, manifest);
        return ms.ToArray();
    }

    /// <summary>The bytes of an .npy file holding the array (see <see cref="NpyFormat.Write"/>).</summary>
    public static byte[] NpyBytes(ReadOnlySpan<int> shape, ReadOnlySpan<double> data,
                                  NpyElementType elementType = NpyElementType.Float64)
    {
        using var ms = new MemoryStream();
        NpyFormat.Write(ms, shape, data, elementType);
        return ms.ToArray();
    }

    /// <summary>A valid manifest with the given version.</summary>
    public static JsonObject Manifest(long version = ModelArchive.FormatVersion) =>
        new() { ["format"] = ModelArchive.FormatName, ["formatVersion"] = version };

    public static byte[] Utf8(JsonNode node) => Encoding.UTF8.GetBytes(node.ToJsonString());

    /// <summary>A zip holding exactly the given entries (names not checked), as a hostile tool could write
    /// it.</summary>
    public static byte[] Zip(params (string Name, byte[] Data)[] entries) => Zip(CompressionLevel.Fastest, entries);

    public static byte[] Zip(CompressionLevel level, params (string Name, byte[] Data)[] entries)
    {
        using var ms = new MemoryStream();
        using (var zip = new ZipArchive(ms, ZipArchiveMode.Create, leaveOpen: true))
            foreach (var (name, data) in entries)
            {
                var e = zip.CreateEntry(name, level);
                using var s = e.Open();
                s.Write(data);
            }
        return ms.ToArray();
    }

    /// <summary>A float64 .npy file of the given shape, filled with 0, 1, 2, ...</summary>
    public static byte[] Npy(params int[] shape)
    {
        long n = shape.Aggregate(1L, (a, b) => a * b);
        return NpyBytes(shape, Enumerable.Range(0, (int)n).Select(i => (double)i).ToArray());
    }

    /// <summary>An .npy file with the given header dict (padded as the spec says) and raw data bytes.</summary>
    public static byte[] NpyWithHeader(string dict, byte[] data, byte major = 1)
    {
        int preamble = major == 1 ? 10 : 12;
        int unpadded = preamble + dict.Length + 1;
        string header = dict + new string(' ', (64 - unpadded % 64) % 64) + "\n";
        var bytes = new List<byte> { 0x93, (byte)'N', (byte)'U', (byte)'M', (byte)'P', (byte)'Y', major, 0 };
        if (major == 1) bytes.AddRange(BitConverter.GetBytes((ushort)header.Length));
        else bytes.AddRange(BitConverter.GetBytes((uint)header.Length));
        bytes.AddRange(Encoding.Latin1.GetBytes(header));
        bytes.AddRange(data);
        return bytes.ToArray();
    }

    /// <summary>Offsets of the local header and central-directory header of the named entry.</summary>
    public static (int Local, int Central) FindHeaders(byte[] zip, string name)
    {
        var nameBytes = Encoding.UTF8.GetBytes(name);
        int local = -1, central = -1;
        for (int i = 0; i + 46 <= zip.Length; i++)
        {
            uint sig = BinaryPrimitives.ReadUInt32LittleEndian(zip.AsSpan(i));
            if (sig == 0x04034b50 && local < 0)
            {
                int n = BinaryPrimitives.ReadUInt16LittleEndian(zip.AsSpan(i + 26));
                if (zip.AsSpan(i + 30, Math.Min(n, zip.Length - i - 30)).SequenceEqual(nameBytes)) local = i;
            }
            else if (sig == 0x02014b50 && central < 0)
            {
                int n = BinaryPrimitives.ReadUInt16LittleEndian(zip.AsSpan(i + 28));
                if (zip.AsSpan(i + 46, Math.Min(n, zip.Length - i - 46)).SequenceEqual(nameBytes)) central = i;
            }
        }
        if (local < 0 || central < 0) throw new InvalidOperationException($"Entry '{name}' not found.");
        return (local, central);
    }

    /// <summary>Makes the archive declare <paramref name="size"/> uncompressed bytes for the entry (a lying zip
    /// bomb).</summary>
    public static void PatchUncompressedSize(byte[] zip, string name, uint size)
    {
        var (local, central) = FindHeaders(zip, name);
        BinaryPrimitives.WriteUInt32LittleEndian(zip.AsSpan(local + 22), size);
        BinaryPrimitives.WriteUInt32LittleEndian(zip.AsSpan(central + 24), size);
    }

    /// <summary>Changes the CRC-32 the archive declares for the entry.</summary>
    public static void PatchCrc(byte[] zip, string name, uint crc)
    {
        var (local, central) = FindHeaders(zip, name);
        BinaryPrimitives.WriteUInt32LittleEndian(zip.AsSpan(local + 14), crc);
        BinaryPrimitives.WriteUInt32LittleEndian(zip.AsSpan(central + 16), crc);
    }

    /// <summary>Changes the compression method the archive declares for the entry.</summary>
    public static void PatchMethod(byte[] zip, string name, ushort method)
    {
        var (local, central) = FindHeaders(zip, name);
        BinaryPrimitives.WriteUInt16LittleEndian(zip.AsSpan(local + 8), method);
        BinaryPrimitives.WriteUInt16LittleEndian(zip.AsSpan(central + 10), method);
    }

    public static byte[] Hex(string hex) => Convert.FromHexString(hex);
}

/// <summary>A fresh folder under the system temp folder, deleted on dispose.</summary>
internal sealed class TempFolder : IDisposable
{
    public TempFolder() => Directory.CreateDirectory(Path = System.IO.Path.Combine(System.IO.Path.GetTempPath(),
                                                                                   "r2dn-modelfiles-"
                                                                                       + Guid.NewGuid().ToString("N")));

    public string Path { get; }

    public string File(string name) => System.IO.Path.Combine(Path, name);

    /// <summary>Every file and folder below the folder, relative, sorted.</summary>
    public string[] Listing() =>
        Directory.EnumerateFileSystemEntries(Path, "*", SearchOption.AllDirectories)
                 .Select(p => System.IO.Path.GetRelativePath(Path, p)).Order(StringComparer.Ordinal).ToArray();

    public void Dispose()
    {
        try { Directory.Delete(Path, recursive: true); } catch (IOException) { } catch (UnauthorizedAccessException) { }
    }
}
