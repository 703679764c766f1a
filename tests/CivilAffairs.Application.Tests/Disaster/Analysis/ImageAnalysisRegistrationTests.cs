using CivilAffairs.Application.Disaster.Analysis;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace CivilAffairs.Application.Tests.Disaster.Analysis;

public class ImageAnalysisRegistrationTests
{
    static ServiceProvider Build(params (string Key, string? Value)[] settings)
    {
        var configuration = new ConfigurationBuilder()
            .AddInMemoryCollection(settings.Select(s => KeyValuePair.Create(s.Key, s.Value)))
            .Build();
        return new ServiceCollection().AddLogging().AddImageAnalysis(configuration).BuildServiceProvider();
    }

    [Fact]
    public void Without_an_endpoint_the_local_engine_is_used()
    {
        using var services = Build(("Vision:Local:BlurThreshold", "55"));

        var analyzer = services.GetRequiredService<IImageAnalyzer>();

        Assert.IsType<LocalImageAnalyzer>(analyzer);
        Assert.Equal("local-opencv", analyzer.Engine);
        Assert.Equal(55, services.GetRequiredService<IOptions<LocalImageAnalysisOptions>>().Value.BlurThreshold);
    }

    [Fact]
    public void With_an_endpoint_the_Azure_engine_is_used()
    {
        using var services = Build(("Vision:Endpoint", "https://vision-test.cognitiveservices.azure.com/"), ("Vision:Key", "k"));

        var analyzer = services.GetRequiredService<IImageAnalyzer>();

        Assert.IsType<AzureVisionImageAnalyzer>(analyzer);
        Assert.Equal("azure-vision", analyzer.Engine);
    }

    [Fact]
    public void Without_a_key_a_DefaultAzureCredential_is_registered()
    {
        using var services = Build(("Vision:Endpoint", "https://vision-test.cognitiveservices.azure.com/"), ("AZURE_CLIENT_ID", "00000000-0000-0000-0000-000000000001"));

        Assert.IsType<Azure.Identity.DefaultAzureCredential>(services.GetRequiredService<VisionCredential>().Credential);
    }

    [Fact]
    public void A_relative_endpoint_fails_validation()
    {
        using var services = Build(("Vision:Endpoint", "vision-test/"));

        var ex = Assert.Throws<OptionsValidationException>(() => services.GetRequiredService<IOptions<VisionOptions>>().Value);
        Assert.Contains("Vision:Endpoint", ex.Message);
    }
}
