using System.Security.Cryptography;
using System.Text;
using ProviderGateway.Caching;

namespace ProviderGateway.Tests.Caching;

public sealed class CacheValueProtectorTests
{
    private static readonly byte[] Plaintext = Encoding.UTF8.GetBytes("Akhmetov Nurlan Serikovich 791028302728");

    [Fact]
    public void A_sealed_value_opens_with_the_same_key_and_hides_its_content()
    {
        var protector = new CacheValueProtector(CacheTestSecrets.Secrets());

        var sealedValue = protector.Protect(Plaintext);

        Assert.Equal(Plaintext, protector.Unprotect(sealedValue));
        Assert.DoesNotContain("791028302728", Encoding.Latin1.GetString(sealedValue), StringComparison.Ordinal);
        Assert.NotEqual(sealedValue, protector.Protect(Plaintext)); // a new nonce every time
    }

    [Fact]
    public void A_tampered_value_or_another_key_is_refused()
    {
        var protector = new CacheValueProtector(CacheTestSecrets.Secrets());
        var other = new CacheValueProtector(CacheTestSecrets.Secrets(encryptionKey: CacheTestSecrets.OtherEncryptionKey));
        var sealedValue = protector.Protect(Plaintext);
        var tampered = (byte[])sealedValue.Clone();
        tampered[^1] ^= 0x01;

        Assert.ThrowsAny<CryptographicException>(() => protector.Unprotect(tampered));
        Assert.ThrowsAny<CryptographicException>(() => other.Unprotect(sealedValue));
    }

    [Fact]
    public void Clear_values_are_marked_and_never_mistaken_for_sealed_ones()
    {
        var clear = new CacheValueProtector(CacheTestSecrets.Secrets(encryptionKey: null));
        var sealing = new CacheValueProtector(CacheTestSecrets.Secrets());

        var stored = clear.Protect(Plaintext);

        Assert.Equal(Plaintext, clear.Unprotect(stored));
        Assert.Throws<InvalidDataException>(() => sealing.Unprotect(stored));
        Assert.Throws<InvalidDataException>(() => clear.Unprotect(sealing.Protect(Plaintext)));
    }
}
