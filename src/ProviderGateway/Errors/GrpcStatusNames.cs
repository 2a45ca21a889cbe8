using System.Text.RegularExpressions;
using Grpc.Core;

namespace ProviderGateway.Errors;

/// <summary>gRPC status code names as the gRPC specification writes them (INVALID_ARGUMENT, not InvalidArgument).</summary>
public static partial class GrpcStatusNames
{
    /// <summary>The specification's name of <paramref name="code"/>.</summary>
    public static string Name(StatusCode code) => code == StatusCode.OK ? "OK" : WordBoundary().Replace(code.ToString(), "$1_$2").ToUpperInvariant();

    [GeneratedRegex("([a-z])([A-Z])")]
    private static partial Regex WordBoundary();
}
