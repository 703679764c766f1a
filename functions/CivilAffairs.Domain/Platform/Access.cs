namespace CivilAffairs.Domain.Platform;

/// <summary>Who can call the platform.</summary>
public enum Role
{
    Citizen,
    CommunityWorker,
    StreetOfficer,
    DistrictApprover,
    CityAdministrator,
    Auditor,
    PartnerSystem,
    Device,
    /// <summary>An operator of the contracted 平安通 alarm centre (jurisdiction = the area served, channel = the operator company's code).</summary>
    AlarmOperator,
    /// <summary>The alarm centre's supervisor on duty: receives alarms nobody acknowledged in time.</summary>
    AlarmSupervisor,
    /// <summary>A home-care provider's carer (jurisdiction = the area served, channel = the provider's code).</summary>
    CareWorker,
    /// <summary>A registrar of a marriage registry office (婚姻登记员): jurisdiction = the office's district, channel = the office id.</summary>
    MarriageRegistrar,
    /// <summary>An authorised institution that may query the marriage archive for a case (a court, a notary office): channel = the institution's code.</summary>
    Institution,
    /// <summary>Staff of a funeral home or cemetery (殡仪馆、公墓): jurisdiction = the area served, channel = the home's or cemetery's id.</summary>
    FuneralStaff,
}

/// <summary>Operations a function may require. Each HTTP function declares exactly one (or is public).</summary>
public enum Permission
{
    /// <summary>A citizen acting on their own account (real-name binding, own profile).</summary>
    OwnAccount,
    RegisterPerson,
    ReadPerson,
    LookupPerson,
    ReadAudit,
    VerifyAudit,
    /// <summary>Submit a social-assistance application (citizens for their own household; staff at any office).</summary>
    SubmitAssistance,
    ReadAssistance,
    /// <summary>Accept an application and start the cross-department verification (street level); resolve objections.</summary>
    AcceptAssistance,
    /// <summary>The staff worklist of applications in one's jurisdiction.</summary>
    AssistanceWorklist,
    /// <summary>Object to an application during its publicity (公示): any resident or local staff.</summary>
    ObjectToAssistance,
    /// <summary>The district decision (审核确认).</summary>
    DecideAssistance,
    /// <summary>Monthly payment batches and bank files.</summary>
    ManagePayments,
    /// <summary>Record a death (from death registration, hospitals, police).</summary>
    RecordDeath,
    /// <summary>Open a real-time connection (staff dashboards: the disaster command dashboard first).</summary>
    UseRealtime,
    /// <summary>Declare, update and close disaster incidents (启动、调整、终止应急响应).</summary>
    ManageIncidents,
    /// <summary>Staff reading of incidents and the ranked need worklist of their jurisdiction chain.</summary>
    ReadDisaster,
    /// <summary>Report a disaster need: citizens, grid workers (community) and field teams (street, district, city staff).</summary>
    ReportNeed,
    /// <summary>Read one need: staff in the incident's jurisdiction chain; a citizen only a need they reported.</summary>
    ReadNeed,
    /// <summary>Register and revoke field devices (drones, grid workers' phones, sensors) for disaster relief.</summary>
    ManageDevices,
    /// <summary>Upload photos and videos from a registered field device (resumable block uploads).</summary>
    UploadFromDevice,
    /// <summary>Read field uploads and their analysis: the device its own, staff those of devices in their jurisdiction.</summary>
    ReadFieldUploads,
    /// <summary>Register relief warehouses and book goods in (入库).</summary>
    ManageSupplies,
    /// <summary>See warehouses, stock and dispatches in one's jurisdiction.</summary>
    ViewSupplies,
    /// <summary>Direct relief dispatches: cancel a dispatch.</summary>
    DispatchRelief,
    /// <summary>Field teams: confirm pick-up and delivery of a dispatch assigned to them.</summary>
    ConfirmDelivery,
    /// <summary>Release a person's real-name binding to a WeChat account (at the window, with an audited reason).</summary>
    UnbindAccount,
    /// <summary>Enrol elders for elderly-care services, keep their contacts and consent, bind alarm terminals (养老服务对象管理).</summary>
    ManageElders,
    /// <summary>Read elders of one's jurisdiction (staff) or one's own record / the elder one is a named contact of (citizens).</summary>
    ReadElders,
    /// <summary>A registered alarm terminal or meal-point terminal reporting an event (press, fall, smoke, heartbeat, meal…).</summary>
    ReportTerminalEvent,
    /// <summary>Alarm-centre desk: the queue of open alarms, answer, record the call outcome, escalate.</summary>
    HandleAlarms,
    /// <summary>Read one alarm and its timeline: the desk, local staff, and the elder's named contacts.</summary>
    ReadAlarms,
    /// <summary>The responder sent to the elder confirms arrival on site and closes the alarm.</summary>
    RespondToAlarm,
    /// <summary>SLA ledger and contract reports of the alarm service (JSON and CSV).</summary>
    ReadAlarmReports,
    /// <summary>Register and change meal points (长者饭堂).</summary>
    ManageMealPoints,
    /// <summary>Daily meal settlement per point and monthly reconciliation per district.</summary>
    SettleMeals,
    /// <summary>Order home-care services for an elder and assign a provider.</summary>
    OrderHomeCare,
    /// <summary>A carer checks in and out of a home-care visit (EVV).</summary>
    DeliverHomeCare,
    /// <summary>The elder or a named relative (or the community worker) confirms a home-care visit.</summary>
    ConfirmHomeCare,
    /// <summary>Register care institutions and record inspections, complaints handling and staffing.</summary>
    ManageInstitutions,
    /// <summary>Lodge a complaint about a care institution.</summary>
    ComplainAboutInstitution,
    /// <summary>A citizen's own marriage-registration steps: book, cancel and reschedule, pre-fill and confirm their own data, apply for or withdraw a divorce.</summary>
    BookMarriage,
    /// <summary>Read a marriage booking: its parties (their own case) and the registrars of its office.</summary>
    ReadMarriageBookings,
    /// <summary>Read one's own marriage records and certificates (婚姻登记档案 本人查询).</summary>
    ReadMarriageRecords,
    /// <summary>The registrar's work at their office: the day's worklist, the legal checks, registration, divorce registration, replacement certificates.</summary>
    RegisterMarriage,
    /// <summary>An authorised institution queries one record with a purpose and case reference, or records a court's annulment.</summary>
    QueryMarriageArchive,
    /// <summary>Register marriage registry offices (address, hours, slot capacity).</summary>
    ManageMarriageOffices,
    /// <summary>Marriage statistics per office and month (data center).</summary>
    ReadMarriageStatistics,
    /// <summary>The family's Tell Us Once page (who was told of a death, who confirmed), and staff following up late units.</summary>
    ReadTellUsOnce,
    /// <summary>Funeral-home and cemetery staff: take over a body, confirm handovers of remains and ashes (custody ledger).</summary>
    ManageCustody,
    /// <summary>Read a body's custody chain and verify it: funeral staff, the registered family contact, civil-affairs staff, auditors.</summary>
    ReadCustody,
    /// <summary>Funeral-home staff: basic funeral service orders, with the fee exemptions applied.</summary>
    OrderFuneralServices,
    /// <summary>A family creates and moderates its online memorial, and orders proxy grave sweeping (代祭扫).</summary>
    ManageMemorials,
    /// <summary>A signed-in visitor leaves a message or a virtual offering on a memorial.</summary>
    VisitMemorials,
    /// <summary>Cemetery staff: carry out proxy grave-sweeping orders with photo proof.</summary>
    DeliverSweeping,
}

/// <summary>Why a caller may see identifiers unmasked; fixed codes, never free text.</summary>
public enum AccessPurpose
{
    /// <summary>Handling a case (受理办件).</summary>
    CaseHandling,
    /// <summary>Reviewing eligibility (审核审批).</summary>
    EligibilityReview,
    /// <summary>Contacting the person or their emergency contact (联系服务对象).</summary>
    Contact,
}

/// <summary>An authenticated caller.</summary>
public sealed record Caller(string Subject, string DisplayName, Role Role, string? Jurisdiction, string? PersonId, string? Channel, string Issuer)
{
    public bool IsStaff => Role is Role.CommunityWorker or Role.StreetOfficer or Role.DistrictApprover or Role.CityAdministrator or Role.Auditor;

    /// <summary>Staff of a contracted service company (alarm centre, home-care provider): the company is the channel.</summary>
    public bool IsContractor => Role is Role.AlarmOperator or Role.AlarmSupervisor or Role.CareWorker;

    /// <summary>A marriage registrar of the office <paramref name="officeId"/> (the office is the registrar's channel).</summary>
    public bool IsRegistrarOf(string officeId) => Role == Role.MarriageRegistrar && Channel is { Length: > 0 } office && office == officeId;

    /// <summary>Staff of the funeral home or cemetery <paramref name="siteId"/> (the site is the staff member's channel).</summary>
    public bool IsFuneralStaffOf(string siteId) => Role == Role.FuneralStaff && Channel is { Length: > 0 } site && site == siteId;
}

/// <summary>What an object carries so the policy can decide who may see it.</summary>
public sealed record ResourceScope(string Jurisdiction, string? OwnerPersonId = null, IReadOnlyCollection<string>? HouseholdPersonIds = null, string? Channel = null);

/// <summary>
/// The platform's one authorization policy: role permissions and object-level scope
/// (jurisdiction subtree for staff, own and household records for citizens, own channel for
/// partner systems and devices). Plain rules, no I/O.
/// </summary>
public static class AccessPolicy
{
    static readonly IReadOnlyDictionary<Permission, Role[]> Grants = new Dictionary<Permission, Role[]>
    {
        [Permission.OwnAccount] = [Role.Citizen],
        [Permission.RegisterPerson] = [Role.CommunityWorker, Role.StreetOfficer, Role.DistrictApprover, Role.CityAdministrator],
        [Permission.ReadPerson] = [Role.CommunityWorker, Role.StreetOfficer, Role.DistrictApprover, Role.CityAdministrator],
        [Permission.LookupPerson] = [Role.CommunityWorker, Role.StreetOfficer, Role.DistrictApprover, Role.CityAdministrator],
        [Permission.ReadAudit] = [Role.Auditor],
        [Permission.VerifyAudit] = [Role.Auditor],
        [Permission.SubmitAssistance] = [Role.Citizen, Role.CommunityWorker, Role.StreetOfficer],
        [Permission.ReadAssistance] = [Role.Citizen, Role.CommunityWorker, Role.StreetOfficer, Role.DistrictApprover, Role.CityAdministrator],
        [Permission.AcceptAssistance] = [Role.StreetOfficer],
        [Permission.AssistanceWorklist] = [Role.CommunityWorker, Role.StreetOfficer, Role.DistrictApprover, Role.CityAdministrator],
        [Permission.ObjectToAssistance] = [Role.Citizen, Role.CommunityWorker, Role.StreetOfficer],
        [Permission.DecideAssistance] = [Role.DistrictApprover],
        [Permission.ManagePayments] = [Role.DistrictApprover, Role.CityAdministrator],
        [Permission.RecordDeath] = [Role.StreetOfficer, Role.DistrictApprover, Role.CityAdministrator],
        [Permission.UseRealtime] = [Role.CommunityWorker, Role.StreetOfficer, Role.DistrictApprover, Role.CityAdministrator, Role.AlarmOperator, Role.AlarmSupervisor],
        [Permission.ManageIncidents] = [Role.DistrictApprover, Role.CityAdministrator],
        [Permission.ReadDisaster] = [Role.CommunityWorker, Role.StreetOfficer, Role.DistrictApprover, Role.CityAdministrator, Role.Auditor],
        [Permission.ReportNeed] = [Role.Citizen, Role.CommunityWorker, Role.StreetOfficer, Role.DistrictApprover, Role.CityAdministrator],
        [Permission.ReadNeed] = [Role.Citizen, Role.CommunityWorker, Role.StreetOfficer, Role.DistrictApprover, Role.CityAdministrator, Role.Auditor],
        [Permission.ManageDevices] = [Role.StreetOfficer, Role.DistrictApprover, Role.CityAdministrator],
        [Permission.UploadFromDevice] = [Role.Device],
        [Permission.ReadFieldUploads] = [Role.Device, Role.CommunityWorker, Role.StreetOfficer, Role.DistrictApprover, Role.CityAdministrator],
        [Permission.ManageSupplies] = [Role.StreetOfficer, Role.DistrictApprover, Role.CityAdministrator],
        [Permission.ViewSupplies] = [Role.CommunityWorker, Role.StreetOfficer, Role.DistrictApprover, Role.CityAdministrator],
        [Permission.DispatchRelief] = [Role.StreetOfficer, Role.DistrictApprover, Role.CityAdministrator],
        [Permission.ConfirmDelivery] = [Role.CommunityWorker, Role.StreetOfficer, Role.DistrictApprover, Role.CityAdministrator],
        [Permission.UnbindAccount] = [Role.StreetOfficer, Role.DistrictApprover, Role.CityAdministrator],
        [Permission.ManageElders] = [Role.CommunityWorker, Role.StreetOfficer, Role.DistrictApprover, Role.CityAdministrator],
        [Permission.ReadElders] = [Role.Citizen, Role.CommunityWorker, Role.StreetOfficer, Role.DistrictApprover, Role.CityAdministrator, Role.Auditor],
        [Permission.ReportTerminalEvent] = [Role.Device],
        [Permission.HandleAlarms] = [Role.AlarmOperator, Role.AlarmSupervisor],
        [Permission.ReadAlarms] = [Role.Citizen, Role.AlarmOperator, Role.AlarmSupervisor, Role.CommunityWorker, Role.StreetOfficer, Role.DistrictApprover, Role.CityAdministrator, Role.Auditor],
        [Permission.RespondToAlarm] = [Role.Citizen, Role.CommunityWorker, Role.StreetOfficer],
        [Permission.ReadAlarmReports] = [Role.AlarmSupervisor, Role.DistrictApprover, Role.CityAdministrator, Role.Auditor],
        [Permission.ManageMealPoints] = [Role.StreetOfficer, Role.DistrictApprover, Role.CityAdministrator],
        [Permission.SettleMeals] = [Role.DistrictApprover, Role.CityAdministrator, Role.Auditor],
        [Permission.OrderHomeCare] = [Role.CommunityWorker, Role.StreetOfficer, Role.DistrictApprover],
        [Permission.DeliverHomeCare] = [Role.CareWorker],
        [Permission.ConfirmHomeCare] = [Role.Citizen, Role.CommunityWorker],
        [Permission.ManageInstitutions] = [Role.StreetOfficer, Role.DistrictApprover, Role.CityAdministrator],
        [Permission.ComplainAboutInstitution] = [Role.Citizen, Role.CommunityWorker, Role.StreetOfficer],
        [Permission.BookMarriage] = [Role.Citizen],
        [Permission.ReadMarriageBookings] = [Role.Citizen, Role.MarriageRegistrar],
        [Permission.ReadMarriageRecords] = [Role.Citizen],
        [Permission.RegisterMarriage] = [Role.MarriageRegistrar],
        [Permission.QueryMarriageArchive] = [Role.Institution],
        [Permission.ManageMarriageOffices] = [Role.DistrictApprover, Role.CityAdministrator],
        [Permission.ReadMarriageStatistics] = [Role.DistrictApprover, Role.CityAdministrator, Role.Auditor],
        [Permission.ReadTellUsOnce] = [Role.Citizen, Role.StreetOfficer, Role.DistrictApprover, Role.CityAdministrator, Role.Auditor],
        [Permission.ManageCustody] = [Role.FuneralStaff],
        [Permission.ReadCustody] = [Role.Citizen, Role.FuneralStaff, Role.StreetOfficer, Role.DistrictApprover, Role.CityAdministrator, Role.Auditor],
        [Permission.OrderFuneralServices] = [Role.FuneralStaff],
        [Permission.ManageMemorials] = [Role.Citizen],
        [Permission.VisitMemorials] = [Role.Citizen],
        [Permission.DeliverSweeping] = [Role.FuneralStaff],
    };

    /// <summary>Which purposes allow which roles to see identifiers unmasked.</summary>
    static readonly IReadOnlyDictionary<Role, AccessPurpose[]> UnmaskedPurposes = new Dictionary<Role, AccessPurpose[]>
    {
        [Role.CommunityWorker] = [AccessPurpose.Contact],
        [Role.StreetOfficer] = [AccessPurpose.CaseHandling, AccessPurpose.Contact],
        [Role.DistrictApprover] = [AccessPurpose.EligibilityReview, AccessPurpose.CaseHandling],
        [Role.CityAdministrator] = [AccessPurpose.CaseHandling, AccessPurpose.EligibilityReview],
        // 平安通 operators phone the elder and their contacts while handling an alarm.
        [Role.AlarmOperator] = [AccessPurpose.Contact],
        [Role.AlarmSupervisor] = [AccessPurpose.Contact],
    };

    public static IReadOnlyCollection<Role> RolesFor(Permission permission) => Grants[permission];

    public static bool Allows(Role role, Permission permission) => Grants[permission].Contains(role);

    /// <summary>Whether the caller's role needs identifiers unmasked for the stated purpose.</summary>
    public static bool MayUnmask(Role role, AccessPurpose? purpose) =>
        purpose is { } p && UnmaskedPurposes.TryGetValue(role, out var purposes) && purposes.Contains(p);

    /// <summary>Object-level check: may this caller see this object at all?</summary>
    public static bool InScope(Caller caller, ResourceScope scope) => caller.Role switch
    {
        Role.Citizen => caller.PersonId is { } me && (scope.OwnerPersonId == me || scope.HouseholdPersonIds?.Contains(me) == true),
        Role.PartnerSystem or Role.Device or Role.Institution => caller.Channel is { } channel && scope.Channel == channel,
        _ => caller.Jurisdiction is { } j && Jurisdiction.Contains(j, scope.Jurisdiction),
    };
}
