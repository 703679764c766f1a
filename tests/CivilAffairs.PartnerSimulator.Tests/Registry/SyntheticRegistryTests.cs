using CivilAffairs.Application.Assistance.Partners;
using CivilAffairs.Domain.Assistance;
using CivilAffairs.Domain.Platform;
using CivilAffairs.PartnerSimulator.Registry;

namespace CivilAffairs.PartnerSimulator.Tests.Registry;

public class SyntheticRegistryTests
{
    const int Seed = 42;
    static readonly PartnerCatalogue Catalogue = PartnerCatalogue.Load();
    static readonly ProgramDefinition MinimumLiving = ProgramCatalogue.Defaults().Single(p => p.Program == AssistanceProgram.MinimumLivingAllowance);
    static readonly SyntheticRegistry Registry = new(Seed, 1000);

    static EligibilityDecision Decide(IEnumerable<string> idNumbers, int seed = Seed, IReadOnlySet<string>? silent = null) =>
        EligibilityDecision.Decide(MinimumLiving, SyntheticRegistry.ExpectedReport(idNumbers.Select(id => SyntheticRegistry.Lookup(seed, id)).ToList(), Catalogue, silent));

    static void AssertSame(RegistryPerson a, RegistryPerson b)
    {
        Assert.Equal(a.Tier, b.Tier);
        Assert.Equal(a.UnitFigures.Keys.Order(), b.UnitFigures.Keys.Order());
        foreach (var (unit, figures) in a.UnitFigures) Assert.Equal(figures.OrderBy(f => f.Key), b.UnitFigures[unit].OrderBy(f => f.Key));
        Assert.Equal(a.UnitFacts.Keys.Order(), b.UnitFacts.Keys.Order());
        foreach (var (unit, facts) in a.UnitFacts) Assert.Equal(facts.OrderBy(f => f.Key), b.UnitFacts[unit].OrderBy(f => f.Key));
    }

    [Fact]
    public void The_same_seed_gives_the_same_population_and_records()
    {
        var again = new SyntheticRegistry(Seed, 1000);

        Assert.Equal(Registry.Residents, again.Residents);
        Assert.Equal(Registry.Households.Select(h => (h.Id, h.Tier, h.Jurisdiction)), again.Households.Select(h => (h.Id, h.Tier, h.Jurisdiction)));
        foreach (var resident in Registry.Residents.Take(100))
            AssertSame(Registry.Lookup(resident.IdNumber), SyntheticRegistry.Lookup(Seed, resident.IdNumber));

        var other = new SyntheticRegistry(Seed + 1, 1000);
        Assert.NotEqual(Registry.Residents.Select(r => r.IdNumber), other.Residents.Select(r => r.IdNumber));
    }

    [Fact]
    public void Registry_residents_have_valid_unique_Guangzhou_id_numbers_and_coherent_households()
    {
        Assert.Equal(1000, Registry.Residents.Count);
        Assert.Equal(1000, Registry.Residents.Select(r => r.IdNumber).Distinct().Count());
        foreach (var resident in Registry.Residents)
        {
            var id = IdNumber.Validate(resident.IdNumber, SyntheticRegistry.ReferenceDate);
            Assert.True(id.IsValid, resident.ToString());
            Assert.StartsWith("4401", id.DivisionCode);
            Assert.False(string.IsNullOrWhiteSpace(resident.Name));
            Assert.Same(resident, Registry.Find(resident.IdNumber));
        }
        foreach (var household in Registry.Households)
        {
            Assert.Equal(Relationship.Applicant, household.Members[0].Relationship);
            Assert.Equal(12, household.Jurisdiction.Length);
            Assert.All(household.Members, m => Assert.Equal(household.Tier, Registry.Lookup(m.IdNumber).Tier));
            string? Marriage(RegistryResident m) => Registry.Lookup(m.IdNumber).UnitFacts.GetValueOrDefault("civil-affairs")?.GetValueOrDefault("marriage");
            if (household.Members.Any(m => m.Relationship == Relationship.Spouse))
                Assert.All(household.Members.Where(m => m.Relationship is Relationship.Applicant or Relationship.Spouse), m => Assert.Equal("婚姻状况：已婚", Marriage(m)));
            else
                Assert.NotEqual("婚姻状况：已婚", Marriage(household.Members[0]));
        }
        Assert.Null(Registry.Find("440106199001011234"));
    }

    [Fact]
    public void People_outside_the_registry_get_stable_answers_derived_from_their_number()
    {
        var outsider = Id("44011319750203251");
        Assert.Null(Registry.Find(outsider));

        AssertSame(SyntheticRegistry.Lookup(Seed, outsider), SyntheticRegistry.Lookup(Seed, outsider));
        AssertSame(SyntheticRegistry.Lookup(Seed, outsider), Registry.Lookup(outsider.ToLowerInvariant()));
        Assert.Equal(Registry.Lookup(outsider).Figures, SyntheticRegistry.Lookup(Seed, outsider).Figures);
        Assert.NotEmpty(SyntheticRegistry.Lookup(Seed, outsider).AnswerFor(Catalogue.Find("police")!).Facts);

        var tiers = Enumerable.Range(0, 200).Select(i => SyntheticRegistry.Lookup(Seed, Id($"440106198001{(i % 28) + 1:D2}{i:D3}")).Tier).Distinct();
        Assert.Equal(Enum.GetValues<EconomicTier>().Order(), tiers.Order());
    }

    [Fact]
    public void Units_answer_only_what_they_supply_and_the_answers_add_up_to_the_totals()
    {
        foreach (var resident in Registry.Residents.Take(300))
        {
            var person = Registry.Lookup(resident.IdNumber);
            foreach (var (unit, figures) in person.UnitFigures)
                Assert.All(figures.Keys, c => Assert.True(Catalogue.Find(unit)!.Supplies(c), $"{unit} holds {c}"));
            foreach (var (unit, facts) in person.UnitFacts)
                Assert.All(facts.Keys, c => Assert.True(Catalogue.Find(unit)!.Supplies(c), $"{unit} holds {c}"));

            var sums = new Dictionary<string, decimal>();
            foreach (var unit in Catalogue.Units)
            {
                var answer = person.AnswerFor(unit);
                Assert.Equal(answer.Figures.Count + answer.Facts.Count > 0 ? ReplyStatus.Found : ReplyStatus.NotFound, answer.Status);
                foreach (var (category, amount) in answer.Figures) sums[category] = sums.GetValueOrDefault(category) + amount;
            }
            Assert.Equal(person.Figures.OrderBy(f => f.Key), sums.OrderBy(f => f.Key));
        }
    }

    [Fact]
    public void Asking_for_some_categories_answers_only_those()
    {
        var zhang = SyntheticRegistry.Lookup(Seed, DemoHouseholds.Eligible.Members[0].IdNumber);
        var hrss = Catalogue.Find("hrss")!;

        var answer = zhang.AnswerFor(hrss, ["pensions", "deposits"]);

        Assert.Equal(ReplyStatus.Found, answer.Status);
        Assert.Equal(["pensions"], answer.Figures.Keys);
        Assert.Equal(1050m, answer.Figures["pensions"]);
        Assert.Equal(ReplyStatus.NotFound, zhang.AnswerFor(Catalogue.Find("bank-scb")!).Status);
        Assert.Equal(11200m, zhang.AnswerFor(Catalogue.Find("bank-icbc")!).Figures["deposits"]);
    }

    [Fact]
    public void Some_registry_households_qualify_for_the_minimum_living_allowance_and_some_do_not()
    {
        var decisions = Registry.Households.Select(h => Decide(h.Members.Select(m => m.IdNumber))).ToList();

        var eligible = decisions.Count(d => d.Outcome == DecisionOutcome.Eligible);
        var ineligible = decisions.Count(d => d.Outcome == DecisionOutcome.Ineligible);
        Assert.InRange(eligible, decisions.Count / 10, decisions.Count * 9 / 10);
        Assert.InRange(ineligible, decisions.Count / 10, decisions.Count * 9 / 10);
        Assert.All(decisions, d => Assert.False(d.Provisional));

        // Tiers drive the spread: poorer households qualify far more often.
        double Rate(EconomicTier tier) => Registry.Households.Where(h => h.Tier == tier)
            .Average(h => Decide(h.Members.Select(m => m.IdNumber)).Outcome == DecisionOutcome.Eligible ? 1.0 : 0.0);
        Assert.True(Rate(EconomicTier.Poor) > 0.5);
        Assert.True(Rate(EconomicTier.Affluent) < 0.05);
    }

    [Fact]
    public void Demo_households_have_valid_Guangzhou_id_numbers()
    {
        Assert.Equal(3, DemoHouseholds.All.Count);
        foreach (var household in DemoHouseholds.All)
        {
            Assert.Equal(Relationship.Applicant, household.Members[0].Relationship);
            Assert.Empty(HouseholdRules.Validate(household.Members.Select(m => new HouseholdMember(m.Name, m.IdNumber, m.Relationship, true)).ToList(), SyntheticRegistry.ReferenceDate));
            Assert.All(household.Members, m => Assert.Matches("^4401(06|04)", m.IdNumber));
            Assert.All(household.Members, m => Assert.DoesNotContain(m.IdNumber, m.ToString()));
            Assert.All(household.Members, m => Assert.True(SyntheticRegistry.Lookup(Seed, m.IdNumber).IsDemo));
        }
    }

    [Theory]
    [InlineData(Seed)]
    [InlineData(SyntheticRegistry.DefaultSeed)]
    [InlineData(-7)]
    public void With_any_seed_one_demo_household_qualifies_and_one_does_not(int seed)
    {
        var eligible = Decide(DemoHouseholds.Eligible.Members.Select(m => m.IdNumber), seed);
        Assert.Equal(DecisionOutcome.Eligible, eligible.Outcome);
        Assert.False(eligible.Provisional);
        Assert.Equal(556.67m, eligible.Rules.Single(r => r.Field == ReportField.MonthlyIncomePerCapita).Value);

        var ineligible = Decide(DemoHouseholds.Ineligible.Members.Select(m => m.IdNumber), seed);
        Assert.Equal(DecisionOutcome.Ineligible, ineligible.Outcome);
        Assert.All(ineligible.Rules, r => Assert.False(r.Passed));

        var silent = Decide(DemoHouseholds.EligibleWithSilentUnit.Members.Select(m => m.IdNumber), seed);
        Assert.Equal(DecisionOutcome.Eligible, silent.Outcome);
        Assert.True(silent.Provisional);
        Assert.Equal([DemoHouseholds.SilentUnit], silent.MissingSources);
    }

    [Fact]
    public void A_unit_silent_for_everyone_makes_a_decision_provisional()
    {
        var decision = Decide(DemoHouseholds.Eligible.Members.Select(m => m.IdNumber), silent: new HashSet<string> { "bank-icbc" });

        Assert.True(decision.Provisional);
        Assert.Equal(["bank-icbc"], decision.MissingSources);
        Assert.Equal(DecisionOutcome.Eligible, decision.Outcome);
    }

    [Fact]
    public void Deterministic_random_is_stable()
    {
        var a = DeterministicRandom.For(1, "x");
        var b = DeterministicRandom.For(1, "x");
        Assert.Equal(Enumerable.Range(0, 10).Select(_ => a.NextUInt64()), Enumerable.Range(0, 10).Select(_ => b.NextUInt64()));
        Assert.NotEqual(DeterministicRandom.For(1, "x").NextUInt64(), DeterministicRandom.For(2, "x").NextUInt64());
        var r = DeterministicRandom.For("range");
        Assert.All(Enumerable.Range(0, 1000).Select(_ => r.Between(3, 5)), v => Assert.InRange(v, 3, 5));
    }

    static string Id(string first17) => first17 + IdNumber.ComputeCheckCharacter(first17);
}
