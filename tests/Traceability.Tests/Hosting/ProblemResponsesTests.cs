using System.Net.Sockets;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging.Abstractions;
using Npgsql;
using Traceability.Hosting;

namespace Traceability.Tests.Hosting;

/// <summary>How the one exception handler answers failures the HTTP tests cannot provoke on a shared database.</summary>
public sealed class ProblemResponsesTests(ApiFixture api) : ApiTest(api)
{
    public static TheoryData<Exception> DatabaseAway => new()
    {
        new NpgsqlException("Failed to connect to 127.0.0.1:54329", new SocketException((int)SocketError.ConnectionRefused)),
        new AggregateException(new NpgsqlException("Exception while reading from stream", new IOException("reset"))),
        new InvalidOperationException("wrapped", new SocketException((int)SocketError.TimedOut)),
    };

    [Theory]
    [MemberData(nameof(DatabaseAway))]
    public async Task a_database_out_of_reach_is_a_503_with_retry_after_not_a_500(Exception failure)
    {
        var handler = new ProblemResponses(Api.Services.GetRequiredService<IProblemDetailsService>(), NullLogger<ProblemResponses>.Instance);
        var http = new DefaultHttpContext { RequestServices = Api.Services };
        http.Response.Body = new MemoryStream();

        Assert.True(await handler.TryHandleAsync(http, failure, default));

        Assert.Equal(StatusCodes.Status503ServiceUnavailable, http.Response.StatusCode);
        Assert.Equal(ProblemResponses.RetryAfterSeconds.ToString(System.Globalization.CultureInfo.InvariantCulture), http.Response.Headers.RetryAfter.ToString());
    }

    [Fact]
    public void a_bug_stays_a_500()
    {
        Assert.Null(ProblemResponses.Classify(new InvalidOperationException("a bug")));
    }
}
