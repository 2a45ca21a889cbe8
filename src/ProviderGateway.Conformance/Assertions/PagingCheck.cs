using ProviderGateway.Conformance.Running;

namespace ProviderGateway.Conformance.Assertions;

/// <summary>One page of a List method: the ids of its items and its <c>next_page_token</c>.</summary>
/// <param name="Ids">Ids of the items, in the order returned.</param>
/// <param name="NextPageToken">Token of the next page; empty on the last.</param>
internal sealed record Page(IReadOnlyList<string> Ids, string NextPageToken);

/// <summary>
/// Checks the paging rules of the contracts on one List method: <c>page_size</c> bounds each page,
/// walking the tokens with page_size 1 yields exactly the items of one big page in the same order (no
/// duplicate, no gap), the last page has an empty token, 0 means the provider's default and values
/// above 100 are treated as 100, not refused.
/// </summary>
internal static class PagingCheck
{
    /// <summary>Fewest items a fixture list needs for paging to be checked.</summary>
    public const int MinimumItems = 2;

    /// <summary>Runs the paging checks through <paramref name="fetch"/> (page size, page token → page).</summary>
    public static async Task CheckAsync(string method, Func<int, string, Task<Page>> fetch)
    {
        var all = await WalkAsync(method, fetch, 100, maximumPages: 50);
        Expect.That(all.Count >= MinimumItems,
            $"{method} returned {all.Count} item(s) for the test citizen; paging needs at least {MinimumItems}: choose a test citizen with more data (--citizen-iin)");

        var oneByOne = await WalkAsync(method, fetch, 1, maximumPages: all.Count + 1);
        Compare(method, "page_size 1", all, oneByOne);

        var capped = await WalkAsync(method, fetch, 1000, maximumPages: 50);
        Compare(method, "page_size 1000 (to be treated as 100)", all, capped);

        var byDefault = await WalkAsync(method, fetch, 0, maximumPages: all.Count + 1);
        Compare(method, "page_size 0 (the provider's default)", all, byDefault);
    }

    private static async Task<List<string>> WalkAsync(string method, Func<int, string, Task<Page>> fetch, int pageSize, int maximumPages)
    {
        var ids = new List<string>();
        var token = "";
        var bound = pageSize == 0 ? 100 : Math.Min(pageSize, 100);
        for (var pages = 1; ; pages++)
        {
            var page = await fetch(pageSize, token);
            Expect.That(page.Ids.Count <= bound,
                $"{method} with page_size {pageSize} returned a page of {page.Ids.Count} items; at most {bound} are allowed");
            ids.AddRange(page.Ids);
            if (page.NextPageToken.Length == 0)
            {
                return ids;
            }

            Expect.That(pages < maximumPages,
                $"{method} with page_size {pageSize} still returned a next_page_token after {pages} pages ({ids.Count} items); the last page must have an empty next_page_token");
            Expect.That(page.NextPageToken != token,
                $"{method} with page_size {pageSize} returned the same next_page_token twice; paging would never end");
            token = page.NextPageToken;
        }
    }

    private static void Compare(string method, string how, List<string> expected, List<string> actual)
    {
        var duplicates = actual.GroupBy(id => id).Where(g => g.Count() > 1).Select(g => g.Key).ToList();
        Expect.That(duplicates.Count == 0,
            $"{method} paged with {how} returned {duplicates.Count} item(s) twice (for example '{duplicates.FirstOrDefault()}'); pages must not overlap");
        var missing = expected.Except(actual).ToList();
        Expect.That(missing.Count == 0,
            $"{method} paged with {how} skipped {missing.Count} of the {expected.Count} item(s) (for example '{missing.FirstOrDefault()}'); pages must not leave gaps");
        var extra = actual.Except(expected).ToList();
        Expect.That(extra.Count == 0,
            $"{method} paged with {how} returned {extra.Count} item(s) that one page of 100 did not (for example '{extra.FirstOrDefault()}')");
        Expect.That(expected.SequenceEqual(actual),
            $"{method} paged with {how} returned the items in another order than one page of 100; the order must be stable");
    }
}
