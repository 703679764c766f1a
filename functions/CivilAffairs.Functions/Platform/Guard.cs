using CivilAffairs.Application.Platform.Security;
using Microsoft.AspNetCore.Http;
using Microsoft.Azure.Functions.Worker;

namespace CivilAffairs.Functions.Platform;

public static class Guard
{
    /// <summary>Runs the platform's access check for the calling function (its declaration is read from its entry point).</summary>
    public static Task<GuardResult> CheckAsync(this AccessGuard guard, HttpRequest request, FunctionContext context) =>
        guard.AuthorizeAsync(request, context.FunctionDefinition.EntryPoint, context.InvocationId);
}
