using Azure.Core;

namespace CivilAffairs.Application.Disaster.Analysis;

/// <summary>
/// The Microsoft Entra credential the Azure engine uses when no <see cref="VisionOptions.Key"/> is configured.
/// <see cref="ImageAnalysisRegistration.AddImageAnalysis"/> registers <c>DefaultAzureCredential</c> with the
/// managed identity named by <c>AZURE_CLIENT_ID</c> unless one is already registered (tests register their own).
/// </summary>
public sealed class VisionCredential(TokenCredential credential)
{
    public TokenCredential Credential { get; } = credential ?? throw new ArgumentNullException(nameof(credential));
}
