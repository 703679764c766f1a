using CivilAffairs.Application.Platform.Identity;
using CivilAffairs.Domain.Platform;

namespace CivilAffairs.Application.Marriage;

/// <summary>A citizen acting in the marriage area: their person record's blind index is how bookings, records and applications know them.</summary>
public sealed record PartyIdentity(string PersonId, string IdIndex, string Name, string IdNumber);

/// <summary>
/// Who a party is: the calling citizen's person (from their bound account, never from what they type), the blind index of an ID
/// number someone names, and the identity check against the person index (name and ID number of one person).
/// </summary>
public sealed class MarriageParties(PersonIndex persons)
{
    /// <summary>The calling citizen's own person, or null when the account is not bound to one.</summary>
    public async Task<PartyIdentity?> OfCallerAsync(Caller caller, CancellationToken ct)
    {
        if (caller.Role != Role.Citizen || caller.PersonId is not { } personId) return null;
        var person = await persons.LoadAsync(personId, ct);
        return person is null ? null : new PartyIdentity(person.Id, person.IdIndex, person.Name, person.IdNumber);
    }

    public string IndexOf(string normalizedIdNumber) => persons.IndexOf(normalizedIdNumber);

    /// <summary>Identity check (身份核验): the ID number belongs to a person in the index with exactly this name.</summary>
    public async Task<bool> VerifiedAsync(string? idNumber, string? name, DateOnly today, CancellationToken ct)
    {
        var id = IdNumber.Validate(idNumber, today);
        if (!id.IsValid || string.IsNullOrWhiteSpace(name)) return false;
        return (await persons.MatchAsync(id.Normalized, name, ct)).Record is not null;
    }
}
