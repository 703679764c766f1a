using CivilAffairs.Application.Platform.Http;
using Microsoft.AspNetCore.Mvc;

namespace CivilAffairs.Functions.Assistance;

/// <summary>Problem answers shared by the assistance functions.</summary>
static class AssistanceProblems
{
    /// <summary>Missing and out-of-jurisdiction look the same, so a caller cannot probe for applications.</summary>
    public static ObjectResult ApplicationNotFound() => Problems.NotFound("APPLICATION_NOT_FOUND", "申请不存在", "没有找到该申请，或您无权查看。");
}
