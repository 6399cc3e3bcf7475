namespace Microsoft.ML.R2DN.ModelFiles;

/// <summary>
/// The exceptions a model file raises when it cannot be read: always <see cref="FormatException"/>, with one of three
/// openings so that a user can tell a damaged file from a file of another kind and from a file too new for the package.
/// </summary>
internal static class ModelFileErrors
{
    /// <summary>The opening of every message about a file that is a model file but cannot be read.</summary>
    public const string DamagedPrefix = "The model file is damaged: ";

    /// <summary>The file is a model file (or claims to be) but something in it is wrong.</summary>
    public static FormatException Damaged(string detail, Exception? inner = null) => new(DamagedPrefix + detail, inner);

    /// <summary>The file is not a model file at all (not a zip archive, no manifest, another format).</summary>
    public static FormatException NotAModelFile(string detail, Exception? inner = null) =>
        new($"The file is not a model file: {detail}", inner);
}
