namespace CivilAffairs.Domain.Assistance;

/// <summary>Social-assistance programs (社会救助项目).</summary>
public enum AssistanceProgram
{
    /// <summary>最低生活保障 (低保).</summary>
    MinimumLivingAllowance,
    /// <summary>低收入家庭认定.</summary>
    LowIncomeFamily,
    /// <summary>特困人员救助供养.</summary>
    ExtremePoverty,
    /// <summary>临时救助.</summary>
    TemporaryAssistance,
    /// <summary>孤儿基本生活保障.</summary>
    OrphanAllowance,
}

/// <summary>The household economic report fields the eligibility rules read.</summary>
public enum ReportField
{
    /// <summary>Household monthly income per capita, yuan.</summary>
    MonthlyIncomePerCapita,
    /// <summary>Financial assets (deposits, wealth products, securities, cash value of insurance) per capita, yuan.</summary>
    FinancialAssetsPerCapita,
    /// <summary>Number of homes owned by the household.</summary>
    RealEstate,
    /// <summary>Number of motor vehicles.</summary>
    Vehicles,
    /// <summary>Number of registered businesses held by members.</summary>
    Businesses,
    /// <summary>Provident fund balance per capita, yuan.</summary>
    ProvidentFundPerCapita,
}

public enum CriterionOperator
{
    AtMost,
    LessThan,
}

/// <summary>One eligibility rule over the household economic report.</summary>
/// <param name="Threshold">Fixed threshold, or a multiple of the program's standard when <paramref name="StandardMultiple"/> is set.</param>
public sealed record EligibilityCriterion(ReportField Field, CriterionOperator Operator, decimal? Threshold, decimal? StandardMultiple, string Label)
{
    public decimal ThresholdFor(decimal standard) => StandardMultiple is { } m ? Math.Round(m * standard, 2) : Threshold ?? 0m;
}

/// <summary>A program as configuration: the city's standard, its source, and its rules.</summary>
public sealed record ProgramDefinition(
    AssistanceProgram Program,
    string Name,
    string CatalogCode,
    decimal MonthlyStandardYuan,
    string StandardSource,
    IReadOnlyList<EligibilityCriterion> Criteria,
    bool NeedsEconomicVerification = true,
    AllowanceRule Allowance = AllowanceRule.None,
    decimal AllowanceFactor = 1m,
    string? AllowanceSource = null);

/// <summary>How a program's cash allowance is computed (see <see cref="Allowances"/>).</summary>
public enum AllowanceRule
{
    /// <summary>No cash payment (a recognition, e.g. 低收入家庭认定).</summary>
    None,
    /// <summary>(standard − monthly income per capita) × members.</summary>
    GapToStandard,
    /// <summary>standard × factor × members, every month.</summary>
    StandardMultiplePerMember,
    /// <summary>standard × factor (months) × members, once.</summary>
    OneOffStandardMonths,
}

/// <summary>
/// The programs with Guangzhou's figures as defaults. The standard is configuration: the
/// bureau updates it when the city announces a new one (the source says which announcement).
/// </summary>
public static class ProgramCatalogue
{
    /// <summary>Guangzhou minimum living standard, yuan per person per month (configurable).</summary>
    public const decimal GuangzhouMinimumLivingStandard = 1368m;
    const string StandardSource = "广州市最低生活保障标准（每人每月 1368 元，市民政局会同市财政局公布；以最新公布为准，可配置）";

    public static IReadOnlyList<ProgramDefinition> Defaults(decimal standard = GuangzhouMinimumLivingStandard) =>
    [
        new(AssistanceProgram.MinimumLivingAllowance, "最低生活保障", "GZ-SA-001", standard, StandardSource,
        [
            new(ReportField.MonthlyIncomePerCapita, CriterionOperator.LessThan, null, 1m, "家庭月人均收入低于低保标准"),
            new(ReportField.FinancialAssetsPerCapita, CriterionOperator.AtMost, null, 24m, "家庭人均金融资产不超过 24 个月低保标准"),
            new(ReportField.RealEstate, CriterionOperator.AtMost, 1m, null, "家庭自有住房不超过 1 套"),
            new(ReportField.Vehicles, CriterionOperator.AtMost, 0m, null, "家庭成员名下无机动车辆（残疾人功能性补偿代步车除外）"),
            new(ReportField.Businesses, CriterionOperator.AtMost, 0m, null, "家庭成员未经营企业或个体工商户"),
        ], Allowance: AllowanceRule.GapToStandard, AllowanceSource: "按家庭月人均收入与低保标准的差额发放（补差），《社会救助暂行办法》第十三条"),
        new(AssistanceProgram.LowIncomeFamily, "低收入家庭认定", "GZ-SA-002", standard, StandardSource,
        [
            new(ReportField.MonthlyIncomePerCapita, CriterionOperator.AtMost, null, 1.5m, "家庭月人均收入不超过低保标准的 1.5 倍"),
            new(ReportField.FinancialAssetsPerCapita, CriterionOperator.AtMost, null, 36m, "家庭人均金融资产不超过 36 个月低保标准"),
            new(ReportField.RealEstate, CriterionOperator.AtMost, 1m, null, "家庭自有住房不超过 1 套"),
            new(ReportField.Vehicles, CriterionOperator.AtMost, 0m, null, "家庭成员名下无机动车辆"),
        ]),
        new(AssistanceProgram.ExtremePoverty, "特困人员救助供养", "GZ-SA-003", standard, StandardSource,
        [
            new(ReportField.MonthlyIncomePerCapita, CriterionOperator.LessThan, null, 1m, "本人月收入低于低保标准"),
            new(ReportField.FinancialAssetsPerCapita, CriterionOperator.AtMost, null, 24m, "本人金融资产不超过 24 个月低保标准"),
        ], Allowance: AllowanceRule.StandardMultiplePerMember, AllowanceFactor: 1.3m,
            AllowanceSource: "基本生活标准不低于当地低保标准的 1.3 倍（《国务院关于进一步健全特困人员救助供养制度的意见》国发〔2016〕14号），可配置"),
        new(AssistanceProgram.TemporaryAssistance, "临时救助", "GZ-SA-004", standard, StandardSource,
        [
            new(ReportField.MonthlyIncomePerCapita, CriterionOperator.AtMost, null, 2m, "家庭月人均收入不超过低保标准的 2 倍"),
        ], Allowance: AllowanceRule.OneOffStandardMonths, AllowanceFactor: 3m, AllowanceSource: "一次性发放，默认 3 个月低保标准 × 家庭人数，可配置"),
        new(AssistanceProgram.OrphanAllowance, "孤儿基本生活保障", "GZ-SA-005", standard, StandardSource, [], NeedsEconomicVerification: false,
            Allowance: AllowanceRule.StandardMultiplePerMember, AllowanceFactor: 2m,
            AllowanceSource: "默认按低保标准 2 倍估算；应配置为广州市公布的孤儿基本生活最低养育标准"),
    ];
}
