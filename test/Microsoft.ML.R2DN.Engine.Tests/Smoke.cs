namespace Microsoft.ML.R2DN.Engine.Tests; public class Smoke { [Xunit.Fact] public void Runs() { } }
