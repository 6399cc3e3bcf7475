namespace Microsoft.ML.R2DN.Data;

/// <summary>Excludes a public field or property from the columns of a row class: it is neither loaded nor written.</summary>
[AttributeUsage(AttributeTargets.Field | AttributeTargets.Property, AllowMultiple = false, Inherited = true)]
public sealed class NoColumnAttribute : Attribute
{
}
