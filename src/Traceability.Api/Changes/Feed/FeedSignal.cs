namespace Traceability.Changes.Feed;

/// <summary>
/// Wakes the long-polls of this node when the high-water mark moves: one query every <see cref="Poll"/> for the whole
/// node, however many parties wait, rather than one per waiting request.
/// </summary>
public sealed class FeedSignal(ChangeFeed feed, ILogger<FeedSignal> log) : BackgroundService
{
    public static readonly TimeSpan Poll = TimeSpan.FromMilliseconds(100);

    TaskCompletionSource _moved = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>Completes when the mark next moves.</summary>
    public Task Moved => Volatile.Read(ref _moved).Task;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        long last = -1;
        using var timer = new PeriodicTimer(Poll);
        while (await timer.WaitForNextTickAsync(stoppingToken))
        {
            try
            {
                var high = await feed.HighWaterAsync(stoppingToken);
                if (high == last) continue;
                last = high;
                Interlocked.Exchange(ref _moved, new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously)).TrySetResult();
            }
            catch (Npgsql.NpgsqlException e)
            {
                // The long-polls then wait out their time and read again: nothing is lost, only later.
                log.LogWarning("The feed's high-water mark could not be read: {Reason}", e.Message);
            }
        }
    }
}
