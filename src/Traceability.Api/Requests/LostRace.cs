using JasperFx.Events;
using JasperFx;
using Npgsql;

namespace Traceability.Requests;

/// <summary>
/// A write that lost a race at commit: another committed first to the same stream, document or key. The
/// exception handler answers it 409; a write with an Idempotency-Key asks again, to replay the winner.
/// </summary>
public static class LostRace
{
    /// <summary>The exception (or one inside it) that says so, with the constraint where PostgreSQL named one.</summary>
    public static (bool Lost, string? Constraint) Of(Exception exception)
    {
        if (exception is AggregateException many)
            return many.InnerExceptions.Select(Of).FirstOrDefault(r => r.Lost);
        for (var e = exception; e is not null; e = e.InnerException)
            switch (e)
            {
                case ConcurrencyException or EventStreamUnexpectedMaxEventIdException or ExistingStreamIdCollisionException
                    or DocumentAlreadyExistsException or StreamLockedException
                    or Marten.Exceptions.ExistingStreamIdCollisionException or Marten.Exceptions.StreamLockedException:
                    return (true, null);
                case PostgresException { SqlState: PostgresErrorCodes.UniqueViolation } pg:
                    return (true, pg.ConstraintName);
            }
        return (false, null);
    }
}
