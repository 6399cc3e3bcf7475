namespace Microsoft.ML.R2DN.Engine.Simulation;

/// <summary>Draws the K subsequences of each optimiser step uniformly from every start in the training rows that
/// leaves room for the encoder's window before it and T rows after it, and fills the step's buffers.</summary>
internal sealed class SubsequenceSampler
{
    private readonly IReadOnlyList<SequenceData> _sequences;
    private readonly long[] _firstStart;   // cumulative counts of the valid starts, one entry per sequence and a total
    private readonly int _window, _length, _count, _nu, _ny;
    private readonly Random _rng;

    public SubsequenceSampler(IReadOnlyList<SequenceData> sequences, int[] trainingRows, int window,
                              SubsequenceOptions options, int seed)
    {
        _sequences = sequences;
        _window = window; _length = options.SubsequenceLength; _count = options.SubsequencesPerStep;
        _nu = sequences[0].InputCount; _ny = sequences[0].OutputCount;
        _firstStart = new long[sequences.Count + 1];
        for (int b = 0; b < sequences.Count; b++)
            _firstStart[b + 1] = _firstStart[b] + Math.Max(0, trainingRows[b] - _length - window + 1);
        if (_firstStart[^1] == 0)
            throw new ArgumentException($"No sequence has the {window + _length} training rows that one encoder " +
                $"window ({window}) and one subsequence ({_length}) need.", nameof(sequences));
        _rng = new Random(seed);
        Windows = new float[_count * window * (_nu + _ny)];
        Inputs = new float[_length * _count * _nu];
        Targets = new float[_length * _count * _ny];
    }

    /// <summary>z, [K, n·(nu + ny)].</summary>
    public float[] Windows { get; }

    /// <summary>u, [T, K, nu] (time-major, as the model reads it).</summary>
    public float[] Inputs { get; }

    /// <summary>y, [T, K, ny].</summary>
    public float[] Targets { get; }

    /// <summary>Draws a new batch into the buffers.</summary>
    public SubsequenceSampler Next()
    {
        int width = _window * (_nu + _ny);
        for (int k = 0; k < _count; k++)
        {
            long pick = _rng.NextInt64(_firstStart[^1]);
            int b = Array.BinarySearch(_firstStart, pick);
            b = b >= 0 ? b : ~b - 1;
            while (_firstStart[b + 1] == _firstStart[b]) b++;   // skip sequences with no valid start
            var s = _sequences[b];
            int start = _window + (int)(pick - _firstStart[b]);
            EncodedSimulation.Window(s, start, _window, Windows.AsSpan(k * width, width));
            for (int t = 0; t < _length; t++)
            {
                s.Inputs.AsSpan((start + t) * _nu, _nu).CopyTo(Inputs.AsSpan((t * _count + k) * _nu, _nu));
                s.Outputs.AsSpan((start + t) * _ny, _ny).CopyTo(Targets.AsSpan((t * _count + k) * _ny, _ny));
            }
        }
        return this;
    }
}
