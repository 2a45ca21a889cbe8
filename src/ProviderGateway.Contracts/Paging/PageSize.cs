using ProviderGateway.Contracts.Errors;

namespace ProviderGateway.Contracts.Paging;

/// <summary>
/// The page size convention of every List method (AIP-158): 0 means the default, values above
/// <see cref="Maximum"/> are treated as the maximum, negative values are INVALID_ARGUMENT.
/// </summary>
public static class PageSize
{
    /// <summary>The largest page any List method returns: 100.</summary>
    public const int Maximum = 100;

    /// <summary>The page size used when the caller asks for 0: 50.</summary>
    public const int Default = 50;

    /// <summary>The effective page size for <paramref name="requested"/>.</summary>
    /// <exception cref="Grpc.Core.RpcException">INVALID_ARGUMENT naming <c>page_size</c> when negative.</exception>
    public static int Resolve(int requested, int defaultSize = Default)
    {
        if (requested < 0)
        {
            throw RpcErrors.InvalidArgument("page_size", "page_size must be zero (the default) or positive.", "PAGE_SIZE_NEGATIVE");
        }

        return requested == 0 ? Math.Min(defaultSize, Maximum) : Math.Min(requested, Maximum);
    }
}
