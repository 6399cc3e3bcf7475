namespace Microsoft.ML.R2DN.Engine.Simulation;

/// <summary>A simulation started from an encoded state: rows [from, to) of a sequence simulated from
/// x_from = ψ(u, y over [from − n, from)), in the model's (standardised) units.</summary>
internal static class EncodedSimulation
{
    /// <summary>Writes the encoder's input for the window [from − n, from) of <paramref name="sequence"/> into
    /// <paramref name="z"/> ([n·(nu + ny)], oldest step first, inputs then outputs).</summary>
    public static void Window(SequenceData sequence, int from, int window, Span<float> z)
    {
        int nu = sequence.InputCount, ny = sequence.OutputCount, width = nu + ny;
        for (int t = 0; t < window; t++)
        {
            int row = from - window + t;
            sequence.Inputs.AsSpan(row * nu, nu).CopyTo(z.Slice(t * width, nu));
            sequence.Outputs.AsSpan(row * ny, ny).CopyTo(z.Slice(t * width + nu, ny));
        }
    }

    /// <summary>Simulates rows [<paramref name="from"/>, <paramref name="to"/>) from the encoded state into
    /// <paramref name="outputs"/> ([to − from, ny]); <paramref name="from"/> must be at least the window.</summary>
    public static void Simulate(RecurrentModel model, StateEncoder encoder, SequenceData sequence, int from, int to,
                                Span<float> outputs)
    {
        int nu = sequence.InputCount, nx = model.StateSize;
        var z = new float[encoder.FeatureSize];
        Window(sequence, from, encoder.Window, z);
        var x0 = new float[nx];
        encoder.Encode(z, 1, x0);
        model.Simulate(x0, sequence.Inputs.AsSpan(from * nu, (to - from) * nu), to - from, 1, outputs, new float[nx]);
    }
}
