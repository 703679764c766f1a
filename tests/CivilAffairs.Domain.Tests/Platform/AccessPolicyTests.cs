using CivilAffairs.Domain.Platform;

namespace CivilAffairs.Domain.Tests.Platform;

public class AccessPolicyTests
{
    static Caller Staff(Role role, string jurisdiction) => new("s", "staff", role, jurisdiction, null, null, "test");

    [Theory]
    [InlineData("440100", "440106008001", true)]   // city covers every community
    [InlineData("440106", "440106008001", true)]
    [InlineData("440106008", "440106008001", true)]
    [InlineData("440106008001", "440106008001", true)]
    [InlineData("440106008", "440106005001", false)] // sibling street
    [InlineData("440104", "440106008001", false)]    // other district
    [InlineData("440106008001", "440106008", false)] // a community does not cover its street
    [InlineData("440200", "440106", false)]          // another city
    [InlineData("4401", "440106", false)]            // malformed
    public void Jurisdiction_subtree(string outer, string inner, bool contains) =>
        Assert.Equal(contains, Jurisdiction.Contains(outer, inner));

    [Fact]
    public void Staff_see_objects_in_their_subtree_only()
    {
        var scope = new ResourceScope("440106008001");
        Assert.True(AccessPolicy.InScope(Staff(Role.DistrictApprover, "440106"), scope));
        Assert.False(AccessPolicy.InScope(Staff(Role.DistrictApprover, "440104"), scope));
        Assert.False(AccessPolicy.InScope(Staff(Role.CommunityWorker, "440106008002"), scope));
    }

    [Fact]
    public void Citizens_see_their_own_and_their_households_records_only()
    {
        var me = new Caller("a1", "市民", Role.Citizen, null, "P1", null, "test");
        var unbound = me with { PersonId = null };
        Assert.True(AccessPolicy.InScope(me, new ResourceScope("440106008001", OwnerPersonId: "P1")));
        Assert.True(AccessPolicy.InScope(me, new ResourceScope("440106008001", OwnerPersonId: "P2", HouseholdPersonIds: ["P2", "P1"])));
        Assert.False(AccessPolicy.InScope(me, new ResourceScope("440106008001", OwnerPersonId: "P2")));
        Assert.False(AccessPolicy.InScope(unbound, new ResourceScope("440106008001", OwnerPersonId: null)));
    }

    [Fact]
    public void Partners_and_devices_act_only_on_their_own_channel()
    {
        var police = new Caller("p", "公安", Role.PartnerSystem, null, null, "police", "test");
        Assert.True(AccessPolicy.InScope(police, new ResourceScope("440100", Channel: "police")));
        Assert.False(AccessPolicy.InScope(police, new ResourceScope("440100", Channel: "tax")));
        Assert.False(AccessPolicy.InScope(police, new ResourceScope("440100")));
    }

    [Theory]
    [InlineData(Role.StreetOfficer, AccessPurpose.CaseHandling, true)]
    [InlineData(Role.StreetOfficer, null, false)]
    [InlineData(Role.CommunityWorker, AccessPurpose.CaseHandling, false)]
    [InlineData(Role.CommunityWorker, AccessPurpose.Contact, true)]
    [InlineData(Role.Auditor, AccessPurpose.EligibilityReview, false)]
    [InlineData(Role.Citizen, AccessPurpose.CaseHandling, false)]
    public void Unmasking_needs_a_role_that_needs_it_for_the_stated_purpose(Role role, AccessPurpose? purpose, bool allowed) =>
        Assert.Equal(allowed, AccessPolicy.MayUnmask(role, purpose));

    [Fact]
    public void Only_auditors_read_the_audit_log_and_citizens_cannot_read_the_person_index()
    {
        Assert.Equal([Role.Auditor], AccessPolicy.RolesFor(Permission.ReadAudit));
        Assert.False(AccessPolicy.Allows(Role.CityAdministrator, Permission.VerifyAudit));
        Assert.False(AccessPolicy.Allows(Role.Citizen, Permission.ReadPerson));
        Assert.False(AccessPolicy.Allows(Role.PartnerSystem, Permission.LookupPerson));
    }
}
