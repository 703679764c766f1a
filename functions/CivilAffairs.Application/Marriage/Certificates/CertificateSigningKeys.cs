using CivilAffairs.Application.Platform.Crypto;
using CivilAffairs.Certificates.Platform;

namespace CivilAffairs.Application.Marriage.Certificates;

/// <summary>
/// The SM2 certificate-signing keys, made from the master key store's certificate-signing secrets (<see cref="MasterKeys.CertificateSigning"/>:
/// the local key file on one machine, the Key Vault secret <c>certificate-signing-key</c> in Azure). The newest signs; every
/// key is published with its key id and the time span it signed in, so certificates signed before a rotation keep verifying.
/// </summary>
public sealed class CertificateSigningKeys(KeyRing ring)
{
    readonly Lock gate = new();
    (MasterKeys Source, SigningKeySet Set)? cached;

    public async Task<SigningKeySet> GetAsync(CancellationToken ct)
    {
        var keys = await ring.GetAsync(ct);
        lock (gate)
            if (cached is { } c && ReferenceEquals(c.Source, keys)) return c.Set;
        var set = SigningKeySet.From(keys.CertificateSigning);
        lock (gate) cached = (keys, set);
        return set;
    }
}

/// <summary>The signing keys: <see cref="Current"/> signs (null when the store has none), <see cref="Published"/> verify.</summary>
public sealed record SigningKeySet(Sm2SigningKey? Current, IReadOnlyList<PublishedKey> Published)
{
    public static SigningKeySet From(IReadOnlyList<CertificateSigningSecret> secrets)
    {
        var ordered = secrets.OrderBy(s => s.CreatedAt).Select(s => (Key: Sm2SigningKey.FromSecret(s.Secret), s.CreatedAt)).ToList();
        var published = ordered.Select((k, i) => PublishedKey.Of(k.Key.PublicKey, k.CreatedAt, i + 1 < ordered.Count ? ordered[i + 1].CreatedAt : null))
            .DistinctBy(k => k.Kid).ToList();
        return new SigningKeySet(ordered.Count > 0 ? ordered[^1].Key : null, published);
    }

    /// <summary>The signing key, or an explanation for the operator.</summary>
    public Sm2SigningKey RequireCurrent() => Current ?? throw new InvalidOperationException(
        "No certificate-signing key: add one to the master key store (Key Vault secret 'certificate-signing-key', see infra/README.md).");
}
