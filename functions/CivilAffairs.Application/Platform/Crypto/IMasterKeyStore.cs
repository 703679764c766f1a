namespace CivilAffairs.Application.Platform.Crypto;

/// <summary>Where the master keys live: Key Vault in Azure, a local key file on one machine.</summary>
public interface IMasterKeyStore
{
    Task<MasterKeys> LoadAsync(CancellationToken cancellationToken);
}
