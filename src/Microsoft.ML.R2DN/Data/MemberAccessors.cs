using System.Linq.Expressions;
using System.Reflection;

namespace Microsoft.ML.R2DN.Data;

/// <summary>Compiled readers and writers of row-class members, converting between the member's type and the column's
/// raw type (<see cref="string"/> ↔ <see cref="ReadOnlyMemory{T}"/> of <see cref="char"/>, <see cref="float"/>[] ↔
/// <see cref="ReadOnlyMemory{T}"/> of <see cref="float"/>).</summary>
/// <remarks>Compiled once per view, not per row: reflection's GetValue/SetValue would box every value.</remarks>
internal static class MemberAccessors
{
    private static readonly MethodInfo StringToText = typeof(MemberAccessors).GetMethod(nameof(ToText), BindingFlags.NonPublic | BindingFlags.Static)!;
    private static readonly MethodInfo ArrayToVector = typeof(MemberAccessors).GetMethod(nameof(ToVector), BindingFlags.NonPublic | BindingFlags.Static)!;
    private static readonly MethodInfo TextToString = typeof(MemberAccessors).GetMethod(nameof(ToStringValue), BindingFlags.NonPublic | BindingFlags.Static)!;
    private static readonly MethodInfo VectorToArray = typeof(MemberAccessors).GetMethod(nameof(ToArray), BindingFlags.NonPublic | BindingFlags.Static)!;

    /// <summary>A <c>Func&lt;TRow, TRaw&gt;</c> that reads <paramref name="member"/> as <typeparamref name="TRaw"/>.</summary>
    public static Func<TRow, TRaw> CreateReader<TRow, TRaw>(MemberInfo member, Type memberType)
    {
        var row = Expression.Parameter(typeof(TRow), "row");
        Expression value = Expression.MakeMemberAccess(row, member);
        if (memberType != typeof(TRaw))
        {
            if (memberType == typeof(string) && typeof(TRaw) == typeof(ReadOnlyMemory<char>))
                value = Expression.Call(StringToText, value);
            else if (memberType == typeof(float[]) && typeof(TRaw) == typeof(ReadOnlyMemory<float>))
                value = Expression.Call(ArrayToVector, value);
            else
                throw new InvalidOperationException($"Member '{member.Name}' of type '{memberType.Name}' cannot be read as '{typeof(TRaw).Name}'.");
        }
        return Expression.Lambda<Func<TRow, TRaw>>(value, row).Compile();
    }

    /// <summary>An <c>Action&lt;TRow, TRaw&gt;</c> that stores a column value into <paramref name="member"/>; with
    /// <paramref name="reuseArrays"/> a <see cref="float"/>[] member's array is overwritten when its length fits.</summary>
    public static Action<TRow, TRaw> CreateWriter<TRow, TRaw>(MemberInfo member, Type memberType, bool reuseArrays)
    {
        var row = Expression.Parameter(typeof(TRow), "row");
        var raw = Expression.Parameter(typeof(TRaw), "value");
        var target = Expression.MakeMemberAccess(row, member);
        Expression value = raw;
        if (memberType != typeof(TRaw))
        {
            if (memberType == typeof(string) && typeof(TRaw) == typeof(ReadOnlyMemory<char>))
                value = Expression.Call(TextToString, raw);
            else if (memberType == typeof(float[]) && typeof(TRaw) == typeof(ReadOnlyMemory<float>))
                value = Expression.Call(VectorToArray, raw, reuseArrays ? target : Expression.Constant(null, typeof(float[])));
            else
                throw new InvalidOperationException($"Member '{member.Name}' of type '{memberType.Name}' cannot hold '{typeof(TRaw).Name}'.");
        }
        return Expression.Lambda<Action<TRow, TRaw>>(Expression.Assign(target, value), row, raw).Compile();
    }

    private static ReadOnlyMemory<char> ToText(string? value) => value.AsMemory();

    private static ReadOnlyMemory<float> ToVector(float[]? value) => value;

    private static string ToStringValue(ReadOnlyMemory<char> value) => value.ToString();

    private static float[] ToArray(ReadOnlyMemory<float> value, float[]? existing)
    {
        if (existing is null || existing.Length != value.Length)
            return value.ToArray();
        value.Span.CopyTo(existing);
        return existing;
    }
}
