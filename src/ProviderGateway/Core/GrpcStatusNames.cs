using System.Text.RegularExpressions;
using Grpc.Core;

namespace ProviderGateway.Core;

/// <summary>gRPC status code names as the gRPC specification writes them (INVALID_ARGUMENT, not InvalidArgument).</summary>
public static partial class GrpcStatusNames
{
    // Codes 0-16, computed once: the journal names codes on every personal-data call.
    private static readonly string[] Names = [.. Enumerable.Range(0, 17).Select(c => Compute((StatusCode)c))];

    /// <summary>The specification's name of <paramref name="code"/>.</summary>
    public static string Name(StatusCode code) => (int)code is >= 0 and < 17 ? Names[(int)code] : Compute(code);

    /// <summary>The code named <paramref name="name"/> (as <see cref="Name"/> writes it); false when none is.</summary>
    public static bool TryParse(string name, out StatusCode code)
    {
        var index = Array.IndexOf(Names, name);
        code = (StatusCode)Math.Max(index, 0);
        return index >= 0;
    }

    private static string Compute(StatusCode code) =>
        code == StatusCode.OK ? "OK" : WordBoundary().Replace(code.ToString(), "$1_$2").ToUpperInvariant();

    [GeneratedRegex("([a-z])([A-Z])")]
    private static partial Regex WordBoundary();
}
