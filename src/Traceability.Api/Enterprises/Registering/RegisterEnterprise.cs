using Marten;
using NodaTime;
using Traceability.ReferenceData;
using Traceability.Requests;
using Wolverine;

namespace Traceability.Enterprises.Registering;

/// <summary>Body of POST /api/enterprises.</summary>
/// <param name="Id">Unified social credit code (GB 32100), 18 characters.</param>
/// <param name="Name">Registered name.</param>
/// <param name="City">GB/T 2260 code of the prefecture-level city it operates in.</param>
/// <param name="Roles">What it does: generator, collector, transporter, storer, sorter, dismantler, recycler, remanufacturer, disposer.</param>
public sealed record RegisterEnterpriseRequest(string? Id, string? Name, string? City, List<string>? Roles)
{
    public (RegisterEnterprise? Command, Refusal? Refusal) Validate(Cities cities)
    {
        var errors = new FieldErrors().Require(Id, "id").Require(Name, "name").Require(City, "city");
        if (!string.IsNullOrWhiteSpace(Id) && SocialCreditCode.Check(Id) is { } rule) errors.Add("id", rule);
        if (Name is { Length: > 200 }) errors.Add("name", "must be at most 200 characters");
        if (!string.IsNullOrWhiteSpace(City) && !cities.IsKnown(City)) errors.Add("city", "is not a GB/T 2260 city code in seeds/cities.json");
        if (Roles is null || Roles.Count == 0) errors.Add("roles", "must name at least one role");
        else
            foreach (var role in Roles.Where(r => !EnterpriseRoles.All.Contains(r)))
                errors.Add("roles", $"'{role}' is not one of {string.Join(", ", EnterpriseRoles.All)}");
        return errors.Any
            ? (null, errors.ToRefusal())
            : (new RegisterEnterprise(Id!, Name!.Trim(), City!, [.. Roles!.Distinct()]), null);
    }
}

public sealed record RegisterEnterprise(string Id, string Name, string City, IReadOnlyList<string> Roles) : IWriteCommand
{
    public async Task<WriteOutcome> ExecuteAsync(IDocumentSession session, Instant now, CancellationToken ct)
    {
        if (await session.LoadAsync<Enterprise>(Id, ct) is not null)
            return Refusal.Conflict($"An enterprise with unified social credit code {Id} is already registered.", "id");
        var enterprise = new Enterprise { Id = Id, Name = Name, City = City, Roles = [.. Roles], RegisteredAt = now };
        // Insert, so a concurrent registration of the same code fails on the key rather than overwriting.
        session.Insert(enterprise);
        return WriteOutcome.Created(EnterpriseView.Of(enterprise), $"/api/enterprises/{enterprise.Id}");
    }
}

public sealed record EnterpriseView(string Id, string Name, string City, IReadOnlyList<string> Roles, Instant RegisteredAt)
{
    public static EnterpriseView Of(Enterprise e) => new(e.Id, e.Name, e.City, e.Roles, e.RegisteredAt);
}

public static class RegisterEnterpriseEndpoint
{
    public static void MapRegisterEnterprise(this RouteGroupBuilder enterprises) =>
        enterprises.MapPost("/", Handle)
            .WithName("RegisterEnterprise")
            .WithSummary("Register an enterprise")
            .WithDescription("Registers an enterprise under its unified social credit code. The same code again is a 409.")
            .RequireAuthorization(Roles.Admin)
            .Produces<EnterpriseView>(StatusCodes.Status201Created)
            .ProducesValidationProblem()
            .ProducesProblem(StatusCodes.Status409Conflict);

    static Task<IResult> Handle(RegisterEnterpriseRequest request, HttpContext http, Cities cities, IMessageBus bus) =>
        CommandDispatch.SendAsync(bus, http, "register-enterprise", request, request.Validate(cities));
}
