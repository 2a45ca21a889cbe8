using Grpc.Core;
using Microsoft.Extensions.Logging;
using ProviderGateway.Contracts.Errors;
using ProviderGateway.DemoProviders.Data;
using ProviderGateway.DemoProviders.Logging;

namespace ProviderGateway.DemoProviders.Services;

/// <summary>
/// The <see cref="DemoFaults.LoseWriteAnswers"/> fault, which the write methods apply once their write has
/// taken effect (or been replayed): only they know that a call was a successful write, so reads and refused
/// writes answer as usual.
/// </summary>
internal static class LostWriteAnswers
{
    /// <summary>The ErrorInfo reason of a write whose answer was lost on purpose.</summary>
    public const string Reason = "WRITE_ANSWER_LOST";

    /// <summary>Throws UNAVAILABLE in place of the write's answer when the fault is on; otherwise does nothing.</summary>
    /// <exception cref="RpcException">UNAVAILABLE, ErrorInfo reason <see cref="Reason"/>, when <see cref="DemoFaults.LoseWriteAnswers"/> is on.</exception>
    public static void ThrowIfLost(DemoFaults faults, DemoDataStore store, ILogger logger, string method)
    {
        if (!faults.LoseWriteAnswers)
        {
            return;
        }

        DemoProviderLog.FaultInjected(logger, method, "write answer lost");
        throw RpcErrors.Build(
            StatusCode.Unavailable,
            "Answer lost: the write was applied, but its answer was lost on the way back (demo provider fault injection).",
            RpcErrors.ErrorInfo(Reason, new() { ["provider_id"] = store.Provider.Id }));
    }
}
