using System.Reflection;

namespace Microsoft.ML.R2DN.Data;

/// <summary>The public fields and properties of a row class, with the attributes that map them to columns.</summary>
internal sealed record RowTypeMember(MemberInfo Member, Type MemberType, string ColumnName, DataViewType ColumnType,
                                     bool CanRead, bool CanWrite, LoadColumnAttribute? LoadColumn)
{
    public string Name => Member.Name;
}

/// <summary>Reflection over row classes, shared by the enumerable and text loaders.</summary>
internal static class RowTypeMembers
{
    /// <summary>The mapped members of <paramref name="type"/>: public instance fields, then public properties with a
    /// getter and no index, without <see cref="NoColumnAttribute"/>.</summary>
    public static IReadOnlyList<RowTypeMember> Get(Type type)
    {
        var members = new List<RowTypeMember>();
        foreach (var field in type.GetFields(BindingFlags.Public | BindingFlags.Instance))
            Add(members, field, field.FieldType, canRead: true, canWrite: !field.IsInitOnly);
        foreach (var property in type.GetProperties(BindingFlags.Public | BindingFlags.Instance))
            if (property.GetIndexParameters().Length == 0 && property.GetMethod is { IsPublic: true })
                Add(members, property, property.PropertyType, canRead: true, canWrite: property.SetMethod is { IsPublic: true });
        return members;
    }

    private static void Add(List<RowTypeMember> members, MemberInfo member, Type memberType, bool canRead, bool canWrite)
    {
        if (member.IsDefined(typeof(NoColumnAttribute), inherit: true))
            return;
        var vector = member.GetCustomAttribute<VectorTypeAttribute>(inherit: true);
        var type = NaturalType(memberType, vector?.Size ?? 0)
            ?? throw new InvalidOperationException(
                $"Member '{member.Name}' of '{member.DeclaringType?.Name}' has type '{memberType.Name}', which maps to no column type. "
                + "Supported: float, double, int, long, bool, string, ReadOnlyMemory<char>, DateTime, float[]. Mark it [NoColumn] to skip it.");
        if (vector is not null && memberType != typeof(float[]))
            throw new InvalidOperationException($"Member '{member.Name}' has [VectorType] but is not a float[].");
        string name = member.GetCustomAttribute<ColumnNameAttribute>(inherit: true)?.Name ?? member.Name;
        members.Add(new RowTypeMember(member, memberType, name, type, canRead, canWrite,
                                      member.GetCustomAttribute<LoadColumnAttribute>(inherit: true)));
    }

    /// <summary>The column type a member of <paramref name="memberType"/> maps to by default, or null.</summary>
    public static DataViewType? NaturalType(Type memberType, int vectorSize) =>
        memberType == typeof(float) ? NumberDataViewType.Single
        : memberType == typeof(double) ? NumberDataViewType.Double
        : memberType == typeof(int) ? NumberDataViewType.Int32
        : memberType == typeof(long) ? NumberDataViewType.Int64
        : memberType == typeof(bool) ? BooleanDataViewType.Instance
        : memberType == typeof(string) || memberType == typeof(ReadOnlyMemory<char>) ? TextDataViewType.Instance
        : memberType == typeof(DateTime) ? DateTimeDataViewType.Instance
        : memberType == typeof(float[]) ? new VectorDataViewType(NumberDataViewType.Single, vectorSize)
        : null;

    /// <summary>Whether a member of <paramref name="memberType"/> can hold values of <paramref name="columnType"/>
    /// (vectors of any size for a <see cref="float"/>[]).</summary>
    public static bool Suits(Type memberType, DataViewType columnType)
    {
        var natural = NaturalType(memberType, 0);
        return natural is VectorDataViewType v
            ? columnType is VectorDataViewType c && c.ItemType.Equals(v.ItemType)
            : natural is not null && natural.Equals(columnType);
    }
}
