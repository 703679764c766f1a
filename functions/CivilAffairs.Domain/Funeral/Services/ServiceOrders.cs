namespace CivilAffairs.Domain.Funeral.Services;

/// <summary>The groups whose basic funeral services are free (惠民殡葬), as the platform can establish them from its own data.</summary>
/// <remarks>
/// Other groups the city's policy names (重点优抚对象, 城乡低收入困难群众 with a separate decision, 无名遗体…) are left out: the platform
/// holds no data on them yet, and an exemption must come from a recorded status, not from what the counter is told.
/// </remarks>
public enum ExemptionGroup
{
    /// <summary>特困供养人员 (a member of a household with an active 特困人员救助供养 grant).</summary>
    ExtremePoverty,
    /// <summary>低保对象 (a member of a household with an active 最低生活保障 grant).</summary>
    MinimumLivingAllowance,
}

public enum OrderStatus
{
    /// <summary>开单中: lines may be added and removed.</summary>
    Open,
    /// <summary>已结算: the bill is frozen.</summary>
    Settled,
    /// <summary>已取消 (only before settlement).</summary>
    Cancelled,
}

public enum ServiceRejectionKind
{
    /// <summary>Bad input (400).</summary>
    Invalid,
    /// <summary>The order's state does not allow the step (409).</summary>
    State,
    /// <summary>A part of the order that does not exist (404).</summary>
    NotFound,
}

/// <summary>Why a service-order rule refused: a stable upper-snake-case code, a Chinese reason, the kind and the field at fault.</summary>
public sealed record ServiceRejection(string Code, string Reason, ServiceRejectionKind Kind = ServiceRejectionKind.Invalid, string? Field = null)
{
    public override string ToString() => $"{Code}: {Reason}";
}

/// <summary>One line of an order as ordered (prices are read from the catalogue until the bill is frozen).</summary>
public sealed record OrderLine(string LineId, string Code, int Quantity);

/// <summary>One line of a bill: price, amount, the exempted part and what the family pays.</summary>
public sealed record BillLine(string LineId, string Code, string Name, string Unit, int Quantity, decimal UnitPrice, decimal Amount,
    bool Basic, decimal Exempted, decimal Payable);

/// <summary>A bill: its lines and totals, the exemption group applied (none: null) and its reason in Chinese.</summary>
public sealed record Bill(IReadOnlyList<BillLine> Lines, decimal Total, decimal Exempted, decimal Payable, ExemptionGroup? Exemption, string ExemptionReason);

/// <summary>
/// A funeral service order (殡葬服务订单) for one deceased at one funeral home. The deceased is known by the blind index of their ID
/// number only (the name and number live encrypted beside the order). <see cref="Exemption"/> is what the assistance records said of
/// the person on <see cref="StatusDate"/>; <see cref="Bill"/> is set, frozen, at settlement.
/// </summary>
public sealed record ServiceOrder(string Id, string SiteId, OrderStatus Status, string DeceasedIndex, DateOnly StatusDate, string? DeathId,
    IReadOnlyList<OrderLine> Lines, ExemptionGroup? Exemption, DateTimeOffset OpenedAt, string OpenedBy,
    Bill? Bill = null, string? BillNumber = null, DateTimeOffset? SettledAt = null, string? SettledBy = null,
    DateTimeOffset? CancelledAt = null, string? CancelledBy = null, int NextLine = 1);

/// <summary>Billing and the fee exemption (惠民殡葬): basic services free for the eligible groups, optional items always paid.</summary>
public static class Billing
{
    /// <summary>The exemption group of a person from the assistance programs they held: 特困 first, then 低保; none otherwise.</summary>
    public static ExemptionGroup? GroupOf(bool extremePoverty, bool minimumLivingAllowance) =>
        extremePoverty ? ExemptionGroup.ExtremePoverty : minimumLivingAllowance ? ExemptionGroup.MinimumLivingAllowance : null;

    public static string NameOf(ExemptionGroup g) => g switch
    {
        ExemptionGroup.ExtremePoverty => "特困供养人员",
        _ => "低保对象",
    };

    /// <summary>The reason shown on the order and the bill.</summary>
    public static string ReasonOf(ExemptionGroup? group) => group is { } g
        ? $"{NameOf(g)}，基本殡葬服务费用全免"
        : "未查询到逝者属于低保对象或特困供养人员，按标准价格收费";

    /// <summary>
    /// The bill of <paramref name="lines"/> at the catalogue's prices. For an exempted person every basic item is free, up to its
    /// <see cref="ServiceItem.ExemptQuantity"/> (cold storage beyond the covered days is paid); optional items are never exempted.
    /// Amounts are yuan with two decimals. Lines whose code the catalogue no longer holds are skipped (they cannot be added).
    /// </summary>
    public static Bill Compute(IReadOnlyList<OrderLine> lines, IReadOnlyList<ServiceItem> catalogue, ExemptionGroup? group)
    {
        var bill = new List<BillLine>();
        var exemptLeft = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (var line in lines)
        {
            var item = catalogue.FirstOrDefault(i => i.Code == line.Code);
            if (item is null) continue;
            var amount = Money(item.UnitPrice * line.Quantity);
            var exemptUnits = 0;
            if (group is not null && item.Basic)
            {
                var left = exemptLeft.TryGetValue(item.Code, out var l) ? l : item.ExemptQuantity ?? int.MaxValue;
                exemptUnits = Math.Min(left, line.Quantity);
                exemptLeft[item.Code] = left - exemptUnits;
            }
            var exempted = Money(item.UnitPrice * exemptUnits);
            bill.Add(new BillLine(line.LineId, item.Code, item.Name, item.Unit, line.Quantity, item.UnitPrice, amount, item.Basic, exempted, amount - exempted));
        }
        var reason = ReasonOf(group);
        var limited = group is null ? [] : catalogue.Where(i => i.Basic && i.ExemptQuantity is not null && bill.Where(b => b.Code == i.Code).Sum(b => b.Quantity) > i.ExemptQuantity)
            .Select(i => $"{i.Name}减免不超过 {i.ExemptQuantity} {i.Unit}").ToList();
        if (limited.Count > 0) reason += $"（{string.Join("；", limited)}）";
        if (group is not null && bill.Any(b => !b.Basic)) reason += "；非基本服务项目按标准价格收费";
        return new Bill(bill, bill.Sum(b => b.Amount), bill.Sum(b => b.Exempted), bill.Sum(b => b.Payable), group, reason);
    }

    static decimal Money(decimal d) => decimal.Round(d, 2, MidpointRounding.AwayFromZero);
}

/// <summary>The order's lifecycle: open → lines added/removed → settled (bill frozen) | cancelled (only before settlement).</summary>
public static class ServiceOrderRules
{
    public const int MaxLines = 30;

    static ServiceRejection? Changeable(ServiceOrder order) => order.Status switch
    {
        OrderStatus.Settled => new("ORDER_ALREADY_SETTLED", "订单已结算，账单已冻结，不能再修改或取消。", ServiceRejectionKind.State),
        OrderStatus.Cancelled => new("ORDER_CANCELLED", "订单已取消，不能再修改。", ServiceRejectionKind.State),
        _ => null,
    };

    /// <summary>Adds <paramref name="quantity"/> of the service <paramref name="code"/>; the order's total of one service stays within its limit.</summary>
    public static (ServiceOrder? Order, ServiceRejection? Rejected) AddLine(ServiceOrder order, IReadOnlyList<ServiceItem> catalogue, string? code, int? quantity)
    {
        if (Changeable(order) is { } no) return (null, no);
        var item = catalogue.FirstOrDefault(i => i.Code == code);
        if (item is null)
            return (null, new("UNKNOWN_SERVICE_CODE", $"没有该服务项目。可选：{string.Join("、", catalogue.Select(i => $"{i.Code}（{i.Name}）"))}。", Field: "code"));
        var already = order.Lines.Where(l => l.Code == item.Code).Sum(l => l.Quantity);
        if (quantity is not { } q || q < 1 || q + already > item.MaxQuantity)
            return (null, new("QUANTITY_OUT_OF_RANGE",
                $"{item.Name}的数量须为 1 到 {item.MaxQuantity - already} 的整数（每单合计不超过 {item.MaxQuantity} {item.Unit}{(already > 0 ? $"，已开 {already} {item.Unit}" : "")}）。", Field: "quantity"));
        if (order.Lines.Count >= MaxLines) return (null, new("TOO_MANY_LINES", $"一张订单最多 {MaxLines} 行。", Field: "code"));
        var line = new OrderLine($"L{order.NextLine}", item.Code, q);
        return (order with { Lines = [.. order.Lines, line], NextLine = order.NextLine + 1 }, null);
    }

    public static (ServiceOrder? Order, ServiceRejection? Rejected) RemoveLine(ServiceOrder order, string lineId)
    {
        if (Changeable(order) is { } no) return (null, no);
        if (order.Lines.All(l => l.LineId != lineId)) return (null, new("ORDER_LINE_NOT_FOUND", "订单中没有该服务项目行。", ServiceRejectionKind.NotFound, "lineId"));
        return (order with { Lines = [.. order.Lines.Where(l => l.LineId != lineId)] }, null);
    }

    /// <summary>Settles: the bill is computed with the exemption as now established and frozen with its number.</summary>
    public static (ServiceOrder? Order, ServiceRejection? Rejected) Settle(ServiceOrder order, IReadOnlyList<ServiceItem> catalogue, ExemptionGroup? group,
        string billNumber, DateTimeOffset at, string by)
    {
        if (Changeable(order) is { } no) return (null, no);
        if (order.Lines.Count == 0) return (null, new("ORDER_EMPTY", "订单没有任何服务项目，不能结算。", ServiceRejectionKind.State));
        var bill = Billing.Compute(order.Lines, catalogue, group);
        return (order with { Status = OrderStatus.Settled, Exemption = group, Bill = bill, BillNumber = billNumber, SettledAt = at, SettledBy = by }, null);
    }

    public static (ServiceOrder? Order, ServiceRejection? Rejected) Cancel(ServiceOrder order, DateTimeOffset at, string by)
    {
        if (Changeable(order) is { } no) return (null, no);
        return (order with { Status = OrderStatus.Cancelled, CancelledAt = at, CancelledBy = by }, null);
    }

    public static string NameOf(OrderStatus s) => s switch
    {
        OrderStatus.Open => "开单中",
        OrderStatus.Settled => "已结算",
        _ => "已取消",
    };
}
