using System.Collections.ObjectModel;

namespace Microsoft.ML.R2DN.Engine.Models;

/// <summary>One named parameter group inside a flat parameter array: a row-major tensor of the given shape.</summary>
/// <param name="Name">The name used in MODELS.md and in model files, for example <c>X</c>
/// or <c>network/layers_0/XY</c>.</param>
/// <param name="Shape">The tensor shape; a scalar has shape [1].</param>
/// <param name="Offset">Index of the first element in the flat array.</param>
public sealed record ParameterGroup(string Name, int[] Shape, int Offset)
{
    /// <summary>Number of elements (product of <see cref="Shape"/>).</summary>
    public int Length { get; } = checked(Shape.Aggregate(1, (a, b) => a * b));

    /// <summary>Number of rows (the first dimension).</summary>
    public int Rows => Shape[0];

    /// <summary>Number of columns (the second dimension, or 1 for a vector).</summary>
    public int Columns => Shape.Length > 1 ? Shape[1] : 1;

    /// <summary>This group's slice of <paramref name="flat"/>.</summary>
    public Span<double> Slice(double[] flat) => flat.AsSpan(Offset, Length);

    /// <summary>This group's slice of <paramref name="flat"/>.</summary>
    public Span<double> Slice(Span<double> flat) => flat.Slice(Offset, Length);
}

/// <summary>
/// Names, shapes and offsets of every parameter group of a model, computed in one place so that parameters,
/// gradients and optimiser moments share one layout.
/// </summary>
public sealed class ParameterLayout
{
    private readonly List<ParameterGroup> _groups = new();
    private readonly Dictionary<string, ParameterGroup> _byName = new(StringComparer.Ordinal);

    /// <summary>The groups in storage order.</summary>
    public ReadOnlyCollection<ParameterGroup> Groups => _groups.AsReadOnly();

    /// <summary>Total number of scalars.</summary>
    public int Count { get; private set; }

    /// <summary>Appends a group and returns it.</summary>
    public ParameterGroup Add(string name, params int[] shape)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        if (shape.Length == 0 || shape.Any(d => d < 0))
            throw new ArgumentException($"Parameter '{name}' has an invalid shape.", nameof(shape));
        long length = shape.Aggregate(1L, (a, b) => a * b);
        if (length > Array.MaxLength || Count + length > Array.MaxLength)
            throw new ArgumentOutOfRangeException(nameof(shape),
                $"Parameter '{name}' ({string.Join("x", shape)}) makes the model too large: more than " +
                $"{Array.MaxLength} parameters.");
        if (_byName.ContainsKey(name))
            throw new ArgumentException($"Parameter '{name}' is already defined.", nameof(name));
        var g = new ParameterGroup(name, shape, Count);
        _groups.Add(g);
        _byName.Add(name, g);
        Count += g.Length;
        return g;
    }

    /// <summary>The group called <paramref name="name"/>.</summary>
    /// <exception cref="KeyNotFoundException">No group has that name.</exception>
    public ParameterGroup this[string name] =>
        _byName.TryGetValue(name, out var g) ? g : throw new KeyNotFoundException($"No parameter named '{name}'.");

    /// <summary>Whether a group called <paramref name="name"/> exists.</summary>
    public bool Contains(string name) => _byName.ContainsKey(name);
}
