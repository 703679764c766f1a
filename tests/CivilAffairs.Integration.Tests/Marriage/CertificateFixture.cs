using CivilAffairs.Application.Marriage.Certificates;
using CivilAffairs.Integration.Tests.Platform;
using CivilAffairs.LocalRuntime.Hosting;
using Microsoft.Extensions.DependencyInjection;

namespace CivilAffairs.Integration.Tests.Marriage;

/// <summary>
/// A runtime on its own Azurite for the certificate tests (one per test class). The tests issue and flip certificates through
/// the runtime's own <see cref="ICertificateIssuer"/> (the port the marriage registry calls) and read what the public sees over
/// HTTP. Status lists hold <see cref="CertificatesPerList"/> certificates, so a handful of issues opens a second list.
/// </summary>
public sealed class CertificateFixture : IAsyncLifetime
{
    public const int CertificatesPerList = 4;

    public Azurite Azurite { get; private set; } = null!;
    public FunctionsRuntime Runtime { get; private set; } = null!;
    public HttpClient Http { get; private set; } = null!;
    public ICertificateIssuer Issuer => Runtime.Services.GetRequiredService<ICertificateIssuer>();
    public string Data { get; } = Path.Combine(Path.GetTempPath(), "ca-certificates-" + Guid.NewGuid().ToString("N"));

    public async Task InitializeAsync()
    {
        Azurite = await Azurite.StartAsync(location: null, 0, 0, 0);
        Runtime = await FunctionsRuntime.StartAsync(RuntimeFixture.Options(Azurite.ConnectionString, Data, s =>
        {
            s["Marriage:Certificates:CertificatesPerList"] = CertificatesPerList.ToString();
            s["Marriage:Certificates:StatusListCacheSeconds"] = "30";
        }));
        Http = new HttpClient { BaseAddress = Runtime.BaseAddress, Timeout = TimeSpan.FromSeconds(60) };
    }

    /// <summary>A certificate number no other test uses.</summary>
    public static string NewNumber(string prefix = "J440106") => $"{prefix}-2026-{Guid.NewGuid().ToString("N")[..10].ToUpperInvariant()}";

    public static CertificateIssueRequest Request(string number, CertificateKind kind = CertificateKind.Marriage, string recordId = "rec-1") =>
        new(kind, number, recordId, ["张伟", "欧阳娜娜"], new DateOnly(2026, 5, 20), "office-440106");

    public async Task DisposeAsync()
    {
        Http?.Dispose();
        if (Runtime is not null) await Runtime.DisposeAsync();
        if (Azurite is not null) await Azurite.DisposeAsync();
        try { Directory.Delete(Data, recursive: true); } catch (IOException) { } catch (UnauthorizedAccessException) { }
    }
}
