using CivilAffairs.Application.Platform.Identity;
using CivilAffairs.Application.Platform.Results;
using CivilAffairs.Domain.Platform;
using Microsoft.Extensions.Options;

namespace CivilAffairs.Application.Elderly.Institutions;

/// <summary>
/// The public register of care institutions with their star ratings (养老机构星级公示). Built only from registry facts (name,
/// district, address, beds, ownership) and the stored rating — never staff, complainants, complaint texts or inspection
/// findings. Cacheable by the public for <see cref="InstitutionOptions.PublicCacheSeconds"/>; the endpoints are rate-limited
/// per client by the access guard like every public endpoint.
/// </summary>
public sealed class PublicInstitutionService(InstitutionRepository repository, InstitutionRatingService ratings, DivisionDirectory divisions,
    IOptions<InstitutionOptions> options, TimeProvider clock)
{
    int CacheSeconds => options.Value.PublicCacheSeconds;

    /// <summary>Every institution, or one district's: rated ones first by stars, then by name.</summary>
    public async Task<Result<PublicInstitutionList>> ListAsync(CallContext call, string? district)
    {
        if (district is not null && !(Jurisdiction.IsWellFormed(district) && district.Length == 6 && Jurisdiction.LevelOf(district) == DivisionLevel.District))
            return Problem.InvalidQuery("district", "区代码须为6位数字，如 440106（天河区）。", "区代码格式不正确。");
        var ct = call.Cancellation;
        var byId = (await repository.RatingsAsync(district, ct)).ToDictionary(r => r.InstitutionId);
        var items = (await repository.ListAsync(district, ct))
            .Select(i => Entry(i, byId.GetValueOrDefault(i.Id)))
            .OrderByDescending(p => p.Stars ?? 0).ThenBy(p => p.Name, StringComparer.Ordinal).ToList();
        return Result.Ok(new PublicInstitutionList(clock.GetUtcNow(), items.Count, items)).Cached(CacheSeconds);
    }

    /// <summary>One institution with the explanation of its rating.</summary>
    public async Task<Result<PublicInstitutionDetail>> GetAsync(CallContext call, string id)
    {
        var institution = await repository.FindAsync(id, call.Cancellation);
        if (institution is null) return InstitutionService.NotFound();
        var rating = await repository.FindRatingAsync(institution.District, id, call.Cancellation);
        var explanation = rating switch
        {
            { Rated: true } r => r.Explanation,
            { } r => [$"{RatingRules.NotRated}。", .. r.Reasons.Select(x => x.Reason + "。")],
            null => [$"{RatingRules.NotRated}：尚未评定。"],
        };
        return Result.Ok(new PublicInstitutionDetail { Institution = Entry(institution, rating), Explanation = explanation, Rules = RatingRules.Rules(ratings.Weights) })
            .Cached(CacheSeconds);
    }

    PublicInstitution Entry(InstitutionRecord i, RatingRecord? rating) => new()
    {
        Id = i.Id,
        Name = i.Name,
        District = i.District,
        DistrictName = divisions.Find(i.District)?.Name ?? i.District,
        Address = i.Address,
        Ownership = i.Ownership,
        OwnershipName = i.Ownership.ChineseName(),
        Beds = i.Beds,
        Rated = rating?.Rated ?? false,
        Stars = rating is { Rated: true } ? rating.Stars : null,
        Display = RatingRules.Display(rating is { Rated: true } ? rating.Stars : null),
        RatedOn = rating?.RatedOn,
        Summary = RatingRules.PublicSummary(rating),
    };
}
