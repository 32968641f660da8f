using Microsoft.AspNetCore.Mvc;

namespace Traceability.Requests;

/// <summary>
/// Why a request is refused, as a pure decision states it: the HTTP status, and for bad input the
/// fields and the rule each one broke. Becomes an RFC 7807 problem response.
/// </summary>
public sealed record Refusal(
    int Status, string Title, string Detail, IReadOnlyDictionary<string, string[]>? Errors = null, IReadOnlyDictionary<string, object>? Extensions = null)
{
    public static Refusal Invalid(string field, string rule) =>
        new(StatusCodes.Status400BadRequest, "The request is invalid.", $"{field}: {rule}",
            new Dictionary<string, string[]> { [field] = [rule] });

    public static Refusal NotFound(string detail) => new(StatusCodes.Status404NotFound, "Not found.", detail);

    public static Refusal Forbidden(string detail, string? field = null, string? rule = null) =>
        new(StatusCodes.Status403Forbidden, "Forbidden.", detail,
            field is null ? null : new Dictionary<string, string[]> { [field] = [rule ?? detail] });

    public static Refusal Conflict(string detail, string? field = null) =>
        new(StatusCodes.Status409Conflict, "Conflict with the current state.", detail,
            field is null ? null : new Dictionary<string, string[]> { [field] = [detail] });

    public ProblemDetails ToProblemDetails()
    {
        var problem = new ProblemDetails { Status = Status, Title = Title, Detail = Detail };
        if (Errors is not null) problem.Extensions["errors"] = Errors;
        foreach (var (name, value) in Extensions ?? new Dictionary<string, object>()) problem.Extensions[name] = value;
        return problem;
    }

    public IResult ToResult() => Results.Problem(ToProblemDetails());
}

/// <summary>Collects every broken field rule of one request, so the caller sees them all at once.</summary>
public sealed class FieldErrors
{
    readonly Dictionary<string, List<string>> _errors = new(StringComparer.Ordinal);

    public FieldErrors Add(string field, string rule)
    {
        if (!_errors.TryGetValue(field, out var rules)) _errors[field] = rules = [];
        rules.Add(rule);
        return this;
    }

    public FieldErrors Require(object? value, string field)
    {
        if (value is null || value is string s && string.IsNullOrWhiteSpace(s)) Add(field, "is required");
        return this;
    }

    public bool Any => _errors.Count > 0;

    public Refusal ToRefusal() => new(
        StatusCodes.Status400BadRequest,
        "The request is invalid.",
        string.Join("; ", _errors.Select(e => $"{e.Key}: {string.Join(", ", e.Value)}")),
        _errors.ToDictionary(e => e.Key, e => e.Value.ToArray()));
}
