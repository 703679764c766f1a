using CivilAffairs.Application.Funeral.Services;
using CivilAffairs.Domain.Funeral.Services;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace CivilAffairs.Application.Tests.Funeral.Services;

/// <summary>Service-order decisions that need no storage: configured prices and how rule refusals are answered.</summary>
public class FuneralServiceDecisionTests
{
    static IOptions<FuneralServiceOptions> Options(Dictionary<string, string?> settings)
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(settings).Build();
        return new ServiceCollection().AddFuneralServices(configuration).BuildServiceProvider().GetRequiredService<IOptions<FuneralServiceOptions>>();
    }

    [Fact]
    public void Configured_prices_replace_the_defaults_and_unknown_codes_are_ignored()
    {
        var catalogue = Options(new()
        {
            ["Funeral:Services:Prices:cremation:UnitPrice"] = "520.50",
            ["Funeral:Services:Prices:coldStorage:ExemptQuantity"] = "3",
            ["Funeral:Services:Prices:nothing:UnitPrice"] = "1",
        }).Value.Catalogue();
        Assert.Equal(520.50m, catalogue.Single(i => i.Code == ServiceCodes.Cremation).UnitPrice);
        Assert.Equal(3, catalogue.Single(i => i.Code == ServiceCodes.ColdStorage).ExemptQuantity);
        Assert.Equal(300.00m, catalogue.Single(i => i.Code == ServiceCodes.BodyTransport).UnitPrice);
        Assert.Equal(6, catalogue.Count);
    }

    [Fact]
    public void A_negative_configured_price_stops_the_start()
    {
        var options = Options(new() { ["Funeral:Services:Prices:ordinaryUrn:UnitPrice"] = "-5" });
        Assert.Throws<OptionsValidationException>(() => options.Value);
    }

    [Theory]
    [InlineData(ServiceRejectionKind.Invalid, 400)]
    [InlineData(ServiceRejectionKind.State, 409)]
    [InlineData(ServiceRejectionKind.NotFound, 404)]
    public void Each_kind_of_refusal_keeps_its_code_with_its_status(ServiceRejectionKind kind, int status)
    {
        var problem = ServiceOrderService.Rejected(new ServiceRejection("SOME_RULE", "某条规则的中文理由。", kind, "quantity"));
        Assert.Equal(status, problem.Status);
        Assert.Equal("SOME_RULE", problem.Code);
        Assert.Equal("某条规则的中文理由。", problem.Detail);
    }
}
