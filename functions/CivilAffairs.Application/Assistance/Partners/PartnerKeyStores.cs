using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Text.Json;
using Azure.Security.KeyVault.Secrets;
using CivilAffairs.Application.Platform.Crypto;

namespace CivilAffairs.Application.Assistance.Partners;

/// <summary>Where each partner unit's SM4 key (16 bytes) lives: Key Vault in Azure, a local key file on one machine.</summary>
public interface IPartnerKeyStore
{
    /// <summary>The unit's key. Callers must not modify the array.</summary>
    /// <exception cref="KeyNotFoundException">The store has no key for the unit and cannot create one.</exception>
    Task<byte[]> GetKeyAsync(string unitCode, CancellationToken cancellationToken);
}

/// <summary>
/// Partner keys in a JSON file on one machine, <c>{"police":"&lt;base64 16 bytes&gt;", …}</c>, created on first use
/// with random keys for every unit of the catalogue and readable by the owner only (0600 on Unix). The function
/// app and the partner simulator point at the same file.
/// </summary>
/// <remarks>
/// As with <see cref="LocalKeyFileStore"/>: the file only ever appears complete (written to a temporary file and
/// renamed into place), and creation holds an exclusive lock on <c>&lt;path&gt;.lock</c>, so processes starting
/// together end up with the same keys. A file that lacks a unit (the catalogue grew) gets a key added for it,
/// keeping the others. Keys are read once per instance and cached.
/// </remarks>
public sealed class LocalPartnerKeyStore : IPartnerKeyStore
{
    static readonly TimeSpan LockTimeout = TimeSpan.FromSeconds(30);
    static readonly JsonWriterOptions Indented = new() { Indented = true };

    readonly IReadOnlyList<string> unitCodes;
    readonly SemaphoreSlim gate = new(1, 1);
    IReadOnlyDictionary<string, byte[]>? cache;

    /// <summary>A store for every unit of the built-in catalogue.</summary>
    public LocalPartnerKeyStore(string path) : this(path, PartnerCatalogue.Load().Units.Select(u => u.Code))
    {
    }

    /// <summary>A store that creates keys for <paramref name="unitCodes"/>.</summary>
    public LocalPartnerKeyStore(string path, IEnumerable<string> unitCodes)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        ArgumentNullException.ThrowIfNull(unitCodes);
        Path = System.IO.Path.GetFullPath(path);
        this.unitCodes = unitCodes.Distinct(StringComparer.Ordinal).ToList();
        if (this.unitCodes.FirstOrDefault(c => !PartnerCatalogue.IsValidCode(c)) is { } bad)
            throw new ArgumentException($"'{bad}' is not a valid partner unit code.", nameof(unitCodes));
    }

    /// <summary>Full path of the key file.</summary>
    public string Path { get; }

    public async Task<byte[]> GetKeyAsync(string unitCode, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(unitCode);
        var keys = await LoadAsync(cancellationToken).ConfigureAwait(false);
        return keys.TryGetValue(unitCode, out var key)
            ? key
            : throw new KeyNotFoundException($"The partner key file has no key for unit '{unitCode}'.");
    }

    /// <summary>Every key in the file (creating the file, or adding missing units, first).</summary>
    public async Task<IReadOnlyDictionary<string, byte[]>> LoadAsync(CancellationToken cancellationToken = default)
    {
        if (Volatile.Read(ref cache) is { } cached) return cached;
        await gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (cache is { } loaded) return loaded;
            var keys = await TryReadAsync(cancellationToken).ConfigureAwait(false);
            if (keys is null || unitCodes.Any(c => !keys.ContainsKey(c)))
            {
                await using var _ = await AcquireLockAsync(cancellationToken).ConfigureAwait(false);
                keys = await TryReadAsync(cancellationToken).ConfigureAwait(false) ?? new Dictionary<string, byte[]>(StringComparer.Ordinal);
                var missing = unitCodes.Where(c => !keys.ContainsKey(c)).ToList();
                if (missing.Count > 0)
                {
                    var completed = new Dictionary<string, byte[]>(keys, StringComparer.Ordinal);
                    foreach (var code in missing) completed[code] = RandomNumberGenerator.GetBytes(MasterKeys.FieldKeySize);
                    await WriteAsync(completed, cancellationToken).ConfigureAwait(false);
                    keys = completed;
                }
            }
            Volatile.Write(ref cache, keys);
            return keys;
        }
        finally
        {
            gate.Release();
        }
    }

    async Task<IReadOnlyDictionary<string, byte[]>?> TryReadAsync(CancellationToken cancellationToken)
    {
        Dictionary<string, string>? file;
        try
        {
            await using var stream = new FileStream(Path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
            file = await JsonSerializer.DeserializeAsync<Dictionary<string, string>>(stream, cancellationToken: cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException)
        {
            return null;
        }
        catch (JsonException e)
        {
            // The JsonException message may quote file content; report the position only.
            throw new InvalidDataException($"The partner key file '{Path}' is invalid: not a JSON object of base64 strings (line {e.LineNumber + 1}).");
        }
        if (file is null) throw new InvalidDataException($"The partner key file '{Path}' is invalid: empty.");

        var keys = new Dictionary<string, byte[]>(StringComparer.Ordinal);
        foreach (var (code, encoded) in file)
        {
            byte[] key;
            try
            {
                key = Convert.FromBase64String(encoded ?? "");
            }
            catch (FormatException)
            {
                throw new InvalidDataException($"The partner key file '{Path}' is invalid: the key of '{code}' is not base64.");
            }
            if (key.Length != MasterKeys.FieldKeySize)
                throw new InvalidDataException($"The partner key file '{Path}' is invalid: the key of '{code}' is not {MasterKeys.FieldKeySize} bytes.");
            keys[code] = key;
        }
        return keys;
    }

    async Task WriteAsync(IReadOnlyDictionary<string, byte[]> keys, CancellationToken cancellationToken)
    {
        var temporary = $"{Path}.{Guid.NewGuid():N}.tmp";
        try
        {
            await using (var stream = new FileStream(temporary, OwnerOnlyOptions(FileMode.CreateNew, FileAccess.Write)))
            {
                await using (var writer = new Utf8JsonWriter(stream, Indented))
                {
                    writer.WriteStartObject();
                    foreach (var (code, key) in keys) writer.WriteString(code, Convert.ToBase64String(key));
                    writer.WriteEndObject();
                    await writer.FlushAsync(cancellationToken).ConfigureAwait(false);
                }
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
                return new FileStream(Path + ".lock", OwnerOnlyOptions(FileMode.OpenOrCreate, FileAccess.ReadWrite));
            }
            catch (IOException) when (DateTime.UtcNow < deadline)
            {
                await Task.Delay(TimeSpan.FromMilliseconds(25 + Random.Shared.Next(50)), cancellationToken).ConfigureAwait(false);
            }
        }
    }

    static FileStreamOptions OwnerOnlyOptions(FileMode mode, FileAccess access)
    {
        var options = new FileStreamOptions { Mode = mode, Access = access, Share = FileShare.None };
        if (!OperatingSystem.IsWindows()) options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
        return options;
    }
}

/// <summary>
/// Partner keys in Azure Key Vault: secret <c>partner-key-&lt;code&gt;</c> (latest version) holds the unit's base64
/// SM4 key. Each key is read once and cached; a failed read is retried by the next caller.
/// </summary>
public sealed class KeyVaultPartnerKeyStore(SecretClient client) : IPartnerKeyStore
{
    readonly ConcurrentDictionary<string, Lazy<Task<byte[]>>> cache = new(StringComparer.Ordinal);

    /// <summary>The secret name of a unit's key.</summary>
    public static string SecretName(string unitCode) => $"partner-key-{unitCode}";

    public async Task<byte[]> GetKeyAsync(string unitCode, CancellationToken cancellationToken)
    {
        if (!PartnerCatalogue.IsValidCode(unitCode)) throw new ArgumentException("Not a valid partner unit code.", nameof(unitCode));
        var entry = cache.GetOrAdd(unitCode, code => new Lazy<Task<byte[]>>(() => ReadAsync(code)));
        try
        {
            return await entry.Value.WaitAsync(cancellationToken).ConfigureAwait(false);
        }
        catch when (entry.Value.IsFaulted || entry.Value.IsCanceled)
        {
            cache.TryRemove(new KeyValuePair<string, Lazy<Task<byte[]>>>(unitCode, entry));
            throw;
        }
    }

    async Task<byte[]> ReadAsync(string unitCode)
    {
        var name = SecretName(unitCode);
        KeyVaultSecret secret;
        try
        {
            secret = await client.GetSecretAsync(name, version: null, CancellationToken.None).ConfigureAwait(false);
        }
        catch (Azure.RequestFailedException e) when (e.Status == 404)
        {
            throw new KeyNotFoundException($"Key Vault has no secret '{name}' for partner unit '{unitCode}'.", e);
        }
        byte[] key;
        try
        {
            key = Convert.FromBase64String(secret.Value.Trim());
        }
        catch (FormatException)
        {
            throw new InvalidOperationException($"Key Vault secret '{name}' is not base64.");
        }
        return key.Length == MasterKeys.FieldKeySize
            ? key
            : throw new InvalidOperationException($"Key Vault secret '{name}' is not a {MasterKeys.FieldKeySize}-byte key.");
    }
}

/// <summary>Partner keys held in memory (tests, tools).</summary>
public sealed class InMemoryPartnerKeyStore(IReadOnlyDictionary<string, byte[]> keys) : IPartnerKeyStore
{
    /// <summary>Random keys for <paramref name="unitCodes"/>.</summary>
    public static InMemoryPartnerKeyStore Random(IEnumerable<string> unitCodes) =>
        new(unitCodes.Distinct(StringComparer.Ordinal).ToDictionary(c => c, _ => RandomNumberGenerator.GetBytes(MasterKeys.FieldKeySize), StringComparer.Ordinal));

    public Task<byte[]> GetKeyAsync(string unitCode, CancellationToken cancellationToken) =>
        keys.TryGetValue(unitCode, out var key)
            ? Task.FromResult(key)
            : Task.FromException<byte[]>(new KeyNotFoundException($"No key for partner unit '{unitCode}'."));
}
