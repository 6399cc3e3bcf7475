using System.Globalization;
using System.Text;
using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.R2DN;
using Microsoft.ML.R2DN.Forecasting;

namespace RoundTrip;

/// <summary>What both processes write about a model, in a form that compares bit for bit: floats as the hexadecimal
/// of their IEEE bits, doubles in round-trip ("R") form.</summary>
public static class Report
{
    /// <summary>The rows the engine sees of each series before it reports.</summary>
    public const int EngineRows = 48;

    /// <summary>Writes every visible Single and known-size Vector&lt;Single&gt; column of <paramref name="scored"/> to
    /// <paramref name="path"/>: a header of column[slot] names, then one line of hex bits per row.</summary>
    /// <returns>The number of rows and the header.</returns>
    public static (int Rows, string Header) WriteOutputs(IDataView scored, string path)
    {
        static bool Written(DataViewType t) =>
            t == NumberDataViewType.Single
            || t is VectorDataViewType { ItemType: NumberDataViewType, Size: > 0 } v
               && v.ItemType == NumberDataViewType.Single;
        var columns = scored.Schema.Where(c => !c.IsHidden && Written(c.Type)).ToList();
        var names = new List<string>();
        foreach (var c in columns)
        {
            if (c.Type is VectorDataViewType v)
                for (int i = 0; i < v.Size; i++) names.Add($"{c.Name}[{i}]");
            else
                names.Add(c.Name);
        }
        string header = string.Join(',', names);
        using var writer = new StreamWriter(path, append: false, new UTF8Encoding(false));
        writer.WriteLine(header);
        int rows = 0;
        using var cursor = scored.GetRowCursor(columns);
        var readers = columns.Select(c => Reader(cursor, c)).ToList();
        var line = new StringBuilder();
        while (cursor.MoveNext())
        {
            line.Clear();
            foreach (var read in readers)
                foreach (float value in read())
                {
                    if (line.Length > 0) line.Append(',');
                    line.Append(Hex(value));
                }
            writer.WriteLine(line);
            rows++;
        }
        return (rows, header);
    }

    /// <summary>The model's kind, size, training loss and certificate (re-verified when the model was
    /// loaded).</summary>
    public static List<string> DescribeModel(ITransformer model)
    {
        var lines = new List<string>();
        try
        {
            var f = model.GetForecaster();
            lines.Add($"MODEL forecaster {f.ModelKind} parameters={f.ParameterCount} horizon={f.Horizon} " +
                      $"bounds={f.ConfidenceLowerBoundColumn is not null} series={f.SeriesIdColumnName ?? "-"}");
            lines.Add("LOSS " + string.Join(';', f.TrainingLoss.Select(R)));
            lines.Add(CertificateLine(f.Certificate));
        }
        catch (ArgumentException)
        {
            var s = model.GetSimulator();
            lines.Add($"MODEL simulator {s.ModelKind} parameters={s.ParameterCount} " +
                      $"predicted={string.Join(';', s.PredictedColumnNames)} series={s.SeriesIdColumnName ?? "-"}");
            lines.Add("LOSS " + string.Join(';', s.TrainingLoss.Select(R)));
            lines.Add(CertificateLine(s.Certificate));
        }
        return lines;
    }

    /// <summary>"CERTIFICATE verified=True maxEigenvalue=… scale=… | statement".</summary>
    public static string CertificateLine(Microsoft.ML.R2DN.Engine.Certificates.Certificate c) =>
        $"CERTIFICATE verified={c.IsVerified} maxEigenvalue={R(c.MaxEigenvalue)} scale={R(c.Scale)} | {c}";

    /// <summary>The steps of each series a model of these tests trains on: the first ones, before the rows the engine
    /// is fed.</summary>
    public const int TrainSteps = 300;

    /// <summary>The rows of <paramref name="data"/> a model trains on: the first <see cref="TrainSteps"/> steps of
    /// each series.</summary>
    public static IDataView TrainingRows(MLContext ml, IDataView data) =>
        ml.Data.FilterByCustomPredicate<StepOnly>(data, r => r.Step >= TrainSteps);

    /// <summary>Runs the time-series engine on <paramref name="model"/>, trained on <see cref="TrainingRows"/>: the
    /// forecast it starts with (from the end of training) for the current series and for every series, then
    /// <see cref="EngineRows"/> observations of each series after its training rows, a forecast from the current state
    /// (also at another horizon and level when the model has intervals), a checkpoint to
    /// <paramref name="checkpointPath"/> loaded back into a second engine, and one more observation given to both. A
    /// simulator's refusal is reported instead.</summary>
    public static List<string> RunEngine(MLContext ml, ITransformer model, IDataView data, string checkpointPath)
    {
        var lines = new List<string>();
        ForecastingEngine<Observation, Prediction> engine;
        try
        {
            engine = model.CreateTimeSeriesEngine<Observation, Prediction>(ml);
        }
        catch (ArgumentException e)
        {
            lines.Add("ENGINE refused: " + e.Message);
            return lines;
        }
        bool bounds = model.GetForecaster().ConfidenceLowerBoundColumn is not null;
        var series = ml.Data.CreateEnumerable<Observation>(data, reuseRowObject: false).GroupBy(r => r.Series).ToList();
        lines.Add($"ENGINE start current {engine.CurrentSeries}: {Format(engine.Predict())}");
        foreach (var s in series) lines.Add($"ENGINE start {s.Key}: {Format(engine.PredictSeries(s.Key))}");
        Observation? next = null;
        foreach (var s in series)
        {
            var after = s.Where(r => r.Step >= TrainSteps).ToList();
            Prediction? p = null;
            foreach (var o in after.Take(EngineRows)) p = engine.Predict(o);
            lines.Add($"ENGINE {s.Key} after {EngineRows}: {Format(p!)}");
            next = after[EngineRows];
        }
        lines.Add("ENGINE current: " + Format(engine.Predict()));
        if (bounds)
            lines.Add("ENGINE current h=2 level=0.8: " + Format(engine.Predict(horizon: 2, confidenceLevel: 0.8f)));
        engine.CheckPoint(ml, checkpointPath);
        var resumed = ml.Model.Load(checkpointPath, out _).CreateTimeSeriesEngine<Observation, Prediction>(ml);
        lines.Add("CHECKPOINT current: " + Format(resumed.Predict()));
        lines.Add("ENGINE next: " + Format(engine.Predict(next!)));
        lines.Add("CHECKPOINT next: " + Format(resumed.Predict(next!)));
        return lines;
    }

    /// <summary>"forecast=… lower=… upper=…", each a ';'-separated list of hex bits ("-" when absent).</summary>
    public static string Format(Prediction p) =>
        $"forecast={Hex(p.Forecast)} lower={Hex(p.Lower)} upper={Hex(p.Upper)}";

    /// <summary>The schema as "name:type" pairs.</summary>
    public static string Schema(DataViewSchema schema) =>
        string.Join(',', schema.Where(c => !c.IsHidden).Select(c => $"{c.Name}:{c.Type}"));

    /// <summary>The IEEE bits of <paramref name="value"/> in hexadecimal.</summary>
    public static string Hex(float value) =>
        BitConverter.SingleToUInt32Bits(value).ToString("X8", CultureInfo.InvariantCulture);

    private static string Hex(float[]? values) => values is null ? "-" : string.Join(';', values.Select(Hex));

    private static string R(double value) => value.ToString("R", CultureInfo.InvariantCulture);

    private static Func<float[]> Reader(DataViewRowCursor cursor, DataViewSchema.Column column)
    {
        if (column.Type is VectorDataViewType)
        {
            var get = cursor.GetGetter<VBuffer<float>>(column);
            VBuffer<float> buffer = default;
            return () =>
            {
                get(ref buffer);
                return buffer.DenseValues().ToArray();
            };
        }
        var scalar = cursor.GetGetter<float>(column);
        float x = 0;
        return () =>
        {
            scalar(ref x);
            return [x];
        };
    }
}
