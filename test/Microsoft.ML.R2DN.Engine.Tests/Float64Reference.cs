using Microsoft.ML.R2DN.Engine.Kernels;
using Microsoft.ML.R2DN.Engine.Models;

namespace Microsoft.ML.R2DN.Engine.Tests;

/// <summary>The models run in float64 through the same maps and kernels as the product's float32 path: the
/// reference the golden vectors, finite differences and trajectory checks compare against.</summary>
internal static class Float64Reference
{
    /// <summary>Runs the model, lets <paramref name="lossGradient"/> write dLoss/dy for the outputs, and returns the
    /// outputs, the final state and the parameter gradient.</summary>
    public static (double[] Outputs, double[] FinalState, double[] Gradient) ForwardBackwardFloat64(
        this RecurrentModel model, double[] initialState, double[] inputs, int timeSteps, int batch,
        Action<double[], double[]> lossGradient)
    {
        var (y, xT, grad, _) = model.ForwardBackwardFloat64WithState(initialState, inputs, timeSteps, batch,
                                                                     lossGradient);
        return (y, xT, grad);
    }

    /// <summary><see cref="ForwardBackwardFloat64(RecurrentModel, double[], double[], int, int,
    /// Action{double[], double[]})"/> with dLoss/dx_0 as well.</summary>
    public static (double[] Outputs, double[] FinalState, double[] Gradient, double[] InitialStateGradient)
        ForwardBackwardFloat64WithState(this RecurrentModel model, double[] initialState, double[] inputs,
                                        int timeSteps, int batch, Action<double[], double[]> lossGradient)
    {
        var map = model.CreateMap();
        var net = model.Compile<double>(map);
        var ws = new RolloutWorkspace<double>();
        ws.Forward(net, initialState, inputs, timeSteps, batch, model.Threads);
        var y = ws.Outputs.ToArray();
        var xT = new double[batch * model.StateSize];
        ws.CopyFinalState(xT);
        var dy = new double[y.Length];
        lossGradient(y, dy);
        dy.CopyTo(ws.OutputGradient);
        var grad = new double[model.ParameterCount];
        map.Backward(ws.Backward(net, model.Threads), grad);
        var dx0 = new double[batch * model.StateSize];
        ws.CopyInitialStateGradient(dx0);
        return (y, xT, grad, dx0);
    }

    /// <summary>The network's f(inputs) and dLoss/dParameters for the loss whose output gradient
    /// <paramref name="lossGradient"/> writes.</summary>
    public static (double[] Outputs, double[] Gradient) ForwardBackwardFloat64(this Lbdn lbdn, double[] inputs,
        int batch, Action<double[], double[]> lossGradient)
    {
        var map = lbdn.Map();
        var net = lbdn.Compile<double>(map);
        var ws = new RolloutWorkspace<double>();
        ws.Forward(net, [], inputs, 1, batch, 1);
        var y = ws.Outputs.ToArray();
        var dy = new double[y.Length];
        lossGradient(y, dy);
        dy.CopyTo(ws.OutputGradient);
        var fg = ws.Backward(net, 1);
        var grad = new double[lbdn.ParameterCount];
        map.Backward(fg.G[0], fg.G, fg.C, fg.Wo.Block(0, lbdn.Options.InputSize, lbdn.Options.OutputSize,
                                                     map.Out.Columns), fg.Bo, grad);
        return (y, grad);
    }
}
