extern alias kit;

using kit::ProviderGateway.Conformance.Assertions;
using kit::ProviderGateway.Conformance.Running;

namespace ProviderGateway.Tests.Conformance;

/// <summary>The kit's paging check against lists paged correctly and in each wrong way.</summary>
public sealed class PagingTests
{
    private static readonly string[] Items = ["a", "b", "c", "d", "e"];

    [Fact]
    public async Task A_correctly_paged_list_passes()
    {
        await PagingCheck.CheckAsync("List", Correct);
    }

    [Fact]
    public async Task Pages_larger_than_page_size_fail()
    {
        var failure = await Assert.ThrowsAsync<ConformanceFailure>(() => PagingCheck.CheckAsync("List", (size, token) => Task.FromResult(new Page(Items, ""))));

        Assert.Contains("with page_size 1 returned a page of 5 items; at most 1 are allowed", failure.Message);
    }

    [Fact]
    public async Task Overlapping_pages_fail()
    {
        // Each page repeats the previous page's last item.
        var failure = await Assert.ThrowsAsync<ConformanceFailure>(() => PagingCheck.CheckAsync("List", (size, token) =>
        {
            if (size != 1)
            {
                return Correct(size, token);
            }

            var offset = token.Length == 0 ? 0 : int.Parse(token, System.Globalization.CultureInfo.InvariantCulture);
            var next = offset + 1 < Items.Length ? (offset + 1).ToString(System.Globalization.CultureInfo.InvariantCulture) : "";
            return Task.FromResult(new Page([Items[Math.Max(0, offset - (offset % 2))]], next));
        }));

        Assert.Contains("twice", failure.Message);
        Assert.Contains("pages must not overlap", failure.Message);
    }

    [Fact]
    public async Task Pages_that_skip_items_fail()
    {
        var failure = await Assert.ThrowsAsync<ConformanceFailure>(() => PagingCheck.CheckAsync("List", (size, token) =>
            size == 1 ? Correct(1, token.Length == 0 ? "" : (int.Parse(token, System.Globalization.CultureInfo.InvariantCulture) + 1).ToString(System.Globalization.CultureInfo.InvariantCulture)) : Correct(size, token)));

        Assert.Contains("skipped", failure.Message);
    }

    [Fact]
    public async Task A_token_that_never_ends_fails()
    {
        var failure = await Assert.ThrowsAsync<ConformanceFailure>(() => PagingCheck.CheckAsync("List", (size, token) =>
            size == 1 ? Task.FromResult(new Page(["a"], token + "x")) : Correct(size, token)));

        Assert.Contains("still returned a next_page_token", failure.Message);
    }

    [Fact]
    public async Task A_list_too_short_to_page_says_which_test_citizen_to_choose()
    {
        var failure = await Assert.ThrowsAsync<ConformanceFailure>(() => PagingCheck.CheckAsync("List", (size, token) => Task.FromResult(new Page(["a"], ""))));

        Assert.Contains("--citizen-iin", failure.Message);
    }

    private static Task<Page> Correct(int size, string token)
    {
        var bound = size == 0 ? 2 : Math.Min(size, 100);
        var offset = token.Length == 0 ? 0 : int.Parse(token, System.Globalization.CultureInfo.InvariantCulture);
        var end = Math.Min(Items.Length, offset + bound);
        var next = end < Items.Length ? end.ToString(System.Globalization.CultureInfo.InvariantCulture) : "";
        return Task.FromResult(new Page(Items[offset..end], next));
    }
}
