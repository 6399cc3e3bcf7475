using System.Text;

namespace Microsoft.ML.R2DN;

/// <summary>How well multi-step forecasts match what happened: the result of <c>ml.Forecasting.Evaluate</c> and of each
/// fold of <c>ml.Forecasting.CrossValidate</c>.</summary>
/// <remarks>
/// <para>The forecast made at row t (after observing it) for step k (1 &lt;= k &lt;= horizon) is compared with the
/// label of row t + k of the same series; one (t, k) pair per target. Pairs whose row t + k is past the end of the
/// series, or whose label or forecast is NaN, are left out. With e = forecast - label, over the <see cref="Count"/>
/// pairs:</para>
/// <list type="bullet">
/// <item><see cref="Mae"/> = mean |e|; <see cref="Rmse"/> = sqrt(mean e²);</item>
/// <item><see cref="Nrmse"/> = <see cref="Rmse"/> / sqrt(mean label²) over the same pairs (the RMSE relative to the
/// root mean square of the labels; NaN when every label is 0);</item>
/// <item><see cref="Smape"/> = mean of 200 |e| / (|label| + |forecast|), in percent (0 to 200); pairs where both are 0
/// are left out of this mean;</item>
/// <item><see cref="Mase"/> = mean of |e| / scale, where the scale of each target is the mean absolute seasonal
/// difference |y_t - y_(t-m)| (m = seasonality) within the series of the training data (when given) or else of the
/// evaluated data: the in-sample error of the seasonal naive forecast. Below 1 means better than that forecast's
/// one-step error. NaN when the scale is 0 or cannot be computed;</item>
/// <item><see cref="Coverage"/> = the fraction of labels inside [lower, upper], and <see cref="MeanIntervalWidth"/> =
/// mean (upper - lower), over the pairs whose bounds are not NaN; NaN when no bounds were given;</item>
/// <item><see cref="RepeatLastMae"/>, <see cref="LinearMae"/> (and their RMSEs): the same errors for repeating the last
/// value and for a ridge regression on the look-back, over the same pairs, so that a model can be judged at once
/// against the baselines it must beat.</item>
/// <item><see cref="SeasonalNaiveMae"/> and <see cref="SeasonalNaiveRmse"/>: the same errors for the seasonal naive
/// forecast y_(t+k-m·ceil(k/m)) (the last value observed by row t, one season back from t + k), over the same pairs
/// except those whose naive value lies before the first row of the series (only the first m - 1 rows of each series
/// as origins, for m &gt; 1). A model worth using has <see cref="Mae"/> below <see cref="SeasonalNaiveMae"/>.</item>
/// </list>
/// <para>Every metric is also given per step in <see cref="PerHorizon"/>. With several targets, the pairs of all
/// targets are pooled.</para>
/// </remarks>
public sealed class ForecastingMetrics
{
    internal ForecastingMetrics(int horizon, int seasonality, int targetCount, Summary total, HorizonMetrics perHorizon)
    {
        Horizon = horizon;
        Seasonality = seasonality;
        TargetCount = targetCount;
        Mae = total.Mae;
        Rmse = total.Rmse;
        Nrmse = total.Nrmse;
        Smape = total.Smape;
        Mase = total.Mase;
        Coverage = total.Coverage;
        MeanIntervalWidth = total.MeanIntervalWidth;
        Count = total.Count;
        SeasonalNaiveMae = total.SeasonalNaiveMae;
        SeasonalNaiveRmse = total.SeasonalNaiveRmse;
        RepeatLastMae = total.RepeatLastMae;
        RepeatLastRmse = total.RepeatLastRmse;
        LinearMae = total.LinearMae;
        LinearRmse = total.LinearRmse;
        PerHorizon = perHorizon;
    }

    /// <summary>The mean absolute error, in the labels' units; NaN when <see cref="Count"/> is 0.</summary>
    public double Mae { get; }

    /// <summary>The root mean squared error, in the labels' units.</summary>
    public double Rmse { get; }

    /// <summary>The normalised RMSE: <see cref="Rmse"/> divided by the root mean square of the labels of the same
    /// pairs.</summary>
    public double Nrmse { get; }

    /// <summary>The symmetric mean absolute percentage error, in percent, in [0, 200].</summary>
    public double Smape { get; }

    /// <summary>The mean absolute scaled error: errors divided by the in-sample mean absolute seasonal
    /// difference.</summary>
    public double Mase { get; }

    /// <summary>The fraction of labels inside their interval, in [0, 1]; NaN when no bounds were given.</summary>
    public double Coverage { get; }

    /// <summary>The mean width of the intervals (upper - lower); NaN when no bounds were given.</summary>
    public double MeanIntervalWidth { get; }

    /// <summary>The number of (origin, step, target) pairs compared.</summary>
    public long Count { get; }

    /// <summary>The mean absolute error of the seasonal naive forecast over the same pairs.</summary>
    public double SeasonalNaiveMae { get; }

    /// <summary>The root mean squared error of the seasonal naive forecast over the same pairs.</summary>
    public double SeasonalNaiveRmse { get; }

    /// <summary>The mean absolute error of repeating the last observed value (the naive forecast) over the same
    /// pairs.</summary>
    public double RepeatLastMae { get; }

    /// <summary>The root mean squared error of repeating the last observed value over the same pairs.</summary>
    public double RepeatLastRmse { get; }

    /// <summary>The mean absolute error, over the same pairs, of the linear baseline: a ridge regression from each
    /// target's last L values to its next changes (channel independent, the last value subtracted, as the forecaster's
    /// own linear path), fitted on the training data given to <c>Evaluate</c> (or, without it, on the first part of the
    /// evaluated data before the scored pairs: see <c>Evaluate</c>). NaN when it could not be fitted.</summary>
    public double LinearMae { get; }

    /// <summary>The root mean squared error of the linear baseline over the same pairs
    /// (see <see cref="LinearMae"/>).</summary>
    public double LinearRmse { get; }

    /// <summary>The number of steps forecast at each row.</summary>
    public int Horizon { get; }

    /// <summary>The season length m used by <see cref="Mase"/> and the seasonal naive forecast.</summary>
    public int Seasonality { get; }

    /// <summary>The number of target series forecast together.</summary>
    public int TargetCount { get; }

    /// <summary>Every metric for each step k = 1 .. <see cref="Horizon"/> (element k - 1).</summary>
    public HorizonMetrics PerHorizon { get; }

    /// <summary>A readable summary: the metrics, then the seasonal naive baseline.</summary>
    /// <returns>Several lines of text.</returns>
    public override string ToString()
    {
        var c = CultureInfo.InvariantCulture;
        var text = new StringBuilder();
        text.Append(c, $"Forecasting metrics over {Count} pairs (horizon {Horizon}, seasonality {Seasonality}");
        text.Append(TargetCount > 1 ? string.Create(c, $", {TargetCount} targets):") : "):").AppendLine();
        text.Append(c, $"  MAE {Mae:G6}  RMSE {Rmse:G6}  NRMSE {Nrmse:G6}  sMAPE {Smape:G6}%  MASE {Mase:G6}")
            .AppendLine();
        if (!double.IsNaN(Coverage))
            text.Append(c, $"  Interval coverage {Coverage:P2}  mean width {MeanIntervalWidth:G6}").AppendLine();
        text.Append(c, $"  Seasonal naive: MAE {SeasonalNaiveMae:G6}  RMSE {SeasonalNaiveRmse:G6}").AppendLine();
        text.Append(c, $"  Repeat last:    MAE {RepeatLastMae:G6}  RMSE {RepeatLastRmse:G6}");
        if (!double.IsNaN(LinearMae))
            text.AppendLine().Append(c, $"  Linear (ridge): MAE {LinearMae:G6}  RMSE {LinearRmse:G6}");
        return text.ToString();
    }

    /// <summary>The metrics of one group of pairs.</summary>
    internal readonly record struct Summary(double Mae, double Rmse, double Nrmse, double Smape, double Mase,
                                            double Coverage, double MeanIntervalWidth, long Count,
                                            double SeasonalNaiveMae, double SeasonalNaiveRmse, double RepeatLastMae,
                                            double RepeatLastRmse, double LinearMae, double LinearRmse);
}

/// <summary>The metrics of <see cref="ForecastingMetrics"/> for each forecast step: element k - 1 of every list is
/// step k (1 &lt;= k &lt;= horizon).</summary>
public sealed class HorizonMetrics
{
    internal HorizonMetrics(IReadOnlyList<ForecastingMetrics.Summary> steps)
    {
        Mae = [.. steps.Select(s => s.Mae)];
        Rmse = [.. steps.Select(s => s.Rmse)];
        Nrmse = [.. steps.Select(s => s.Nrmse)];
        Smape = [.. steps.Select(s => s.Smape)];
        Mase = [.. steps.Select(s => s.Mase)];
        Coverage = [.. steps.Select(s => s.Coverage)];
        MeanIntervalWidth = [.. steps.Select(s => s.MeanIntervalWidth)];
        Count = [.. steps.Select(s => s.Count)];
        SeasonalNaiveMae = [.. steps.Select(s => s.SeasonalNaiveMae)];
        SeasonalNaiveRmse = [.. steps.Select(s => s.SeasonalNaiveRmse)];
        RepeatLastMae = [.. steps.Select(s => s.RepeatLastMae)];
        LinearMae = [.. steps.Select(s => s.LinearMae)];
    }

    /// <summary>The mean absolute error of each step.</summary>
    public IReadOnlyList<double> Mae { get; }

    /// <summary>The root mean squared error of each step.</summary>
    public IReadOnlyList<double> Rmse { get; }

    /// <summary>The normalised RMSE of each step.</summary>
    public IReadOnlyList<double> Nrmse { get; }

    /// <summary>The sMAPE of each step, in percent.</summary>
    public IReadOnlyList<double> Smape { get; }

    /// <summary>The MASE of each step.</summary>
    public IReadOnlyList<double> Mase { get; }

    /// <summary>The interval coverage of each step; NaN when no bounds were given.</summary>
    public IReadOnlyList<double> Coverage { get; }

    /// <summary>The mean interval width of each step; NaN when no bounds were given.</summary>
    public IReadOnlyList<double> MeanIntervalWidth { get; }

    /// <summary>The number of pairs compared at each step.</summary>
    public IReadOnlyList<long> Count { get; }

    /// <summary>The seasonal naive forecast's mean absolute error at each step.</summary>
    public IReadOnlyList<double> SeasonalNaiveMae { get; }

    /// <summary>The seasonal naive forecast's root mean squared error at each step.</summary>
    public IReadOnlyList<double> SeasonalNaiveRmse { get; }

    /// <summary>Per step, the MAE of repeating the last value.</summary>
    public IReadOnlyList<double> RepeatLastMae { get; }

    /// <summary>Per step, the MAE of the linear baseline.</summary>
    public IReadOnlyList<double> LinearMae { get; }
}
