using CivilAffairs.Application.Disaster.Teams;
using CivilAffairs.Application.Platform.Security;
using CivilAffairs.Domain.Platform;
using CivilAffairs.Functions.Platform;
using CivilAffairs.Functions.Platform.Http;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Azure.Functions.Worker;

namespace CivilAffairs.Functions.Disaster;

/// <summary>Relief field teams (救灾队伍): registration and changes by street, district and city staff; the lists.</summary>
public sealed class TeamFunctions(TeamService teams, HttpEndpoint http)
{
    [Function("CreateReliefTeam")]
    [RequirePermission(Permission.ManageSupplies)]
    [ApiOperation("disaster", "组建救灾队伍", Request = typeof(TeamRequest),
        Description = "编号、名称、负责的行政区划（须在本人管辖范围内）、驻地位置（派单时选离需求最近的可用队伍）、队员账号、同时承担的任务数（默认 3）。")]
    [ApiResponse(201, "已登记", Body = typeof(TeamView))]
    [ApiResponse(400, "请求内容有误")]
    [ApiResponse(403, "区划不在管辖范围内")]
    [ApiResponse(409, "编号已存在")]
    public Task<IActionResult> Create(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "disaster/teams")] HttpRequest req,
        FunctionContext context) =>
        http.RunAsync<TeamRequest, TeamView>(req, context, 16 * 1024, teams.CreateAsync);

    [Function("ListReliefTeams")]
    [RequirePermission(Permission.ViewSupplies)]
    [ApiOperation("disaster", "救灾队伍列表", Description = "本人管辖范围内（含下级）及上级区划的队伍，含当前未完成的任务数。")]
    [ApiResponse(200, "队伍", Body = typeof(TeamList))]
    public Task<IActionResult> List(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "disaster/teams")] HttpRequest req,
        FunctionContext context) =>
        http.RunAsync(req, context, teams.ListAsync);

    [Function("GetReliefTeam")]
    [RequirePermission(Permission.ViewSupplies)]
    [ApiOperation("disaster", "查看救灾队伍")]
    [ApiResponse(200, "队伍", Body = typeof(TeamView))]
    [ApiResponse(404, "不存在或无权查看")]
    public Task<IActionResult> Get(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "disaster/teams/{id}")] HttpRequest req,
        string id,
        FunctionContext context) =>
        http.RunAsync(req, context, call => teams.GetAsync(call, id));

    [Function("UpdateReliefTeam")]
    [RequirePermission(Permission.ManageSupplies)]
    [ApiOperation("disaster", "调整救灾队伍", Request = typeof(TeamUpdateRequest),
        Description = "名称、驻地、队员、任务数；active=false 时队伍停止接受新任务（已派的任务不变）。")]
    [ApiResponse(200, "已调整", Body = typeof(TeamView))]
    [ApiResponse(400, "请求内容有误")]
    [ApiResponse(403, "不在管辖范围内")]
    [ApiResponse(404, "不存在或无权查看")]
    public Task<IActionResult> Update(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "disaster/teams/{id}/update")] HttpRequest req,
        string id,
        FunctionContext context) =>
        http.RunAsync<TeamUpdateRequest, TeamView>(req, context, 16 * 1024, (call, body) => teams.UpdateAsync(call, id, body));
}
