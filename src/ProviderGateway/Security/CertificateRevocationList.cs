using System.Collections.Frozen;
using System.Formats.Asn1;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;

namespace ProviderGateway.Security;

/// <summary>
/// An X.509 certificate revocation list (RFC 5280, 5.1), read from a PEM (<c>X509 CRL</c>) or DER file and checked
/// against the certificate authority that must have signed it. Only what revocation needs is kept: the issuer, the
/// validity window and the revoked serial numbers.
/// </summary>
/// <remarks>
/// .NET reads CRLs only through the platform's chain engine, which on Linux takes them from its own download cache,
/// not from files an operator names; hence this reader.
/// </remarks>
public sealed class CertificateRevocationList
{
    private readonly FrozenSet<string> _revokedSerials;

    private CertificateRevocationList(X500DistinguishedName issuer, DateTimeOffset thisUpdate, DateTimeOffset nextUpdate, FrozenSet<string> revokedSerials)
    {
        Issuer = issuer;
        ThisUpdate = thisUpdate;
        NextUpdate = nextUpdate;
        _revokedSerials = revokedSerials;
    }

    /// <summary>The authority whose certificates the list covers (and that signed it).</summary>
    public X500DistinguishedName Issuer { get; }

    /// <summary>When the list was issued.</summary>
    public DateTimeOffset ThisUpdate { get; }

    /// <summary>When the next list is due; after it this one is stale and proves nothing.</summary>
    public DateTimeOffset NextUpdate { get; }

    /// <summary>How many certificates the list revokes.</summary>
    public int Count => _revokedSerials.Count;

    /// <summary>Whether the list revokes the certificate with this serial number (big-endian bytes).</summary>
    public bool IsRevoked(ReadOnlySpan<byte> serialNumber) => _revokedSerials.Contains(SerialKey(serialNumber));

    /// <summary>
    /// Reads a CRL (PEM or DER) and checks that <paramref name="authority"/> signed it and is its issuer.
    /// </summary>
    /// <exception cref="InvalidDataException">The file is not a CRL this reader accepts, or the authority did not sign it.</exception>
    public static CertificateRevocationList Load(ReadOnlySpan<byte> file, X509Certificate2 authority)
    {
        var der = Der(file);
        try
        {
            return Read(der, authority);
        }
        catch (AsnContentException ex)
        {
            throw new InvalidDataException($"it is not a DER-encoded X.509 CRL ({ex.Message})", ex);
        }
        catch (CryptographicException ex)
        {
            throw new InvalidDataException($"its signature cannot be checked ({ex.Message})", ex);
        }
    }

    private static CertificateRevocationList Read(byte[] der, X509Certificate2 authority)
    {
        // CertificateList ::= SEQUENCE { tbsCertList, signatureAlgorithm, signatureValue BIT STRING }
        var outer = new AsnReader(der, AsnEncodingRules.DER);
        var certificateList = outer.ReadSequence();
        outer.ThrowIfNotEmpty();
        var tbsBytes = certificateList.PeekEncodedValue();
        var tbs = certificateList.ReadSequence();
        var signatureAlgorithm = certificateList.PeekEncodedValue().ToArray();
        var algorithm = ReadAlgorithm(certificateList);
        var signature = certificateList.ReadBitString(out var unusedBits);
        certificateList.ThrowIfNotEmpty();
        if (unusedBits != 0)
        {
            throw new InvalidDataException("its signature is not a whole number of bytes");
        }

        // TBSCertList ::= SEQUENCE { version OPTIONAL, signature, issuer, thisUpdate, nextUpdate OPTIONAL,
        //                            revokedCertificates OPTIONAL, crlExtensions [0] EXPLICIT OPTIONAL }
        if (tbs.PeekTag().HasSameClassAndValue(Asn1Tag.Integer))
        {
            if (!tbs.TryReadInt32(out var version) || version != 1)
            {
                throw new InvalidDataException("its version is not v2");
            }
        }

        if (!tbs.PeekEncodedValue().Span.SequenceEqual(signatureAlgorithm))
        {
            throw new InvalidDataException("its inner and outer signature algorithms differ");
        }

        tbs.ReadEncodedValue();
        var issuer = new X500DistinguishedName(tbs.ReadEncodedValue().Span);
        var thisUpdate = ReadTime(tbs);
        if (!tbs.HasData || !IsTime(tbs.PeekTag()))
        {
            throw new InvalidDataException("it has no nextUpdate, so the gateway cannot tell when it goes stale");
        }

        var nextUpdate = ReadTime(tbs);
        var serials = new HashSet<string>(StringComparer.Ordinal);
        if (tbs.HasData && tbs.PeekTag().HasSameClassAndValue(Asn1Tag.Sequence))
        {
            var entries = tbs.ReadSequence();
            while (entries.HasData)
            {
                var entry = entries.ReadSequence();
                serials.Add(SerialKey(entry.ReadIntegerBytes().Span));
                ReadTime(entry);
                if (entry.HasData)
                {
                    RefuseCriticalExtensions(entry.ReadSequence(), "an entry");
                }

                entry.ThrowIfNotEmpty();
            }
        }

        if (tbs.HasData)
        {
            var extensions = tbs.ReadSequence(new Asn1Tag(TagClass.ContextSpecific, 0));
            RefuseCriticalExtensions(extensions.ReadSequence(), "the list");
            extensions.ThrowIfNotEmpty();
        }

        tbs.ThrowIfNotEmpty();

        if (!issuer.RawData.AsSpan().SequenceEqual(authority.SubjectName.RawData))
        {
            throw new InvalidDataException($"its issuer '{issuer.Name}' is not the client certificate authority '{authority.Subject}'");
        }

        if (!Verify(authority, algorithm, tbsBytes.Span, signature))
        {
            throw new InvalidDataException($"it is not signed by the client certificate authority '{authority.Subject}'");
        }

        return new CertificateRevocationList(issuer, thisUpdate, nextUpdate, serials.ToFrozenSet(StringComparer.Ordinal));
    }

    private static bool Verify(X509Certificate2 authority, string algorithm, ReadOnlySpan<byte> signed, ReadOnlySpan<byte> signature)
    {
        switch (algorithm)
        {
            case "1.2.840.113549.1.1.11" or "1.2.840.113549.1.1.12" or "1.2.840.113549.1.1.13":
            {
                using var rsa = authority.GetRSAPublicKey() ?? throw new InvalidDataException("it is signed with RSA but the authority's key is not RSA");
                return rsa.VerifyData(signed, signature, HashOf(algorithm), RSASignaturePadding.Pkcs1);
            }

            case "1.2.840.10045.4.3.2" or "1.2.840.10045.4.3.3":
            {
                using var ecdsa = authority.GetECDsaPublicKey() ?? throw new InvalidDataException("it is signed with ECDSA but the authority's key is not ECDSA");
                return ecdsa.VerifyData(signed, signature, HashOf(algorithm), DSASignatureFormat.Rfc3279DerSequence);
            }

            default:
                throw new InvalidDataException(
                    $"its signature algorithm {algorithm} is not one of RSA PKCS#1 v1.5 with SHA-256/384/512 or ECDSA with SHA-256/384");
        }
    }

    private static HashAlgorithmName HashOf(string algorithm) => algorithm switch
    {
        "1.2.840.113549.1.1.11" or "1.2.840.10045.4.3.2" => HashAlgorithmName.SHA256,
        "1.2.840.113549.1.1.12" or "1.2.840.10045.4.3.3" => HashAlgorithmName.SHA384,
        _ => HashAlgorithmName.SHA512,
    };

    // RFC 5280: a CRL (or entry) with a critical extension the reader does not process must not be used.
    private static void RefuseCriticalExtensions(AsnReader extensions, string where)
    {
        while (extensions.HasData)
        {
            var extension = extensions.ReadSequence();
            var id = extension.ReadObjectIdentifier();
            if (extension.PeekTag().HasSameClassAndValue(Asn1Tag.Boolean) && extension.ReadBoolean())
            {
                throw new InvalidDataException($"{where} has the critical extension {id}, which the gateway does not process");
            }

            extension.ReadOctetString();
            extension.ThrowIfNotEmpty();
        }
    }

    private static string ReadAlgorithm(AsnReader reader)
    {
        var identifier = reader.ReadSequence();
        var id = identifier.ReadObjectIdentifier();
        if (identifier.HasData)
        {
            identifier.ReadEncodedValue();
        }

        identifier.ThrowIfNotEmpty();
        return id;
    }

    private static bool IsTime(Asn1Tag tag) =>
        tag.HasSameClassAndValue(new Asn1Tag(UniversalTagNumber.UtcTime)) || tag.HasSameClassAndValue(new Asn1Tag(UniversalTagNumber.GeneralizedTime));

    private static DateTimeOffset ReadTime(AsnReader reader) =>
        reader.PeekTag().HasSameClassAndValue(new Asn1Tag(UniversalTagNumber.UtcTime)) ? reader.ReadUtcTime() : reader.ReadGeneralizedTime();

    // Serial numbers compared as unsigned big-endian hex, without leading zero bytes (an INTEGER's sign byte).
    private static string SerialKey(ReadOnlySpan<byte> serial)
    {
        while (serial.Length > 1 && serial[0] == 0)
        {
            serial = serial[1..];
        }

        return Convert.ToHexString(serial);
    }

    private static byte[] Der(ReadOnlySpan<byte> file)
    {
        var start = file.IndexOfAnyExcept(" \t\r\n"u8);
        if (start < 0 || file[start] != (byte)'-')
        {
            return file.ToArray();
        }

        var text = Encoding.ASCII.GetString(file);
        if (!PemEncoding.TryFind(text, out var fields) || text[fields.Label] != "X509 CRL")
        {
            throw new InvalidDataException("it is a PEM file without an X509 CRL block");
        }

        return Convert.FromBase64String(text[fields.Base64Data]);
    }
}
