using Google.Protobuf;
using ProviderGateway.Configuration;
using ProviderGateway.Paging;
using ProviderGateway.Contracts.Paging;
using ProviderGateway.Pipeline;
using ProviderGateway.Providers;
using ProviderGateway.Routing;

namespace ProviderGateway.Overview;

/// <summary>One page of a merged listing: each provider's outcome, and the token of the next page.</summary>
public sealed record FanOutPage<TResponse>(IReadOnlyList<ProviderOutcome<TResponse>> Outcomes, string NextPageToken)
    where TResponse : class;

/// <summary>
/// Lists a citizen's items across every provider of a domain, merged page by page. Each page asks
/// the providers still holding items for a share of <c>page_size</c> (never more than
/// <c>page_size</c> in total) and remembers each provider's own page token, so pages never overlap or
/// skip items. A provider that fails is reported in that page's sources and not asked again in this
/// listing, so the listing always ends; the desk starts over to retry it.
/// </summary>
public sealed class FanOutLister(ProviderRouter router, PageTokens tokens, ProviderCallPipeline pipeline, TimeProvider time)
{
    /// <summary>Fetches one merged page.</summary>
    /// <param name="operation">The provider List method.</param>
    /// <param name="iin">The citizen (already validated).</param>
    /// <param name="katoCode">District filter; empty for every provider of the domain.</param>
    /// <param name="pageSize">The desk's page size (already validated as not negative).</param>
    /// <param name="pageToken">The desk's page token; empty for the first page.</param>
    /// <param name="createRequest">Builds the provider request for a page size and the provider's token.</param>
    /// <param name="nextPageToken">Reads the provider's next page token from its answer.</param>
    /// <param name="desk">The desk's call.</param>
    public async Task<FanOutPage<TResponse>> ListAsync<TRequest, TResponse>(
        ProviderOperation<TRequest, TResponse> operation,
        string iin,
        string katoCode,
        int pageSize,
        string pageToken,
        Func<int, string, TRequest> createRequest,
        Func<TResponse, string> nextPageToken,
        DeskContext desk)
        where TRequest : class, IMessage<TRequest>
        where TResponse : class, IMessage<TResponse>
    {
        // The token is bound to this client and these fields, and names only providers this request may reach.
        var binding = new PageTokenBinding(desk.Caller?.ClientId ?? "", operation.Name, iin, katoCode);
        var serving = router.FanOut(operation.Domain, katoCode);
        var cursors = pageToken.Length == 0
            ? [.. serving.Select(p => (Provider: p, Token: ""))]
            : Resume(tokens.Open(pageToken, binding), serving);

        // With fewer items wanted than providers, the first ones are asked now and the rest wait in the token.
        var size = PageSize.Resolve(pageSize);
        var asked = cursors.Take(size).ToList();
        var waiting = cursors.Skip(size).Select(c => new ProviderCursor(c.Provider.Id, c.Token));
        var share = asked.Count == 0 ? 0 : Math.Max(1, size / asked.Count);

        using var bound = new DeskDeadlineScope(desk, time);
        var outcomes = await Task.WhenAll(asked.Select(c =>
            pipeline.CallAsync(c.Provider, operation, createRequest(share, c.Token), bound.Desk))).ConfigureAwait(false);

        var next = outcomes
            .Where(o => o.Response is not null && nextPageToken(o.Response).Length > 0)
            .Select(o => new ProviderCursor(o.Provider.Id, nextPageToken(o.Response!)))
            .Concat(waiting)
            .ToList();
        return new FanOutPage<TResponse>(outcomes, IssueToken(binding, next));
    }

    // A provider whose own page token is too long to carry in the desk's token cannot be paged through the gateway: the
    // desk hears so, naming the provider, instead of a gateway failure.
    private string IssueToken(PageTokenBinding binding, List<ProviderCursor> next)
    {
        try
        {
            return tokens.Issue(binding, next);
        }
        catch (ArgumentException)
        {
            var longest = next.MaxBy(c => c.Token.Length)!;
            throw Contracts.Errors.RpcErrors.Build(
                Grpc.Core.StatusCode.Unavailable,
                $"Provider '{longest.ProviderId}' returned a page token too long for the gateway to carry to the next page ({longest.Token.Length} characters).",
                Contracts.Errors.RpcErrors.ErrorInfo(Contracts.Errors.ErrorReasons.ProviderUnavailable, new() { ["provider_id"] = longest.ProviderId }));
        }
    }

    // The token's cursors, kept only for providers that serve this request: a token never widens who is called.
    // Each provider at most once, and never more cursors than providers: anything else was not made by this listing.
    private static List<(ProviderDescriptor Provider, string Token)> Resume(IReadOnlyList<ProviderCursor> cursors, IReadOnlyList<ProviderDescriptor> serving)
    {
        if (cursors.Count > serving.Count)
        {
            throw PageTokens.Invalid();
        }

        var named = new HashSet<string>(StringComparer.Ordinal);
        var resumed = new List<(ProviderDescriptor Provider, string Token)>(cursors.Count);
        foreach (var cursor in cursors)
        {
            if (!named.Add(cursor.ProviderId))
            {
                throw PageTokens.Invalid();
            }

            if (serving.FirstOrDefault(p => p.Id == cursor.ProviderId) is { } provider)
            {
                resumed.Add((provider, cursor.Token));
            }
        }

        return resumed;
    }
}
