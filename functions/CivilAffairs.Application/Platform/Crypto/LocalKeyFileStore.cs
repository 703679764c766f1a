using System.Security.Cryptography;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace CivilAffairs.Application.Platform.Crypto;

/// <summary>
/// Master keys in a JSON file on one machine, created with fresh random keys on first use and readable
/// by the owner only (0600 on Unix):
/// <c>{"fieldEncryption":{"current":"k1","keys":{"k1":"&lt;base64&gt;"}},"blindIndex":"&lt;base64&gt;",
/// "certificateSigning":[{"secret":"&lt;base64&gt;","created":"&lt;ISO 8601&gt;"}]}</c>. A file written before certificate
/// signing existed gets its first signing secret on the next load.
/// </summary>
/// <remarks>
/// The file only ever appears complete: it is written to a temporary file and renamed into place.
/// Creation and rotation hold an exclusive lock on <c>&lt;path&gt;.lock</c>, so processes starting
/// together end up with the same keys. Losing the file makes encrypted data unreadable: back it up.
/// </remarks>
public sealed class LocalKeyFileStore : IMasterKeyStore
{
    static readonly TimeSpan LockTimeout = TimeSpan.FromSeconds(30);
    static readonly UnixFileMode OwnerOnly = UnixFileMode.UserRead | UnixFileMode.UserWrite;

    public LocalKeyFileStore(string path)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        Path = System.IO.Path.GetFullPath(path);
    }

    /// <summary>Full path of the key file.</summary>
    public string Path { get; }

    /// <summary>Reads the key file, creating it first if it does not exist.</summary>
    public async Task<MasterKeys> LoadAsync(CancellationToken cancellationToken)
    {
        if (await TryReadAsync(cancellationToken) is { CertificateSigning.Count: > 0 } existing) return existing;
        using var _ = await AcquireLockAsync(cancellationToken);
        var keys = await TryReadAsync(cancellationToken);
        if (keys is { CertificateSigning.Count: > 0 }) return keys;
        keys = keys is null
            ? new MasterKeys(
                new Dictionary<string, byte[]> { ["k1"] = RandomNumberGenerator.GetBytes(MasterKeys.FieldKeySize) },
                "k1",
                RandomNumberGenerator.GetBytes(MasterKeys.BlindIndexKeySize),
                [NewSigningSecret()])
            : new MasterKeys(keys.FieldKeys, keys.CurrentFieldKeyId, keys.BlindIndexKey, [NewSigningSecret()]);
        await WriteAsync(keys, cancellationToken);
        return keys;
    }

    /// <summary>
    /// Adds a new random certificate-signing secret, which signs from now on (it is the newest); earlier ones stay in the
    /// file and stay published for verifying what they signed. Processes that already loaded the keys see the new key
    /// after a restart.
    /// </summary>
    /// <returns>The keys now in the file.</returns>
    public async Task<MasterKeys> RotateCertificateSigningKeyAsync(CancellationToken cancellationToken = default)
    {
        var loaded = await LoadAsync(cancellationToken);
        using var _ = await AcquireLockAsync(cancellationToken);
        var keys = await TryReadAsync(cancellationToken) ?? loaded;
        var newest = keys.CertificateSigning.Select(k => k.CreatedAt).DefaultIfEmpty(DateTimeOffset.MinValue).Max();
        var secret = NewSigningSecret();
        if (secret.CreatedAt <= newest) secret = secret with { CreatedAt = newest.AddMilliseconds(1) };
        var rotated = new MasterKeys(keys.FieldKeys, keys.CurrentFieldKeyId, keys.BlindIndexKey, [.. keys.CertificateSigning, secret]);
        await WriteAsync(rotated, cancellationToken);
        return rotated;
    }

    static CertificateSigningSecret NewSigningSecret() =>
        new(RandomNumberGenerator.GetBytes(MasterKeys.CertificateSigningSecretSize), DateTimeOffset.UtcNow);

    /// <summary>
    /// Adds a new random field-encryption key (id <c>k&lt;n+1&gt;</c>) and makes it current; earlier keys
    /// stay for decryption. Processes that already loaded the keys see the new key after a restart.
    /// </summary>
    /// <returns>The keys now in the file.</returns>
    public async Task<MasterKeys> RotateFieldKeyAsync(CancellationToken cancellationToken = default)
    {
        var loaded = await LoadAsync(cancellationToken);
        using var _ = await AcquireLockAsync(cancellationToken);
        var keys = await TryReadAsync(cancellationToken) ?? loaded;
        var next = keys.FieldKeys.Keys
            .Select(id => id.StartsWith('k') && int.TryParse(id.AsSpan(1), out var n) ? n : 0)
            .DefaultIfEmpty(0).Max() + 1;
        var id = $"k{next}";
        var fieldKeys = keys.FieldKeys.ToDictionary(k => k.Key, k => k.Value, StringComparer.Ordinal);
        fieldKeys[id] = RandomNumberGenerator.GetBytes(MasterKeys.FieldKeySize);
        var rotated = new MasterKeys(fieldKeys, id, keys.BlindIndexKey);
        await WriteAsync(rotated, cancellationToken);
        return rotated;
    }

    async Task<MasterKeys?> TryReadAsync(CancellationToken cancellationToken)
    {
        KeyFile? file;
        try
        {
            await using var stream = new FileStream(Path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
            file = await JsonSerializer.DeserializeAsync(stream, KeyFileJson.Default.KeyFile, cancellationToken);
        }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException)
        {
            return null;
        }
        catch (JsonException e)
        {
            // The JsonException message may quote file content; report the position only.
            throw Invalid($"not valid JSON (line {e.LineNumber + 1}, byte {e.BytePositionInLine + 1})");
        }

        if (file?.FieldEncryption?.Keys is not { Count: > 0 } encoded || file.FieldEncryption.Current is not { } current || file.BlindIndex is null)
            throw Invalid("missing fieldEncryption.current, fieldEncryption.keys or blindIndex");
        try
        {
            if (file.CertificateSigning?.Any(k => k?.Secret is null || k.Created is null) == true)
                throw Invalid("a certificateSigning entry lacks secret or created");
            return new MasterKeys(
                encoded.ToDictionary(k => k.Key, k => Convert.FromBase64String(k.Value), StringComparer.Ordinal),
                current,
                Convert.FromBase64String(file.BlindIndex),
                file.CertificateSigning?.Select(k => new CertificateSigningSecret(Convert.FromBase64String(k.Secret!), k.Created!.Value)));
        }
        catch (FormatException)
        {
            throw Invalid("a key is not base64");
        }
        catch (ArgumentException e)
        {
            throw Invalid(e.Message);
        }
    }

    InvalidDataException Invalid(string reason) => new($"The key file '{Path}' is invalid: {reason}.");

    async Task WriteAsync(MasterKeys keys, CancellationToken cancellationToken)
    {
        var file = new KeyFile(
            new FieldEncryptionSection(keys.CurrentFieldKeyId, keys.FieldKeys.ToDictionary(k => k.Key, k => Convert.ToBase64String(k.Value), StringComparer.Ordinal)),
            Convert.ToBase64String(keys.BlindIndexKey),
            keys.CertificateSigning.Count == 0 ? null
                : [.. keys.CertificateSigning.Select(k => new CertificateSigningEntry(Convert.ToBase64String(k.Secret), k.CreatedAt))]);
        var temporary = $"{Path}.{Guid.NewGuid():N}.tmp";
        try
        {
            await using (var stream = new FileStream(temporary, OwnerOnlyOptions(FileMode.CreateNew, FileAccess.Write)))
            {
                await JsonSerializer.SerializeAsync(stream, file, KeyFileJson.Default.KeyFile, cancellationToken);
                stream.Flush(flushToDisk: true);
            }
            File.Move(temporary, Path, overwrite: true);
        }
        finally
        {
            File.Delete(temporary);
        }
    }

    /// <summary>Exclusive lock across processes (FileShare.None is an advisory flock on Unix), released on dispose or exit.</summary>
    async Task<FileStream> AcquireLockAsync(CancellationToken cancellationToken)
    {
        Directory.CreateDirectory(System.IO.Path.GetDirectoryName(Path)!);
        var deadline = DateTime.UtcNow + LockTimeout;
        while (true)
        {
            try
            {
                var options = OwnerOnlyOptions(FileMode.OpenOrCreate, FileAccess.ReadWrite);
                options.Share = FileShare.None;
                return new FileStream(Path + ".lock", options);
            }
            catch (IOException) when (DateTime.UtcNow < deadline)
            {
                await Task.Delay(TimeSpan.FromMilliseconds(25 + Random.Shared.Next(50)), cancellationToken);
            }
        }
    }

    static FileStreamOptions OwnerOnlyOptions(FileMode mode, FileAccess access)
    {
        var options = new FileStreamOptions { Mode = mode, Access = access, Share = FileShare.None };
        if (!OperatingSystem.IsWindows()) options.UnixCreateMode = OwnerOnly;
        return options;
    }

    internal sealed record KeyFile(
        [property: JsonPropertyName("fieldEncryption")] FieldEncryptionSection? FieldEncryption,
        [property: JsonPropertyName("blindIndex")] string? BlindIndex,
        [property: JsonPropertyName("certificateSigning"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] List<CertificateSigningEntry>? CertificateSigning = null);

    internal sealed record CertificateSigningEntry(
        [property: JsonPropertyName("secret")] string? Secret,
        [property: JsonPropertyName("created")] DateTimeOffset? Created);

    internal sealed record FieldEncryptionSection(
        [property: JsonPropertyName("current")] string? Current,
        [property: JsonPropertyName("keys")] Dictionary<string, string>? Keys);
}

[JsonSourceGenerationOptions(WriteIndented = true)]
[JsonSerializable(typeof(LocalKeyFileStore.KeyFile))]
internal sealed partial class KeyFileJson : JsonSerializerContext;
