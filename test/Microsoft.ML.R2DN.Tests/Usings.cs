namespace Microsoft.ML.R2DN.Tests;
