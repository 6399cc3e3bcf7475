// A γ-Lipschitz R2DN and its certificate.
//
// A γ-Lipschitz model bounds how much its output can move when its input moves: for any two input sequences u1, u2
// from the same initial state, ‖y(u1) − y(u2)‖ ≤ γ ‖u1 − u2‖ over every horizon (2-norms over all the steps). The
// R2DN is built so that this holds for every value of its weights (MODELS.md section 2.8); the certificate checks it
// numerically on the trained matrices, without sampling. Here we:
//
//   1. train two forecasters on the sample system with the same settings: one contracting (the default) and one
//      γ-Lipschitz with γ = 2 (Robustness = Lipschitz, Gamma = 2), and compare accuracy and certificates;
//   2. save each model as an ML.NET model file, export its weights as NumPy arrays (R2dnModelFile.ExportNpy, the API
//      behind `r2dn export --npy`), and rebuild the model from those arrays alone with the engine's classes;
//   3. estimate the multi-step gain empirically (Engine.Certificates.EmpiricalGain) with random input pairs: it stays
//      below γ = 2 for the Lipschitz model, while the contracting model has no such bound;
//   4. show what "contracting" means: two copies of a model started from different states, driven by the same input,
//      forget their difference.
//
// The two model files and their exported arrays are written beside the program, or to the folder given as the first
// argument.
// γ is in the model's own units: inputs and outputs standardised with the training data's mean and standard deviation.

using System.Diagnostics;
using System.Globalization;
using LipschitzCertificate;
using Microsoft.ML;
using Microsoft.ML.R2DN;
using Microsoft.ML.R2DN.Engine.Certificates;
using Microsoft.ML.R2DN.Engine.Models;
using Microsoft.ML.R2DN.Forecasting;
using Microsoft.ML.R2DN.Samples;

CultureInfo.CurrentCulture = CultureInfo.InvariantCulture;
// Files go to the folder given as the first argument, or beside the program (bin/...), so that runs leave the source
// tree clean.
string outputFolder = Directory.CreateDirectory(args.FirstOrDefault(a => !a.StartsWith("--", StringComparison.Ordinal))
                                                ?? AppContext.BaseDirectory).FullName;
const double Gamma = 2;
var clock = Stopwatch.StartNew();

var ml = new MLContext(seed: 3);
IDataView data = ml.Data.LoadNonlinearSystem(length: 2000);
var (train, _) = ml.Forecasting.SplitByTime(data, testFraction: 0.2);

// 1. Two forecasters that differ only in the robustness they are built to have.
R2dnForecastingOptions Options(Robustness robustness) => new()
{
    OutputColumnName = "Forecast", InputColumnName = "Output", FeatureColumnNames = ["Drive"], Horizon = 6,
    Robustness = robustness, Gamma = Gamma,   // Gamma is used by Robustness.Lipschitz only
    StateSize = 16, NonlinearWidth = 16, HiddenSizes = [32, 32], Epochs = 60, SegmentLength = 64, LearningRate = 5e-3,
    Seed = 1,
};
var contracting = ml.Forecasting.R2DN(Options(Robustness.Contracting)).Fit(train);
var lipschitz = ml.Forecasting.R2DN(Options(Robustness.Lipschitz)).Fit(train);

Console.WriteLine("Two R2DN forecasters of the sample system (Output, 6 steps ahead, Drive as a feature):");
foreach (var (name, model) in new[] { ("contracting", contracting), ($"{Gamma}-Lipschitz", lipschitz) })
{
    var (_, scoredTest) = ml.Forecasting.SplitByTime(model.Transform(data), testFraction: 0.2);
    var metrics = ml.Forecasting.Evaluate(scoredTest, "Output", "Forecast", seasonality: 24, trainingData: train);
    Certificate c = model.Certificate;
    Console.WriteLine($"  {name,-13} test MAE {metrics.Mae:F3} (seasonal naive {metrics.SeasonalNaiveMae:F3}), " +
                      $"{model.ParameterCount:N0} parameters");
    Console.WriteLine($"    statement: {c.Statement}");
    Console.WriteLine($"    verified:  {(c.IsVerified ? "yes" : "NO")}; largest eigenvalue of the dissipation form " +
                      $"{c.MaxEigenvalue:G3} " +
                      $"(relative residual {c.RelativeResidual:G3}, must be <= {c.RelativeTolerance:G1})");
}

Console.WriteLine($"  The bound is a constraint on the fit: with γ = {Gamma} the forecaster cannot react as strongly " +
                  $"to its inputs, " +
                  "which costs accuracy here; a larger γ relaxes it (try Gamma = 6).");

// 2. Save both as ML.NET model files, export each file's R2DN part as NumPy arrays (manifest.json +
// parameters/**/*.npy,
//    what `r2dn export --model FILE --npy DIR` writes), then rebuild the engine's models from those arrays. The rebuilt
//    models certify to the same numbers: the certificate belongs to the weights, wherever they are loaded.
RecurrentModel SaveExportAndRebuild(ForecastingTransformer model, string name)
{
    string modelPath = Path.Combine(outputFolder, name + ".zip"),
        exportFolder = Path.Combine(outputFolder, name + "-npy");
    ml.Model.Save(model, data.Schema, modelPath);
    if (Directory.Exists(exportFolder)) Directory.Delete(exportFolder, recursive: true);
    var written = R2dnModelFile.ExportNpy(ml, modelPath, exportFolder);
    RecurrentModel rebuilt = ModelFileWeights.LoadR2dn(exportFolder);
    Console.WriteLine($"Saved {Path.GetFileName(modelPath)}, exported {written.Count - 1} .npy arrays to " +
                      $"{Path.GetFileName(exportFolder)}/; " +
                      $"rebuilt a {rebuilt.GetType().Name} with {rebuilt.InputSize} inputs, {rebuilt.StateSize} " +
                      $"states, {rebuilt.OutputSize} outputs.");
    Console.WriteLine($"  {rebuilt.Certify()}");
    return rebuilt;
}
Console.WriteLine();
RecurrentModel lipschitzModel = SaveExportAndRebuild(lipschitz, "lipschitz-r2dn");
RecurrentModel contractingModel = SaveExportAndRebuild(contracting, "contracting-r2dn");

// 3. The empirical multi-step gain: the largest ‖Δy‖/‖Δu‖ over random pairs of 200-step input sequences, for small
//    (local) and large perturbations. It is a lower bound on the true gain; the certificate is the upper bound.
Console.WriteLine();
Console.WriteLine($"Empirical gain ‖y(u1) − y(u2)‖ / ‖u1 − u2‖ over 200 steps, 64 random pairs per row (γ = {Gamma}):");
Console.WriteLine($"  {"input scale",12} {"perturbation",13} {"γ-Lipschitz: max",17} {"mean",7} " +
                  $"{"contracting: max",17} {"mean",7}");
bool belowGamma = true;
foreach (var (inputScale, perturbation) in new[] { (1.0, 0.01), (1.0, 0.1), (1.0, 1.0), (3.0, 0.3), (3.0, 3.0) })
{
    GainEstimate l =
        EmpiricalGain.Estimate(lipschitzModel, pairs: 64, timeSteps: 200, inputScale, perturbation, seed: 1);
    GainEstimate c =
        EmpiricalGain.Estimate(contractingModel, pairs: 64, timeSteps: 200, inputScale, perturbation, seed: 1);
    belowGamma &= l.MaxGain <= Gamma;
    Console.WriteLine($"  {inputScale,12:G3} {perturbation,13:G3} {l.MaxGain,17:F3} {l.MeanGain,7:F3} " +
                      $"{c.MaxGain,17:F3} {c.MeanGain,7:F3}");
}
Console.WriteLine(belowGamma
    ? $"Every estimate of the γ-Lipschitz model is below γ = {Gamma}, as certified. The contracting model is stable, " +
      $"but nothing bounds its gain."
    : $"AN ESTIMATE EXCEEDS γ = {Gamma}: the certificate and the model disagree.");

// 4. Contraction: run one model from two different initial states with the same inputs; the outputs converge.
int nx = lipschitzModel.StateSize, nu = lipschitzModel.InputSize, ny = lipschitzModel.OutputSize;
const int Steps = 200;
var random = new Random(5);
var x0 = new float[2 * nx];
// copy 0 from zero, copy 1 from a random state
for (int i = 0; i < nx; i++) x0[nx + i] = (float)(3 * (2 * random.NextDouble() - 1));
var inputs = new float[Steps * 2 * nu];
for (int t = 0; t < Steps; t++)
    for (int i = 0; i < nu; i++)
        // the same input for both
        inputs[(t * 2 + 0) * nu + i] = inputs[(t * 2 + 1) * nu + i] = (float)Math.Sin(0.3 * t + i);
var outputs = new float[Steps * 2 * ny];
lipschitzModel.Simulate(x0, inputs, Steps, batch: 2, outputs, new float[2 * nx]);
Console.WriteLine();
Console.Write("Contraction: ‖y1(t) − y2(t)‖ of two copies started from different states, same input: ");
Console.WriteLine(string.Join(", ", new[] { 0, 10, 25, 50, 100, 199 }.Select(t =>
{
    double d = 0;
    for (int i = 0; i < ny; i++)
    { double e = outputs[(t * 2 + 0) * ny + i] - outputs[(t * 2 + 1) * ny + i]; d += e * e; }
    return $"t={t}: {Math.Sqrt(d):G2}";
})));
Console.WriteLine($"Done in {clock.Elapsed.TotalSeconds:F1} s.");
return belowGamma ? 0 : 1;
