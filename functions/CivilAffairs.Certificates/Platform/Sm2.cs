using System.Buffers.Text;
using Org.BouncyCastle.Asn1.GM;
using Org.BouncyCastle.Crypto.Digests;
using Org.BouncyCastle.Crypto.Parameters;
using Org.BouncyCastle.Crypto.Signers;
using Org.BouncyCastle.Math;
using Org.BouncyCastle.Math.EC;
using Org.BouncyCastle.Math.EC.Multiplier;
using Org.BouncyCastle.Security;

namespace CivilAffairs.Certificates.Platform;

/// <summary>
/// SM2 signatures (GB/T 32918.2) with the SM3 digest (GB/T 32905) on the curve <c>sm2p256v1</c>, as GM/T 0009-2012
/// specifies them: the signer's identity hash Z<sub>A</sub> uses the <b>default user id</b> <c>1234567812345678</c>
/// (<see cref="DefaultUserId"/>). Signatures are the plain 64-byte <c>r‖s</c> (32 bytes each, big-endian), not DER, so a
/// QR code stays short; public keys are the uncompressed point <c>04‖x‖y</c> (65 bytes).
/// </summary>
public static class Sm2
{
    /// <summary>Algorithm name as published with a key.</summary>
    public const string Algorithm = "SM2-SM3";
    /// <summary>Curve name as published with a key.</summary>
    public const string Curve = "sm2p256v1";
    /// <summary>The GM/T 0009-2012 default signer id (ASCII), used in Z<sub>A</sub>.</summary>
    public const string DefaultUserId = "1234567812345678";
    /// <summary>Size of a plain <c>r‖s</c> signature.</summary>
    public const int SignatureSize = 64;
    /// <summary>Size of an uncompressed public key.</summary>
    public const int PublicKeySize = 65;
    /// <summary>Size of the secret a signing key is made from.</summary>
    public const int SecretSize = 32;

    internal static readonly ECDomainParameters Domain = CreateDomain();
    internal static readonly byte[] UserId = System.Text.Encoding.ASCII.GetBytes(DefaultUserId);

    static ECDomainParameters CreateDomain()
    {
        var curve = GMNamedCurves.GetByName(Curve);
        return new ECDomainParameters(curve.Curve, curve.G, curve.N, curve.H, curve.GetSeed());
    }

    /// <summary>
    /// The key id of a public key: <c>sm2-</c> and the first 8 bytes of its SM3 hash in base64url (11 characters). Stable
    /// for a key wherever it is stored, short enough for a QR code.
    /// </summary>
    public static string KeyIdOf(ReadOnlySpan<byte> publicKey)
    {
        var digest = new SM3Digest();
        digest.BlockUpdate(publicKey);
        var hash = new byte[32];
        digest.DoFinal(hash);
        return "sm2-" + Base64Url.EncodeToString(hash.AsSpan(0, 8));
    }
}

/// <summary>An SM2 private key that signs (see <see cref="Sm2"/>).</summary>
public sealed class Sm2SigningKey
{
    readonly ECPrivateKeyParameters privateKey;

    Sm2SigningKey(BigInteger d)
    {
        privateKey = new ECPrivateKeyParameters(d, Sm2.Domain);
        var q = new FixedPointCombMultiplier().Multiply(Sm2.Domain.G, d).Normalize();
        PublicKey = new Sm2PublicKey(q.GetEncoded(compressed: false));
    }

    /// <summary>
    /// The key made from a 32-byte secret (e.g. <c>openssl rand -base64 32</c> kept in Key Vault): the private scalar is
    /// <c>d = secret mod (n − 1) + 1</c>, always in [1, n − 1], so every secret gives a valid key and the same secret the same key.
    /// </summary>
    /// <exception cref="ArgumentException">The secret is not 32 bytes.</exception>
    public static Sm2SigningKey FromSecret(ReadOnlySpan<byte> secret)
    {
        if (secret.Length != Sm2.SecretSize) throw new ArgumentException($"An SM2 key secret must be {Sm2.SecretSize} bytes.", nameof(secret));
        var d = new BigInteger(1, secret.ToArray()).Mod(Sm2.Domain.N.Subtract(BigInteger.One)).Add(BigInteger.One);
        return new Sm2SigningKey(d);
    }

    public Sm2PublicKey PublicKey { get; }

    /// <summary>The key id (<see cref="Sm2.KeyIdOf"/>).</summary>
    public string KeyId => PublicKey.KeyId;

    /// <summary>Signs <paramref name="data"/>: SM3 over Z<sub>A</sub>‖data, SM2 with a fresh random k; 64 bytes <c>r‖s</c>.</summary>
    public byte[] Sign(ReadOnlySpan<byte> data)
    {
        var signer = new SM2Signer(PlainDsaEncoding.Instance, new SM3Digest());
        signer.Init(true, new ParametersWithID(new ParametersWithRandom(privateKey, new SecureRandom()), Sm2.UserId));
        signer.BlockUpdate(data);
        return signer.GenerateSignature();
    }

    public override string ToString() => $"Sm2SigningKey {{ KeyId = {KeyId} }}";
}

/// <summary>An SM2 public key that verifies (see <see cref="Sm2"/>).</summary>
public sealed class Sm2PublicKey
{
    readonly ECPublicKeyParameters publicKey;
    readonly byte[] encoded;

    /// <param name="encoded">The uncompressed point <c>04‖x‖y</c> (65 bytes).</param>
    /// <exception cref="ArgumentException">Not an uncompressed point on the SM2 curve.</exception>
    public Sm2PublicKey(ReadOnlySpan<byte> encoded)
    {
        if (encoded.Length != Sm2.PublicKeySize || encoded[0] != 0x04) throw new ArgumentException("An SM2 public key must be an uncompressed point (65 bytes, 04‖x‖y).", nameof(encoded));
        ECPoint q;
        try
        {
            q = Sm2.Domain.Curve.DecodePoint(encoded.ToArray());
        }
        catch (ArgumentException e)
        {
            throw new ArgumentException("Not a point on the SM2 curve.", nameof(encoded), e);
        }
        if (q.IsInfinity || !q.IsValid()) throw new ArgumentException("Not a point on the SM2 curve.", nameof(encoded));
        publicKey = new ECPublicKeyParameters(q, Sm2.Domain);
        this.encoded = encoded.ToArray();
        KeyId = Sm2.KeyIdOf(encoded);
    }

    /// <summary>Parses a base64url public key; null when it is not one.</summary>
    public static Sm2PublicKey? TryParse(string? base64Url)
    {
        if (string.IsNullOrEmpty(base64Url) || base64Url.Length > 100) return null;
        try
        {
            return new Sm2PublicKey(Base64Url.DecodeFromChars(base64Url));
        }
        catch (Exception e) when (e is FormatException or ArgumentException)
        {
            return null;
        }
    }

    public string KeyId { get; }

    /// <summary>The uncompressed point (65 bytes).</summary>
    public ReadOnlySpan<byte> Encoded => encoded;

    /// <summary>The uncompressed point in base64url (no padding), as published.</summary>
    public string ToBase64Url() => Base64Url.EncodeToString(encoded);

    /// <summary>True when <paramref name="signature"/> (64 bytes <c>r‖s</c>) is this key's SM2 signature of <paramref name="data"/>.</summary>
    public bool Verify(ReadOnlySpan<byte> data, ReadOnlySpan<byte> signature)
    {
        if (signature.Length != Sm2.SignatureSize) return false;
        var verifier = new SM2Signer(PlainDsaEncoding.Instance, new SM3Digest());
        verifier.Init(false, new ParametersWithID(publicKey, Sm2.UserId));
        verifier.BlockUpdate(data);
        try
        {
            return verifier.VerifySignature(signature.ToArray());
        }
        catch (ArgumentException)
        {
            return false;
        }
    }

    public override string ToString() => $"Sm2PublicKey {{ KeyId = {KeyId} }}";
}
