using Traceability;
using JasperFx;
using JasperFx.Events;
using Marten;
using Npgsql;
using NodaTime;
using Traceability.Access;
using Traceability.Batches;
using Traceability.Batches.Ingesting;
using Traceability.Changes;
using Traceability.Compliance;
using Traceability.Compliance.Rules;
using Traceability.Settings;
using Traceability.Enterprises;
using Traceability.Epcis;
using Traceability.Integrity;
using Traceability.Hosting;
using Traceability.Licensing;
using Traceability.Provenance;
using Traceability.ReferenceData;
using Traceability.Statistics;
using JasperFx.Events.Daemon;
using Weasel.Core;
using Wolverine;
using Wolverine.Marten;

var builder = WebApplication.CreateBuilder(args);
if (builder.Configuration["urls"] is null) builder.WebHost.UseUrls("http://127.0.0.1:5080");

Database database;
try
{
    database = Database.Resolve(builder.Configuration);
}
catch (EmbeddedPostgresUnavailableException e)
{
    await Console.Error.WriteLineAsync(e.Message);
    return 1;
}

if (database.Embedded is { } supervised)
{
    builder.Services.AddSingleton(supervised);
    builder.Services.AddHostedService<EmbeddedSupervisor>();
}
builder.Services.Configure<TraceabilityOptions>(builder.Configuration.GetSection("Traceability"));
builder.Services.Configure<ComplianceOptions>(builder.Configuration.GetSection("Traceability:Compliance"));
builder.Services.AddSingleton<Rulebook>();
builder.Services.AddSingleton<IClock>(SystemClock.Instance);
builder.Services.AddSingleton(Cities.Load(SeedFile.DefaultFolder));
builder.Services.AddSingleton(Categories.Load(SeedFile.DefaultFolder));
builder.Services.AddSingleton(WorkingDays.Load(SeedFile.DefaultFolder));
builder.Services.AddSingleton(IndicatorCatalog.Load(SeedFile.DefaultFolder));
builder.Services.AddSingleton<Figures>();
builder.Services.ConfigureHttpJsonOptions(o => RequestJson.Apply(o.SerializerOptions));
builder.Services.AddProblemDetails();
builder.Services.AddExceptionHandler<ProblemResponses>();
// Unreadable bodies reach ProblemResponses, which names the field, instead of a bare 400.
builder.Services.Configure<RouteHandlerOptions>(o => o.ThrowOnBadRequest = true);
builder.Services.AddAccess(database.AdminKey);
builder.Services.AddTraceabilityOpenApi();
builder.Services.AddBatches();
builder.Services.AddIntegrity(builder.Configuration);
builder.Services.AddHealth();
builder.Services.AddChanges(builder.Configuration);
builder.Services.AddTelemetry(builder.Configuration);

builder.Services.AddSingleton(Connections.DataSource(database.ConnectionString));
builder.Services.AddMarten(StoreSetup.Configure)
    .UseNpgsqlDataSource()
    // One node embedded; with a shared database, nodes elect one to run the projections.
    .AddAsyncDaemon(database.Embedded is not null || builder.Configuration["Traceability:DaemonMode"] == "Solo" ? DaemonMode.Solo : DaemonMode.HotCold)
    .UseLightweightSessions()
    // Every committed event with a handler (the compliance rules and deadlines) goes to Wolverine through the
    // outbox of the transaction that appended it.
    .IntegrateWithWolverine(w => w.UseFastEventForwarding = true)
    .ApplyAllDatabaseChangesOnStartup();
// After the schema is up to date: a store whose statistics sums predate their layout is summed again from its facts.
builder.Services.AddHostedService<StatisticsLayoutUpgrade>();

builder.Host.UseWolverine(o =>
{
    o.UseRuntimeCompilation();
    // The deadlines and the rules both react to a receipt, independently: each in its own chain (Wolverine 7's default).
    o.MultipleHandlerBehavior = MultipleHandlerBehavior.Separated;
    // Every handler that touches the Marten session commits in one transaction, outbox included.
    o.Policies.AutoApplyTransactions();
    // Compliance deadlines (72 hours in transit, storage limits) are scheduled local messages: durable, so
    // they survive a restart, committed with the events that set them.
    o.Policies.UseDurableLocalQueues();
    o.Durability.AlwaysMakeScheduledMessagesDurable = true;
    Traceability.Changes.Webhooks.WebhookModule.RetryDeliveries(o);
    o.Durability.Mode = database.Embedded is not null ? DurabilityMode.Solo : DurabilityMode.Balanced;
});

var app = builder.Build();
app.UseExceptionHandler();
app.UseStatusCodePages();
app.UseRequestBounds();
// The UI is static pages for anyone; the document it reads is mapped anonymous below. Ahead of
// authorization, whose fallback policy closes whatever says nothing of who may call it.
app.UseSwaggerUI();
app.UseRouting();
// Ahead of authentication, so refused requests are logged too (when switched on).
app.UseRequestLog();
app.UseHonestRejections();
app.UseAuthentication();
app.UseAuthorization();
app.MapSwagger().AllowAnonymous();
app.MapHealth();
app.MapTelemetry();
app.MapAccess();
app.MapEnterprises();
app.MapLicensing();
app.MapBatches();
app.MapIngestCommands();
app.MapProvenance();
app.MapCustody();
app.MapSearchBatches();
app.MapCompliance();
app.MapStatistics();
app.MapEpcis();
app.MapIntegrity();
app.MapChanges();

// One line says what a newcomer needs; the libraries' start-up chatter stays below Warning (appsettings.json).
app.Lifetime.ApplicationStarted.Register(() =>
    Console.WriteLine($"Traceability listening on {string.Join(", ", app.Urls)}; database: {database.Where}; administrator key: {database.AdminKeyWhere}."));
if (database.Embedded is { } embedded)
    app.Lifetime.ApplicationStopped.Register(embedded.Stop);
try
{
    if (Traceability.Statistics.Rebuilding.RebuildCommand.Matches(args))
    {
        using var interrupted = new CancellationTokenSource();
        Console.CancelKeyPress += (_, e) => { e.Cancel = true; interrupted.Cancel(); };
        return await Traceability.Statistics.Rebuilding.RebuildCommand.RunAsync(app.Services, Console.Out, interrupted.Token);
    }
    return await app.RunJasperFxCommands(args);
}
finally
{
    database.Embedded?.Stop();
}

public partial class Program;
