using CivilAffairs.Application.Elderly.Institutions;
using CivilAffairs.Application.Platform.Security;
using CivilAffairs.Functions.Platform;
using CivilAffairs.Functions.Platform.Http;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Azure.Functions.Worker;

namespace CivilAffairs.Functions.Elderly.Institutions;

/// <summary>The public register of care institutions and their stars (养老机构星级公示): no token, rate-limited per client, no personal data.</summary>
public sealed class PublicInstitutionFunctions(PublicInstitutionService institutions, HttpEndpoint http)
{
    [Function("PublicInstitutions")]
    [PublicEndpoint("公开的养老机构名录与星级，仅含机构名称、所在区、地址、床位数、性质和星级，不含个人信息")]
    [ApiOperation("public", "养老机构名录与星级",
        Description = "全部或某区的养老机构：名称、所在区、地址、床位数、公办/民办、星级（或“暂无评级”）及一句话说明。有星级的在前，星级高的在前。")]
    [ApiQuery("district", "只列该区（6位区代码，如 440106）的机构")]
    [ApiResponse(200, "机构名录", Body = typeof(PublicInstitutionList))]
    [ApiResponse(400, "查询参数有误")]
    [ApiResponse(429, "请求过于频繁")]
    public Task<IActionResult> List(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "public/elderly/institutions")] HttpRequest req,
        FunctionContext context) =>
        http.RunAsync(req, context, call => institutions.ListAsync(call, Query.Text(req, "district")));

    [Function("PublicInstitution")]
    [PublicEndpoint("公开的养老机构星级及评定说明，不含个人信息")]
    [ApiOperation("public", "养老机构星级详情", Description = "机构的公开信息、星级评定说明（各项星级、权重、封顶规则）和评定办法。")]
    [ApiResponse(200, "机构星级", Body = typeof(PublicInstitutionDetail))]
    [ApiResponse(404, "机构不存在")]
    [ApiResponse(429, "请求过于频繁")]
    public Task<IActionResult> Get(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "public/elderly/institutions/{id}")] HttpRequest req,
        string id,
        FunctionContext context) =>
        http.RunAsync(req, context, call => institutions.GetAsync(call, id));
}
