using System.Collections.Concurrent;
using Azure.Data.Tables;

namespace CivilAffairs.Application.Platform.Storage;

/// <summary>Hands out table clients, creating each table once per process on first use.</summary>
public sealed class Tables(TableServiceClient service)
{
    readonly ConcurrentDictionary<string, Lazy<Task<TableClient>>> tables = new(StringComparer.Ordinal);

    public async Task<TableClient> GetAsync(string name, CancellationToken ct = default)
    {
        var lazy = tables.GetOrAdd(name, n => new Lazy<Task<TableClient>>(async () =>
        {
            var client = service.GetTableClient(n);
            await client.CreateIfNotExistsAsync(CancellationToken.None);
            return client;
        }));
        try
        {
            return await lazy.Value.WaitAsync(ct);
        }
        catch when (lazy.Value.IsFaulted)
        {
            tables.TryRemove(new KeyValuePair<string, Lazy<Task<TableClient>>>(name, lazy));
            throw;
        }
    }

    public TableServiceClient Service => service;
}

/// <summary>Table names: one table per aggregate.</summary>
public static class TableNames
{
    public const string CatalogServices = "CatalogServices";
    public const string CatalogPreReviews = "CatalogPreReviews";
    public const string CatalogStatistics = "CatalogStatistics";
    public const string AuditLog = "AuditLog";
    public const string Divisions = "Divisions";
    public const string Persons = "Persons";
    public const string PersonIndex = "PersonIndex";
    public const string CitizenAccounts = "CitizenAccounts";
    public const string AssistanceApplications = "AssistanceApplications";
    public const string AssistanceMemberships = "AssistanceMemberships";
    public const string VerificationRequests = "VerificationRequests";
    public const string AssistanceWorklist = "AssistanceWorklist";
    public const string AssistanceMaterials = "AssistanceMaterials";
    public const string AssistanceObjections = "AssistanceObjections";
    public const string AssistanceGrants = "AssistanceGrants";
    public const string AssistancePayments = "AssistancePayments";
    // Tell Us Once subscribers (issue 15, item 3)
    /// <summary>What the assistance subscriber did with a member's death (PK first two hex digits of the blind index, RK the index).</summary>
    public const string AssistanceDeaths = "AssistanceDeaths";
    /// <summary>What the elderly-care subscriber did with an elder's death (PK first two hex digits of the blind index, RK the index).</summary>
    public const string ElderlyDeaths = "ElderlyDeaths";
    public const string Notifications = "Notifications";
    /// <summary>Failure counts and locks per secret target (PK purpose, RK device id or blind index).</summary>
    public const string Lockouts = "Lockouts";
    /// <summary>Real-name binding challenges (PK account id, RK challenge id): the code's keyed hash, never the code.</summary>
    public const string RealNameChallenges = "RealNameChallenges";
    public const string Deaths = "Deaths";
    /// <summary>PK jurisdiction code, RK incident id (system of record, ETag).</summary>
    public const string DisasterIncidents = "DisasterIncidents";
    /// <summary>PK incident id → jurisdiction (write-once lookup).</summary>
    public const string DisasterIncidentIds = "DisasterIncidentIds";
    /// <summary>PK incident id, RK need id.</summary>
    public const string DisasterNeeds = "DisasterNeeds";
    /// <summary>PK need id → incident id (write-once lookup).</summary>
    public const string DisasterNeedIds = "DisasterNeedIds";
    /// <summary>PK need id, RK report id: reporter kind and subject, encrypted description and contact phone.</summary>
    public const string DisasterNeedReports = "DisasterNeedReports";
    /// <summary>Disaster field devices (PartitionKey = device id; RowKey <c>device</c>, plus one <c>usage.{uploadId}</c> row per committed upload).</summary>
    public const string DisasterDevices = "DisasterDevices";
    /// <summary>Elders enrolled in elderly-care services: PartitionKey = elder id, RowKey <c>elder</c>.</summary>
    public const string Elders = "Elders";
    /// <summary>Index rows of <see cref="Elders"/>: by jurisdiction, person, ID-number blind index and meal card.</summary>
    public const string ElderIndex = "ElderIndex";
    /// <summary>Resumable field-upload sessions (PartitionKey = upload id, RowKey <c>session</c>).</summary>
    public const string DisasterUploads = "DisasterUploads";
    /// <summary>Relief warehouses (PK <c>warehouse</c>, RK warehouse id).</summary>
    public const string DisasterWarehouses = "DisasterWarehouses";
    /// <summary>Per warehouse (PK warehouse id): the append-only movement ledger (RK zero-padded sequence) and the <c>head</c> snapshot row.</summary>
    public const string DisasterStock = "DisasterStock";
    /// <summary>Relief dispatches (PK dispatch id) and the per-need index (PK <c>need-{needId}</c>).</summary>
    public const string DisasterDispatches = "DisasterDispatches";
    /// <summary>Lists of dispatches: PK <c>incident|{id}</c> or <c>team|{id}</c>, RK dispatch id, with the status (a read model kept after every change).</summary>
    public const string DisasterDispatchLists = "DisasterDispatchLists";
    /// <summary>Relief field teams (PK <c>team</c>, RK team id).</summary>
    public const string DisasterTeams = "DisasterTeams";
    /// <summary>平安通 alarms (PK alarm id, RK <c>alarm</c>, plus the alarm's outbox rows).</summary>
    public const string ElderlyAlarms = "ElderlyAlarms";
    /// <summary>Alarm desks' queue read model: PK operator company, RK alarm id (status, offered to, trigger).</summary>
    public const string ElderlyAlarmQueue = "ElderlyAlarmQueue";
    /// <summary>SLA ledger rows: PK <c>{company}|{yyyy-MM}</c> (China month of receipt), RK alarm id: the monthly report is one partition query.</summary>
    public const string ElderlyAlarmSla = "ElderlyAlarmSla";
    /// <summary>Terminal events received (PK terminal id, RK the terminal's event id): idempotency of terminal traffic.</summary>
    public const string ElderlyTerminalEvents = "ElderlyTerminalEvents";
    /// <summary>An elder's terminals (PK elder id, RK terminal id) and the heartbeat due index (PK <c>due</c>, RK <c>{yyyyMMddHHmmss}|{terminal id}</c>).</summary>
    public const string ElderlyTerminals = "ElderlyTerminals";
    /// <summary>Welfare checks for the community worker (terminal silence, meal absence): PK the elder's community code, RK <c>{reason}.{elder id}.{occurrence}</c>.</summary>
    public const string ElderlyWelfareChecks = "ElderlyWelfareChecks";
    /// <summary>Care institutions (养老机构): PK district code, RK institution id (registry entry, ETag).</summary>
    public const string ElderlyInstitutions = "ElderlyInstitutions";
    /// <summary>PK institution id → district (write-once lookup).</summary>
    public const string ElderlyInstitutionIds = "ElderlyInstitutionIds";
    /// <summary>PK district code, RK institution id: the stored star rating with its components and explanation.</summary>
    public const string ElderlyInstitutionRatings = "ElderlyInstitutionRatings";
    /// <summary>PK institution id, RK inspection id.</summary>
    public const string ElderlyInspections = "ElderlyInspections";
    /// <summary>PK institution id, RK staffing record id.</summary>
    public const string ElderlyStaffing = "ElderlyStaffing";
    /// <summary>PK institution id, RK complaint id: text and complainant only as SM4 ciphertext.</summary>
    public const string ElderlyComplaints = "ElderlyComplaints";
    /// <summary>Meal points (PK <c>meal-points</c>, RK point id; RK <c>terminal.{deviceId}</c> → point id).</summary>
    public const string ElderlyMealPoints = "ElderlyMealPoints";
    /// <summary>Meal transactions: receipt rows and the per-point-day, per-district-month and per-elder attendance copies (see <c>MealLedger</c>).</summary>
    public const string ElderlyMealTransactions = "ElderlyMealTransactions";
    /// <summary>Nightly settled days (PK meal point id, RK <c>yyyyMMdd</c>).</summary>
    public const string ElderlyMealSettlements = "ElderlyMealSettlements";
    /// <summary>Home-care orders (PK order id, RK <c>order</c>; PK <c>provider|{code}</c>, RK order id: a provider's orders; PK <c>elder|{elderId}</c>, RK order id: an elder's orders).</summary>
    public const string ElderlyHomeCareOrders = "ElderlyHomeCareOrders";
    /// <summary>Home-care billing lines: PK <c>e|{elderId}|{yyyyMM}</c> (the elder's month, with the budget row) and <c>p|{provider}|{yyyyMM}</c> (the provider's month).</summary>
    public const string ElderlyHomeCareBilling = "ElderlyHomeCareBilling";
    /// <summary>Marriage registry offices (PK <c>office</c>, RK office id).</summary>
    public const string MarriageOffices = "MarriageOffices";
    /// <summary>Marriage bookings (PK booking id, RK <c>booking</c>); live guards (PK <c>live</c>, RK a party's blind index); no-shows (PK <c>noshow|{index}</c>).</summary>
    public const string MarriageBookings = "MarriageBookings";
    /// <summary>An office's day (PK <c>{office}|{yyyyMMdd}</c>): slot counters (RK <c>n|{HHmm}</c>) and the worklist (RK <c>b|{HHmm}|{booking}</c>).</summary>
    public const string MarriageSlots = "MarriageSlots";
    /// <summary>Marriage records (PK record id, RK <c>record</c>, plus its outbox rows): parties SM4-encrypted.</summary>
    public const string MarriageRecords = "MarriageRecords";
    /// <summary>The register's index: PK <c>p|{blind index}</c> (RK <c>current</c> = the current marriage, <c>r|{record}</c>, <c>d|{divorce}</c>), PK <c>c|{certificate number}</c>.</summary>
    public const string MarriageRegister = "MarriageRegister";
    /// <summary>Divorce applications (PK application id, RK <c>divorce</c>, plus its outbox rows).</summary>
    public const string MarriageDivorces = "MarriageDivorces";
    /// <summary>Statistics rows per office and month (PK <c>{office}|{yyyy-MM}</c>, RK <c>{metric}|{id}</c>).</summary>
    public const string MarriageStatistics = "MarriageStatistics";
    /// <summary>Published life events (PK event id: the event, its partner deliveries, its in-app outcomes; PK <c>s|{type}|{subject}</c> → event id).</summary>
    public const string LifeEvents = "LifeEvents";
    /// <summary>Registered deaths by id (PK death id, RK <c>death</c>) and by the family's reference number (PK <c>ref|{reference}</c>).</summary>
    public const string DeathRegistrations = "DeathRegistrations";

    // ---- Funeral: custody of remains and ashes (Funeral/Custody) ----
    /// <summary>Bodies in custody (PK body id, RK <c>body</c>: persons SM4-encrypted) and their SM3-chained custody ledger (RK <c>e|{sequence}</c>).</summary>
    public const string FuneralCustody = "FuneralCustody";
    /// <summary>Custody lookups: tag → body, one open custody per deceased (blind index), tag counters per site and year, a site's bodies.</summary>
    public const string FuneralCustodyIndex = "FuneralCustodyIndex";
    /// <summary>Custody deadline alerts (PK site, RK <c>{body}|{kind}|{state}</c>, insert-only).</summary>
    public const string FuneralCustodyAlerts = "FuneralCustodyAlerts";

    // Funeral: service orders and subsidies (Funeral/Services)
    /// <summary>Funeral service orders (PK order id, RK <c>order</c>): the deceased SM4-encrypted, found by blind index only.</summary>
    public const string FuneralServiceOrders = "FuneralServiceOrders";
    /// <summary>Settled orders per funeral home and month (PK <c>{site}|{yyyy-MM}</c>, RK order id): the exemption reimbursement summary.</summary>
    public const string FuneralServiceLedger = "FuneralServiceLedger";

    // ---- Funeral: online memorials (Funeral/Memorials)
    /// <summary>Memorial pages (PK memorial id): RK <c>memorial</c> (the page, consent, family), <c>m|{message}</c> (visitors' messages), <c>o|{shard}</c> (offering counter shards).</summary>
    public const string FuneralMemorials = "FuneralMemorials";
    /// <summary>Memorial lookups: PK <c>public</c> (listed pages, RK inverted creation time and id: newest first), <c>p|{person id}</c> (a relative's memorials), <c>s|{memorial}</c> (its sweeping orders), RK the id.</summary>
    public const string FuneralMemorialIndex = "FuneralMemorialIndex";
    /// <summary>Proxy grave-sweeping orders (PK cemetery site id, RK order id): the cemetery staff's worklist is one partition.</summary>
    public const string FuneralSweepings = "FuneralSweepings";
}

/// <summary>Queue names (never containing personal data).</summary>
public static class QueueNames
{
    public const string CatalogPreReviews = "catalog-prereviews";
    /// <summary>WeChat subscribe-message deliveries (ids only; the notification is read back from its table).</summary>
    public const string NotificationsWeChat = "notifications-wechat";
    /// <summary>Analysis jobs of committed field uploads (upload id only).</summary>
    public const string DisasterAnalysis = "disaster-analysis";
    /// <summary>Relay jobs of the outbox (table and partition only): the delayed safety net behind each state change with events.</summary>
    public const string OutboxRelay = "outbox-relay";
    /// <summary>Partner units' acknowledgement receipts of life events (CloudEvents, sealed with the unit's key).</summary>
    public const string PartnerEventReceipts = "partner-event-receipts";
    /// <summary>Partner delivery jobs of relayed life events (the event id only).</summary>
    public const string LifeEventPartners = "life-events-partners";
    /// <summary>Death certificates sent by hospitals and the police (CloudEvents, sealed with the unit's key).</summary>
    public const string DeathCertificates = "partner-death-certificates";
}
