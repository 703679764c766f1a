using CivilAffairs.Functions.Platform;
using Microsoft.Azure.Functions.Worker;
using Microsoft.Azure.Functions.Worker.Builder;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

// Azure Functions (isolated worker, ASP.NET Core integration). The one-machine runtime under
// tools/ does not run this file: it calls the same AddCivilAffairsFunctionApp registration itself.
var builder = FunctionsApplication.CreateBuilder(args);
builder.ConfigureFunctionsWebApplication();
// Worker logs flow to the Functions host, which sends them to Application Insights
// (APPLICATIONINSIGHTS_CONNECTION_STRING, identity-based ingestion).
builder.Services.AddCivilAffairsFunctionApp(builder.Configuration);
builder.Build().Run();
