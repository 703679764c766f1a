using CivilAffairs.Application.Assistance;

namespace CivilAffairs.Application.Tests.Assistance.Verification;

public class VerificationNamesTests
{
    [Fact]
    public void A_correlation_id_round_trips_to_its_application_and_round()
    {
        var id = Ulid.NewUlid().ToString();
        var correlation = VerificationNames.CorrelationId(id, 3);
        Assert.True(VerificationNames.TryParseInstance(correlation, out var parsed, out var round));
        Assert.Equal(id, parsed);
        Assert.Equal(3, round);
        Assert.NotEqual(VerificationNames.EventName(1, "police", "m1"), VerificationNames.EventName(2, "police", "m1"));
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("case-01JCZ8DEM00000000000000001")]
    [InlineData("verify-not-a-ulid-r1")]
    [InlineData("verify-01JCZ8DEM00000000000000001-rx")]
    [InlineData("verify-01JCZ8DEM00000000000000001-r-1")]
    [InlineData("verify-01JCZ8DEM00000000000000001")]
    public void Anything_else_is_not_a_correlation_id(string? value) =>
        Assert.False(VerificationNames.TryParseInstance(value, out _, out _));
}
