using CivilAffairs.Application.Disaster.Supplies;
using CivilAffairs.Domain.Elderly;
using CivilAffairs.Domain.Platform;

namespace CivilAffairs.Application.Elderly.Elders;

/// <summary>One named contact in a request: who they are to the elder, how to reach them, and whether they consented to be notified.</summary>
/// <param name="PersonId">The contact's platform person id when they have a citizen account (their in-app inbox and WeChat); optional.</param>
/// <param name="Consented">The contact agreed to be told about the elder's alarms (个人信息处理同意); the time is recorded by the platform.</param>
public sealed record ContactRequest(string? Name, ContactRole? Role, string? Phone, bool? Consented, string? PersonId);

/// <summary>Body of <c>POST /api/elderly/elders</c>: enrol a registered person (<c>/api/persons</c>) as an elder.</summary>
/// <param name="PersonId">The person index id; name, birth date, address and residence come from there.</param>
/// <param name="Home">Home position (WGS-84) for home-care visit checks; optional.</param>
/// <param name="Services">Services to enrol in from today: <c>alarmService</c>, <c>mealSubsidy</c>, <c>homeCareBudget</c>.</param>
public sealed record ElderEnrolment(string? PersonId, ElderCategory? Category, bool? LivesAlone, PositionBody? Home,
    IReadOnlyList<ContactRequest>? Contacts, IReadOnlyList<ElderCareService>? Services);

/// <summary>Body of <c>PUT /api/elderly/elders/{id}/contacts</c>: the whole list of contacts (a contact's id is kept when name and phone stay the same).</summary>
public sealed record ContactsUpdate(IReadOnlyList<ContactRequest>? Contacts);

public sealed record ContactView(string Id, string Name, ContactRole Role, string RoleName, string Phone, bool Consented, DateTimeOffset? ConsentedAt, bool HasAccount);

public sealed record ServiceView(ElderCareService Service, string Name, DateOnly From, DateOnly? Until, bool ActiveToday, string? Reason);

/// <summary>An elder as staff (and the elder's contacts) see them; phone and address masked unless the purpose allows otherwise.</summary>
public sealed record ElderView(string Id, string Name, int Age, ElderCategory Category, string CategoryName, bool LivesAlone,
    string Jurisdiction, string JurisdictionName, string DistrictCode, string Address, PositionBody? Home,
    IReadOnlyList<ContactView> Contacts, IReadOnlyList<ServiceView> Services, DateOnly? DiedOn, string? MealCardNumber, bool Masked);

public sealed record ElderList(int Count, IReadOnlyList<ElderView> Items);

/// <summary>A contact as stored (decrypted).</summary>
public sealed record StoredContact(string Id, string Name, ContactRole Role, string Phone, bool Consented, DateTimeOffset? ConsentedAt, string? PersonId)
{
    public ElderContact ToDomain() => new(Id, Name, Role, Phone, Consented, ConsentedAt);
}

/// <summary>
/// An elder as stored (decrypted), with the recorded death applied: <see cref="Elder"/>.<c>DiedOn</c> comes from the elder's own
/// row or, when the death register knows of a death, from there — so a death stops every service from the next day even before
/// anyone touches the elder's record.
/// </summary>
public sealed record StoredElder(Elder Elder, string Jurisdiction, string PersonId, string IdIndex, string Address,
    IReadOnlyList<StoredContact> Contacts, IReadOnlyList<Enrolment> Enrolments, string MealCardNumber,
    DateTimeOffset EnrolledAt, string EnrolledBy, Azure.ETag ETag)
{
    /// <summary>Who may see this elder: staff over the community, the elder, and the contacts who have an account.</summary>
    public ResourceScope Scope => new(Jurisdiction, PersonId, Contacts.Where(c => c.PersonId is not null).Select(c => c.PersonId!).ToList());

    public Enrolment? EnrolmentFor(ElderCareService service) => Enrolments.FirstOrDefault(e => e.Service == service);

    /// <summary>Is the service active on <paramref name="date"/>? The elder's enrolment and death decide (<see cref="ServiceLifecycle.Check"/>).</summary>
    public Outcome<DateOnly> Check(ElderCareService service, DateOnly date) => ServiceLifecycle.Check(EnrolmentFor(service), Elder.DiedOn, date, service);
}
