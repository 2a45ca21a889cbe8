using System.Text;
using ProviderGateway.Caching;

namespace ProviderGateway.Tests.Caching;

public sealed class CacheValueProtectorTests
{
    private const string KeyOfA = "pg:v2:a:citizen-A-answer";
    private const string KeyOfB = "pg:v2:a:citizen-B-answer";

    private static readonly byte[] Plaintext = Encoding.UTF8.GetBytes("Akhmetov Nurlan Serikovich 791028302728");

    [Fact]
    public void A_sealed_value_opens_under_its_key_and_hides_its_content()
    {
        var protector = new CacheValueProtector(CacheTestSecrets.Secrets());

        var sealedValue = protector.Protect(Plaintext, KeyOfA);

        Assert.Equal(Plaintext, protector.Unprotect(sealedValue, KeyOfA));
        Assert.DoesNotContain("791028302728", Encoding.Latin1.GetString(sealedValue), StringComparison.Ordinal);
        Assert.NotEqual(sealedValue, protector.Protect(Plaintext, KeyOfA)); // a new nonce every time
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void A_value_copied_to_another_key_does_not_open(bool encrypted)
    {
        var protector = new CacheValueProtector(CacheTestSecrets.Secrets(encryptionKey: encrypted ? TestSecrets.EncryptionKey : null));

        var sealedValue = protector.Protect(Plaintext, KeyOfA);

        Assert.Null(protector.Unprotect(sealedValue, KeyOfB));
        Assert.Null(protector.Unprotect(sealedValue, KeyOfA + "x"));
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void A_value_with_any_byte_edited_does_not_open(bool encrypted)
    {
        var protector = new CacheValueProtector(CacheTestSecrets.Secrets(encryptionKey: encrypted ? TestSecrets.EncryptionKey : null));
        var sealedValue = protector.Protect(Plaintext, KeyOfA);

        for (var i = 0; i < sealedValue.Length; i++)
        {
            var edited = (byte[])sealedValue.Clone();
            edited[i] ^= 0x01;
            Assert.Null(protector.Unprotect(edited, KeyOfA));
        }
    }

    [Fact]
    public void A_value_sealed_with_another_secret_or_in_another_mode_does_not_open()
    {
        var sealing = new CacheValueProtector(CacheTestSecrets.Secrets());
        var otherKey = new CacheValueProtector(CacheTestSecrets.Secrets(encryptionKey: TestSecrets.OtherEncryptionKey));
        var clear = new CacheValueProtector(CacheTestSecrets.Secrets(encryptionKey: null));
        var otherSecretClear = new CacheValueProtector(CacheTestSecrets.Secrets(keySecret: TestSecrets.OtherKeySecret, encryptionKey: null));

        Assert.Null(otherKey.Unprotect(sealing.Protect(Plaintext, KeyOfA), KeyOfA));
        Assert.Null(sealing.Unprotect(clear.Protect(Plaintext, KeyOfA), KeyOfA));
        Assert.Null(clear.Unprotect(sealing.Protect(Plaintext, KeyOfA), KeyOfA));
        Assert.Null(otherSecretClear.Unprotect(clear.Protect(Plaintext, KeyOfA), KeyOfA));
        Assert.Equal(Plaintext, clear.Unprotect(clear.Protect(Plaintext, KeyOfA), KeyOfA));
    }

    [Fact]
    public void Values_of_the_older_unbound_formats_do_not_open()
    {
        var sealing = new CacheValueProtector(CacheTestSecrets.Secrets());
        var clear = new CacheValueProtector(CacheTestSecrets.Secrets(encryptionKey: null));
        byte[] oldClear = [0x01, .. Plaintext];
        byte[] oldSealed = [0x02, .. new byte[28], .. Plaintext];

        Assert.Null(clear.Unprotect(oldClear, KeyOfA));
        Assert.Null(sealing.Unprotect(oldSealed, KeyOfA));
        Assert.Null(sealing.Unprotect([], KeyOfA));
    }
}
