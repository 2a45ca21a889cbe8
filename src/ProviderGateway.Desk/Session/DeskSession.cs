using Microsoft.JSInterop;
using ProviderGateway.Contracts.Validation;

namespace ProviderGateway.Desk.Session;

/// <summary>
/// Who is at the desk: the office's API key, the operator and the purpose of access, kept in the browser's session
/// storage only (gone when the tab closes; never in local storage, a cookie or a URL), and the console's language, kept
/// in local storage (it is no secret, and the next session starts in it).
/// </summary>
public sealed class DeskSession(IJSRuntime js)
{
    private const string KeyItem = "desk.apiKey";
    private const string OperatorItem = "desk.operatorId";
    private const string PurposeItem = "desk.purpose";

    /// <summary>The local-storage item holding the console's language.</summary>
    public const string LanguageItem = "desk.language";

    /// <summary>The office's API key; empty when nobody is signed in.</summary>
    public string ApiKey { get; private set; } = "";

    /// <summary>The operator at the desk (metadata <c>x-operator-id</c>).</summary>
    public string OperatorId { get; private set; } = "";

    /// <summary>The purpose of access (metadata <c>x-access-purpose</c>).</summary>
    public string Purpose { get; private set; } = "";

    /// <summary>Whether someone is signed in.</summary>
    public bool SignedIn => ApiKey.Length > 0;

    /// <summary>Raised when someone signs in or out.</summary>
    public event Action? Changed;

    /// <summary>Reads the session back from session storage (after a reload, such as a language switch).</summary>
    public async Task RestoreAsync()
    {
        var key = await js.InvokeAsync<string?>("sessionStorage.getItem", KeyItem);
        var operatorId = await js.InvokeAsync<string?>("sessionStorage.getItem", OperatorItem);
        var purpose = await js.InvokeAsync<string?>("sessionStorage.getItem", PurposeItem);
        if (!string.IsNullOrEmpty(key) && CallerMetadata.OperatorIdProblem(operatorId) is null && CallerMetadata.PurposeProblem(purpose) is null)
        {
            (ApiKey, OperatorId, Purpose) = (key, operatorId!, purpose!);
        }
    }

    /// <summary>Signs in: the values were checked by the sign-in screen (and the key by the gateway).</summary>
    public async Task SignInAsync(string apiKey, string operatorId, string purpose)
    {
        await js.InvokeVoidAsync("sessionStorage.setItem", KeyItem, apiKey);
        await js.InvokeVoidAsync("sessionStorage.setItem", OperatorItem, operatorId);
        await js.InvokeVoidAsync("sessionStorage.setItem", PurposeItem, purpose);
        (ApiKey, OperatorId, Purpose) = (apiKey, operatorId, purpose);
        Changed?.Invoke();
    }

    /// <summary>Signs out: the key leaves the browser's storage and memory.</summary>
    public async Task SignOutAsync()
    {
        await js.InvokeVoidAsync("sessionStorage.clear");
        (ApiKey, OperatorId, Purpose) = ("", "", "");
        Changed?.Invoke();
    }
}
