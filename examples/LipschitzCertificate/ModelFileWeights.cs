using System.Buffers.Binary;
using System.Text;
using System.Text.Json.Nodes;
using Microsoft.ML.R2DN.Engine.Models;

namespace LipschitzCertificate;

/// <summary>Rebuilds the engine's model (a <see cref="RecurrentModel"/>) of a saved R2DN forecaster from the files that
/// <c>R2dnModelFile.ExportNpy</c> (or <c>r2dn export --npy</c>) writes: the sizes come from manifest.json, every
/// parameter from its NumPy <c>.npy</c> file. Any NumPy user can read the same arrays (<c>np.load</c>); here they go
/// back into the engine's <see cref="LipschitzR2dn"/> or <see cref="ContractingR2dn"/> so that the model can be probed
/// directly.</summary>
internal static class ModelFileWeights
{
    private const string ModelFolder = "parameters/transformers/0/model/";

    /// <summary>Reads the model of the exported folder <paramref name="directory"/> (manifest.json and
    /// parameters/).</summary>
    public static RecurrentModel LoadR2dn(string directory)
    {
        // As text: File.ReadAllText drops a byte-order mark, which a JSON parser reading bytes would reject.
        string manifestText = Encoding.UTF8.GetString(ReadAll(directory, "manifest.json")).TrimStart('\uFEFF');
        var manifest = JsonNode.Parse(manifestText)!.AsObject();
        var description = manifest["transformers"]![0]!["model"]!.AsObject();
        var o = description["options"]!.AsObject();
        var options = new R2dnOptions
        {
            InputSize = (int)o["inputSize"]!, StateSize = (int)o["stateSize"]!, NonlinearWidth = (int)o["features"]!,
            OutputSize = (int)o["outputSize"]!,
            HiddenSizes = [.. o["hiddenSizes"]!.AsArray().Select(h => (int)h!)],
            Activation = Enum.Parse<Activation>((string)o["activation"]!),
            Initialization = Enum.Parse<Initialization>((string)o["initialization"]!),
            NetworkOutputLayer = Enum.Parse<LbdnOutputLayer>((string)o["networkOutputLayer"]!),
            ContractionRate = (double)o["contractionRate"]!,
        };
        RecurrentModel model = (string)description["kind"]! switch
        {
            "LipschitzR2dn" => new LipschitzR2dn(options, gamma: (double)description["gamma"]!),
            "ContractingR2dn" => new ContractingR2dn(options),
            var kind => throw new NotSupportedException($"This example rebuilds R2DN models only, not a {kind}."),
        };
        // The parameter groups are named as in the file ("X", "B1", "network/layers_0/XY", ...).
        foreach (var group in model.Layout.Groups)
        {
            double[] values = ReadNpy(ReadAll(directory, $"{ModelFolder}{group.Name}.npy"));
            if (values.Length != group.Length)
                throw new InvalidDataException($"'{group.Name}' has {values.Length} values; the model expects " +
                                               $"{group.Length}.");
            values.CopyTo(group.Slice(model.Parameters));
        }
        return model;
    }

    private static byte[] ReadAll(string directory, string name)
    {
        string path = Path.Combine(directory, name.Replace('/', Path.DirectorySeparatorChar));
        return File.Exists(path)
            ? File.ReadAllBytes(path) : throw new InvalidDataException($"The exported model has no file '{name}'.");
    }

    // A version 1 .npy of little-endian float64 in C order: "\x93NUMPY", 1, 0, the header length (uint16), the header
    // (a Python dict literal), then the values.
    private static double[] ReadNpy(byte[] bytes)
    {
        if (bytes.Length < 10 || bytes[0] != 0x93 || Encoding.ASCII.GetString(bytes, 1, 5) != "NUMPY" || bytes[6] != 1)
            throw new InvalidDataException("Not a version 1 .npy array.");
        int headerLength = BinaryPrimitives.ReadUInt16LittleEndian(bytes.AsSpan(8));
        string header = Encoding.ASCII.GetString(bytes, 10, headerLength);
        if (!header.Contains("'descr': '<f8'", StringComparison.Ordinal)
            || !header.Contains("'fortran_order': False", StringComparison.Ordinal))
            throw new InvalidDataException($"Expected little-endian float64 in C order, found {header.Trim()}.");
        var data = bytes.AsSpan(10 + headerLength);
        var values = new double[data.Length / sizeof(double)];
        for (int i = 0; i < values.Length; i++)
            values[i] = BinaryPrimitives.ReadDoubleLittleEndian(data[(i * sizeof(double))..]);
        return values;
    }
}
