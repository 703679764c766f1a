// TEMPORARY: the Elders aggregate's published contract, so this branch builds until the lead's "Elderly: elders" commit lands
// on main. Deleted in the merge of main (the real types live in Application/Elderly/Elders/).
using CivilAffairs.Application.Platform.Results;
using CivilAffairs.Domain.Elderly;
using CivilAffairs.Domain.Platform;

namespace CivilAffairs.Application.Elderly.Elders;

public sealed record StoredContact(string Id, string Name, ContactRole Role, string Phone, bool Consented, DateTimeOffset? ConsentedAt, string? PersonId);

public sealed record StoredElder(Elder Elder, string Jurisdiction, string PersonId, string Address, IReadOnlyList<StoredContact> Contacts,
    IReadOnlyList<Enrolment> Enrolments, string MealCardNumber)
{
    public ResourceScope Scope => new(Jurisdiction, PersonId, Contacts.Where(c => c.PersonId is not null).Select(c => c.PersonId!).ToList());
    public Enrolment? EnrolmentFor(CivilAffairs.Domain.Elderly.ElderService service) => Enrolments.FirstOrDefault(e => e.Service == service);
}

public sealed class ElderRepository
{
    public Task<StoredElder?> GetAsync(string elderId, CancellationToken ct) => throw new NotImplementedException();
    public Task<StoredElder?> FindByMealCardAsync(string cardNumber, CancellationToken ct) => throw new NotImplementedException();
    public IAsyncEnumerable<StoredElder> ListAsync(string jurisdiction, CancellationToken ct) => throw new NotImplementedException();
}

public sealed class ElderService
{
    public Task<Result<StoredElder>> ReadForAsync(CallContext call, string elderId, string purpose) => throw new NotImplementedException();
}
