using System.Buffers;
using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.Options;
using ProviderGateway.Audit;
using ProviderGateway.Configuration;

namespace ProviderGateway.Tests.AccessHistory;

/// <summary>
/// A journal file written as the gateway writes it (the journal's own line writer and signer, the tests' chain and subject
/// keys), line by line, with the levers the access history's tests need: checkpoints, rotation, lines that do not parse.
/// </summary>
internal sealed class TestJournal : IDisposable
{
    public static readonly DateTimeOffset Day = new(2026, 11, 15, 0, 0, 0, TimeSpan.FromHours(5));

    private readonly JournalLineWriter _writer = new(Convert.FromBase64String(TestSecrets.ChainKey));
    private readonly JournalSigner _signer = new(ECDsa.Create(ECCurve.NamedCurves.nistP256));

    public TestJournal(string path, string instance = "gw-test")
    {
        Path = path;
        Instance = instance;
    }

    public static SubjectHasher Subjects { get; } = new(Options.Create(new SecurityOptions { Journal = new JournalOptions { SubjectKey = TestSecrets.SubjectKey } }));

    public string Path { get; }

    public string Instance { get; }

    public long Seq { get; private set; }

    public string Prev { get; private set; } = JournalChain.Genesis;

    /// <summary>Every chained line written: its seq, hash and record.</summary>
    public List<JournaledLine> Lines { get; } = [];

    /// <summary>An access to <paramref name="iin"/> by <paramref name="client"/> at <paramref name="time"/>.</summary>
    public static AccessRecord Access(string iin, string client, DateTimeOffset time, string method = "GetCitizenOverview", string result = "OK") =>
        new(time, client, "operator-1", "citizen-enquiry", method, "iin", Subjects.Hash(iin),
            [new ProviderTouch("alatau-power", "OK", "LIVE"), new ProviderTouch("land-registry", "OK", "CACHED"), new ProviderTouch("alatau-power", "OK", "LIVE")], result)
        {
            Consent = client == "consented-desk" ? "consent-42" : null,
            Reason = result == "OK" ? null : "CONSENT_REQUIRED:EXPIRED",
        };

    /// <summary>An access about a parcel (a cadastral number's HMAC), which is in no citizen's history.</summary>
    public static AccessRecord ParcelAccess(DateTimeOffset time) =>
        new(time, "desk", "operator-1", "citizen-enquiry", "GetParcel", "cadastral_number", Subjects.Hash("03-047-123-456"), [], "OK");

    /// <summary>Appends the line of <paramref name="record"/>; returns it as the journal's writer hands it to followers.</summary>
    public JournaledLine Append(AccessRecord record)
    {
        var buffer = new ArrayBufferWriter<byte>();
        Prev = _writer.Write(buffer, record, ++Seq, Prev);
        Write(buffer.WrittenSpan);
        var line = new JournaledLine(Seq, Prev, record);
        Lines.Add(line);
        return line;
    }

    /// <summary>Appends a signed checkpoint of the lines so far.</summary>
    public void Checkpoint()
    {
        var buffer = new ArrayBufferWriter<byte>();
        _signer.Sign(buffer, Instance, Seq, Prev, Day);
        Write(buffer.WrittenSpan);
    }

    /// <summary>Appends <paramref name="text"/> as it is (a line that is not a journal line, when it ends with a newline).</summary>
    public void Raw(string text) => Write(Encoding.UTF8.GetBytes(text));

    /// <summary>Closes the current file as the writer's rotation does: checkpointed, renamed after its last seq.</summary>
    public void Rotate()
    {
        Checkpoint();
        File.Move(Path, JournalFiles.RotatedName(Path, Day.AddSeconds(Seq), Seq));
    }

    public void Dispose()
    {
        _writer.Dispose();
        _signer.Dispose();
    }

    private void Write(ReadOnlySpan<byte> bytes)
    {
        using var file = new FileStream(Path, FileMode.Append, FileAccess.Write);
        file.Write(bytes);
    }
}
