using System.Globalization;
using System.Reflection;
using ProviderGateway.Configuration;

namespace ProviderGateway.FunctionalTests.Operations;

/// <summary>
/// Whether a configuration key names a value the gateway binds, as the configuration binder would find it: the section
/// of an options class (a type of the gateway with a <c>SectionName</c> constant: <c>Gateway</c>, <c>Gateway:Caching</c>…;
/// the longest that starts the key), then a property per segment (case-insensitive), an index per list item, any key of
/// a dictionary, ending on a value (string, number, TimeSpan, enum…). A misspelt setting is otherwise ignored in
/// silence: the binder skips what matches no property.
/// </summary>
public static class BoundOptions
{
    private static readonly Dictionary<string, Type> Sections = typeof(GatewayOptions).Assembly.GetTypes()
        .Select(type => (Type: type, Field: type.GetField("SectionName", BindingFlags.Public | BindingFlags.Static)))
        .Where(section => section.Field is { IsLiteral: true } && section.Field.FieldType == typeof(string))
        .ToDictionary(section => (string)section.Field!.GetRawConstantValue()!, section => section.Type, StringComparer.OrdinalIgnoreCase);

    /// <summary>Null when <paramref name="key"/> (<c>Gateway:Providers:0:Id</c>) names a value the gateway binds; otherwise why not.</summary>
    public static string? Problem(string key)
    {
        var segments = key.Split(':');
        var start = Enumerable.Range(1, segments.Length).Reverse().FirstOrDefault(n => Sections.ContainsKey(string.Join(':', segments[..n])));
        if (start == 0)
        {
            return "no options class binds a section of it";
        }

        var type = Sections[string.Join(':', segments[..start])];
        foreach (var segment in segments[start..])
        {
            type = Nullable.GetUnderlyingType(type) ?? type;
            if (IsValue(type))
            {
                return $"{segment} goes below a value ({type.Name})";
            }

            if (Generic(type, typeof(IDictionary<,>)) is { } dictionary)
            {
                type = dictionary[1];
            }
            else if (type.IsArray || Generic(type, typeof(IEnumerable<>)) is not null)
            {
                if (!int.TryParse(segment, NumberStyles.None, CultureInfo.InvariantCulture, out _))
                {
                    return $"{segment} is not an index of a list";
                }

                type = type.IsArray ? type.GetElementType()! : Generic(type, typeof(IEnumerable<>))![0];
            }
            else
            {
                var property = type.GetProperty(segment, BindingFlags.Public | BindingFlags.Instance | BindingFlags.IgnoreCase);
                if (property is null)
                {
                    return $"{type.Name} has no property {segment}";
                }

                type = property.PropertyType;
            }
        }

        type = Nullable.GetUnderlyingType(type) ?? type;
        return IsValue(type) ? null : $"names a section ({type.Name}), not a value";
    }

    private static bool IsValue(Type type) =>
        type.IsPrimitive || type.IsEnum || type == typeof(string) || type == typeof(decimal) || type == typeof(TimeSpan) || type == typeof(DateOnly)
        || type == typeof(TimeOnly) || type == typeof(DateTime) || type == typeof(DateTimeOffset) || type == typeof(Uri) || type == typeof(Guid);

    // The type arguments of the generic interface (or class) definition that type is or implements.
    private static Type[]? Generic(Type type, Type definition) =>
        new[] { type }.Concat(type.GetInterfaces()).FirstOrDefault(t => t.IsGenericType && t.GetGenericTypeDefinition() == definition)?.GetGenericArguments();
}
