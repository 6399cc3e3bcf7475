namespace Microsoft.ML.R2DN.Engine.Models;

/// <summary>The contracting R2DN (MODELS.md 1.2, 2.7). STUB: signatures fixed, bodies in progress.</summary>
public sealed class ContractingR2dn : ISequenceModel
{
    /// <summary>Creates a model with freshly initialised parameters.</summary>
    public ContractingR2dn(R2dnOptions options, int seed = 0) { options.Validate(); Options = options; Layout = new ParameterLayout(); Parameters = []; }

    /// <summary>The options this model was built with.</summary>
    public R2dnOptions Options { get; }
    /// <inheritdoc/>
    public int InputSize => Options.InputSize;
    /// <inheritdoc/>
    public int StateSize => Options.StateSize;
    /// <inheritdoc/>
    public int OutputSize => Options.OutputSize;
    /// <inheritdoc/>
    public int ParameterCount => Layout.Count;
    /// <inheritdoc/>
    public double[] Parameters { get; }
    /// <inheritdoc/>
    public ParameterLayout Layout { get; }
    /// <inheritdoc/>
    public int Threads { get; set; } = 1;
    /// <summary>Multiply-accumulate operations per time step per sequence of the explicit model (for FLOP rates).</summary>
    public long MultiplyAddsPerStep => 0;
    /// <inheritdoc/>
    public void Simulate(ReadOnlySpan<float> initialState, ReadOnlySpan<float> inputs, int timeSteps, int batch, Span<float> outputs, Span<float> finalState) => throw new NotImplementedException();
    /// <inheritdoc/>
    public double LossAndGradient(ReadOnlySpan<float> initialState, ReadOnlySpan<float> inputs, ReadOnlySpan<float> targets, int timeSteps, int batch, ISequenceLoss loss, Span<double> gradient, Span<float> finalState) => throw new NotImplementedException();
}
