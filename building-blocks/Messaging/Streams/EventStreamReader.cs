using System.Diagnostics;
using System.Text.Json;
using System.Threading.Channels;
using EcommerceEda.Messaging.Outbox;
using EcommerceEda.Messaging.Tracing;
using EcommerceEda.ServiceDefaults.Postgres;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using RabbitMQ.Client;
using RabbitMQ.Client.Events;

namespace EcommerceEda.Messaging.Streams;

/// <summary>
/// Reads the event stream for one <see cref="IEventStreamHandler"/>: events are handled in a transaction that also
/// stores the offset of the last, so after a restart the reader resumes right after the last event it applied, and an
/// event is never applied twice (several instances skip what another already stored). It resumes by reading the last
/// event applied again: when another event is in its place, the stream started over (the broker lost its data, or the
/// stream was deleted), and the reader reads the new stream from its start instead of taking its first events for ones
/// it applied (a handler sees again only what it saw before the stream started over, if a new event is applied first).
/// The events delivered within a moment of each other go together in one transaction, up to <see cref="MaxBatch"/>:
/// under load the reader commits once for many. <see cref="ReplayAsync"/> forgets everything and reads the stream again
/// from its start. An event that still fails after a few attempts is skipped with an error, so one bad event cannot
/// stop a projection.
/// </summary>
public sealed partial class EventStreamReader(
    string name,
    IEventStreamHandler handler,
    EventStreamTopology stream,
    TransactionalOutbox outbox,
    MessagingMetrics metrics,
    TimeProvider clock,
    ILogger<EventStreamReader> logger) : BackgroundService
{
    private const int MaxAttempts = 5;

    /// <summary>The most events applied in one transaction.</summary>
    public const int MaxBatch = 100;

    // How long the first event of a batch waits for others to be applied in the same transaction, unless a full batch is
    // waiting already (catching up, replaying): under load one transaction applies a dozen events instead of each taking
    // its own. A projection lags by that much more at most.
    private static readonly TimeSpan GatherEvents = TimeSpan.FromMilliseconds(50);

    private const string PositionSql =
        "SELECT last_offset AS LastOffset, last_message_id AS LastMessageId FROM stream_offsets WHERE reader = @Reader";
    private const string LockOffsetSql = "SELECT last_offset FROM stream_offsets WHERE reader = @Reader FOR UPDATE";
    private const string ForgetOffsetSql = "DELETE FROM stream_offsets WHERE reader = @Reader";
    private const string ForgetPositionSql = """
        DELETE FROM stream_offsets WHERE reader = @Reader AND last_offset = @Offset AND last_message_id IS NOT DISTINCT FROM @MessageId
        """;
    private const string SaveOffsetSql = """
        INSERT INTO stream_offsets (reader, last_offset, last_message_id) VALUES (@Reader, @Offset, @MessageId)
        ON CONFLICT (reader) DO UPDATE SET last_offset = excluded.last_offset, last_message_id = excluded.last_message_id, updated_at = now()
        """;

    private readonly SemaphoreSlim _gate = new(1, 1); // one batch, one reset or one position forgotten at a time
    private CancellationTokenSource? _session;
    private TaskCompletionSource? _replay;

    /// <summary>The reader's name, the key of its offset.</summary>
    public string Name => name;

    /// <summary>The offset of the last event applied, or null before the first.</summary>
    public async Task<long?> LastOffsetAsync(CancellationToken cancellationToken) => (await PositionAsync(cancellationToken))?.LastOffset;

    /// <summary>Forgets what was built from the stream and reads it again from the start; returns once it was forgotten.</summary>
    public Task ReplayAsync()
    {
        var replay = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        Interlocked.Exchange(ref _replay, replay)?.TrySetCanceled();
        Volatile.Read(ref _session)?.Cancel();
        return replay.Task;
    }

    /// <inheritdoc />
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var failures = 0;
        while (!stoppingToken.IsCancellationRequested)
        {
            using var session = CancellationTokenSource.CreateLinkedTokenSource(stoppingToken);
            Volatile.Write(ref _session, session);
            try
            {
                if (Interlocked.Exchange(ref _replay, null) is { } replay)
                {
                    await ResetAsync(stoppingToken);
                    replay.TrySetResult();
                }

                await ConsumeAsync(session.Token);
            }
            catch (OperationCanceledException) when (session.IsCancellationRequested)
            {
                failures = 0; // stopping, or a replay was asked for
            }
            catch (Exception exception)
            {
                var delay = TimeSpan.FromMilliseconds(Math.Min(200 * Math.Pow(2, failures++), 10_000));
                LogReconnecting(exception, name, delay.TotalMilliseconds);
                await Task.Delay(delay, clock, stoppingToken).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
            }
        }
    }

    private async Task ConsumeAsync(CancellationToken cancellationToken)
    {
        await stream.EnsureAvailableAsync(cancellationToken);
        var position = await PositionAsync(cancellationToken);
        await using var connection = await stream.ConnectAsync($"stream-reader {name}", cancellationToken);
        await using var channel = await connection.CreateChannelAsync(cancellationToken: cancellationToken);
        await channel.BasicQosAsync(0, prefetchCount: MaxBatch, global: false, cancellationToken); // a stream needs a prefetch
        var closed = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        channel.ChannelShutdownAsync += (_, reason) =>
        {
            closed.TrySetException(new InvalidOperationException($"The stream channel closed: {reason.ReplyText}"));
            return Task.CompletedTask;
        };

        // The client reuses a delivery's body once its handler returns: each event is read before it is queued.
        var delivered = new DeliveredEvents();
        var consumer = new AsyncEventingBasicConsumer(channel);
        consumer.ReceivedAsync += (_, delivery) =>
        {
            try
            {
                delivered.Add(new Delivered(delivery.DeliveryTag, Read(delivery), FlowTrace.Parent(delivery.BasicProperties.Headers)));
            }
            catch (Exception exception)
            {
                closed.TrySetException(exception); // unreadable: nothing behind it is applied either
            }

            return Task.CompletedTask;
        };
        // The broker cancels the consumer when the stream is deleted: the next session declares it again.
        consumer.UnregisteredAsync += (_, _) =>
        {
            stream.Redeclare();
            closed.TrySetException(new InvalidOperationException("The broker cancelled the stream's consumer: the stream was deleted"));
            return Task.CompletedTask;
        };
        await channel.BasicConsumeAsync(
            EventStreamTopology.Name,
            autoAck: false,
            consumerTag: "",
            noLocal: false,
            exclusive: false,
            arguments: new Dictionary<string, object?> { ["x-stream-offset"] = position is null ? "first" : position.LastOffset },
            consumer,
            cancellationToken);

        // An event that failed ends the session (the reader reconnects and resumes from the stored offset): those
        // behind it, already delivered, wait until it is applied.
        using var stopApplying = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var applying = ApplyDeliveredAsync(channel, delivered, position, stopApplying.Token);
        try
        {
            await await Task.WhenAny(closed.Task, applying);
        }
        finally
        {
            await stopApplying.CancelAsync();
            await applying.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        }
    }

    // Ends (and the next session reads the stream from its start) when the stream is not the one position was read from.
    private async Task ApplyDeliveredAsync(
        IChannel channel, DeliveredEvents delivered, StreamPosition? position, CancellationToken cancellationToken)
    {
        var batch = new List<Delivered>(MaxBatch);
        while (await delivered.NextBatchAsync(batch, clock, cancellationToken))
        {
            if (position is not null)
            {
                if (!await ResumesAtAsync(channel, batch, position, cancellationToken))
                {
                    return;
                }

                position = null;
            }

            if (batch.Count > 0)
            {
                await ApplyAsync(channel, batch, cancellationToken);
            }
        }
    }

    // The session read from the last event applied: the first delivered must be that event, which is acknowledged and
    // taken out of the batch (the broker delivers from the offset asked for, not from the start of its chunk). A later
    // one means that event left the stream (Messaging:Stream:MaxAge), and with it the events after it that the reader
    // had not read, if there were any: offsets are not all events (each segment of a stream but the first begins with an
    // entry of its own), so the gap does not count them. An earlier one, or another event at that offset, means the
    // stream started over, and the position is forgotten. (A new stream shorter than the offset is read from its end, so
    // the reader notices it with its next event, and reads the events before it then.)
    private async Task<bool> ResumesAtAsync(IChannel channel, List<Delivered> batch, StreamPosition position, CancellationToken cancellationToken)
    {
        var first = batch[0].Event;
        if (first.Offset == position.LastOffset && (position.LastMessageId ?? first.MessageId) == first.MessageId)
        {
            await channel.BasicAckAsync(batch[0].Tag, multiple: false, cancellationToken);
            batch.RemoveAt(0);
            return true;
        }

        if (first.Offset > position.LastOffset)
        {
            LogExpired(name, position.LastOffset, first.Offset);
            metrics.StreamResumeExpired(name);
            return true;
        }

        LogStartedOver(name, position.LastOffset, position.LastMessageId, first.Offset, first.MessageId);
        await InTransactionAloneAsync(
            tx => tx.ExecuteAsync(
                ForgetPositionSql, new { Reader = name, Offset = position.LastOffset, MessageId = position.LastMessageId }, cancellationToken),
            cancellationToken);
        return false;
    }

    private async Task ApplyAsync(IChannel channel, List<Delivered> batch, CancellationToken cancellationToken)
    {
        await _gate.WaitAsync(cancellationToken);
        try
        {
            if (!await TryApplyTogetherAsync(batch, cancellationToken))
            {
                foreach (var delivered in batch)
                {
                    await ApplyAloneAsync(delivered, cancellationToken);
                }
            }

            await channel.BasicAckAsync(batch[^1].Tag, multiple: true, cancellationToken);
            foreach (var delivered in batch)
            {
                metrics.StreamEventRead(name, clock.GetUtcNow() - OccurredAt(delivered.Event));
            }
        }
        finally
        {
            _gate.Release();
        }
    }

    // Several events in one transaction; false when one of them failed, and none was applied.
    private async Task<bool> TryApplyTogetherAsync(List<Delivered> batch, CancellationToken cancellationToken)
    {
        if (batch.Count == 1)
        {
            return false;
        }

        try
        {
            await ApplyOnceAsync(batch, apply: true, cancellationToken);
            return true;
        }
        catch (Exception exception) when (exception is not OperationCanceledException)
        {
            return false; // each alone now, so that only the one that fails is retried, or skipped
        }
    }

    private async Task ApplyAloneAsync(Delivered delivered, CancellationToken cancellationToken)
    {
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                await ApplyOnceAsync([delivered], apply: true, cancellationToken);
                return;
            }
            catch (Exception exception) when (exception is not OperationCanceledException && attempt < MaxAttempts)
            {
                await Task.Delay(TimeSpan.FromMilliseconds(100 * attempt), clock, cancellationToken);
            }
            catch (Exception exception) when (IsPoison(exception))
            {
                LogSkipped(exception, name, delivered.Event.Name, delivered.Event.Offset, MaxAttempts);
                metrics.StreamEventSkipped(name);
                await ApplyOnceAsync([delivered], apply: false, cancellationToken);
                return;
            }
        }
    }

    // The database or the network failing is no reason to skip an event: the reader reconnects and tries again.
    private static bool IsPoison(Exception exception) =>
        exception is not (OperationCanceledException or TimeoutException) && !TransientFailures.IsTransient(exception);

    /// <summary>In one transaction: the events' effects (unless they are skipped) and the reader's new offset.</summary>
    private async Task ApplyOnceAsync(IReadOnlyList<Delivered> events, bool apply, CancellationToken cancellationToken)
    {
        await using var tx = await outbox.BeginTransactionAsync(cancellationToken);
        var last = await tx.ExecuteScalarAsync<long?>(LockOffsetSql, new { Reader = name }, cancellationToken);
        var unapplied = events.Where(e => last is not { } applied || e.Event.Offset > applied).ToList();
        if (unapplied.Count == 0)
        {
            return; // another instance, or this one before a reconnect, got here first
        }

        if (apply)
        {
            foreach (var (_, streamed, parent) in unapplied)
            {
                using var span = FlowTrace.StartMessageSpan(
                    $"stream {name} {streamed.Name}", ActivityKind.Consumer, parent, streamed.MessageId);
                await handler.HandleAsync(streamed, tx, cancellationToken);
            }
        }

        await tx.ExecuteAsync(SaveOffsetSql, new { Reader = name, unapplied[^1].Event.Offset, unapplied[^1].Event.MessageId }, cancellationToken);
        await tx.CommitAsync(cancellationToken);
    }

    private async Task ResetAsync(CancellationToken cancellationToken)
    {
        await InTransactionAloneAsync(
            async tx =>
            {
                await handler.ResetAsync(tx, cancellationToken);
                await tx.ExecuteAsync(ForgetOffsetSql, new { Reader = name }, cancellationToken);
            },
            cancellationToken);
        LogReplaying(name);
    }

    private async Task<StreamPosition?> PositionAsync(CancellationToken cancellationToken)
    {
        await using var tx = await outbox.BeginTransactionAsync(cancellationToken);
        return await tx.QuerySingleOrDefaultAsync<StreamPosition>(PositionSql, new { Reader = name }, cancellationToken);
    }

    // Runs work in a transaction of its own, and commits it, while no batch is being applied.
    private async Task InTransactionAloneAsync(Func<OutboxTransaction, Task> work, CancellationToken cancellationToken)
    {
        await _gate.WaitAsync(cancellationToken);
        try
        {
            await using var tx = await outbox.BeginTransactionAsync(cancellationToken);
            await work(tx);
            await tx.CommitAsync(cancellationToken);
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <summary>The stream keeps MassTransit's envelope: <c>{messageId, messageType: [urn, ...], message}</c>.</summary>
    private static StreamedEvent Read(BasicDeliverEventArgs delivery)
    {
        var offset = Convert.ToInt64(delivery.BasicProperties.Headers!["x-stream-offset"], System.Globalization.CultureInfo.InvariantCulture);
        using var envelope = JsonDocument.Parse(delivery.Body);
        var root = envelope.RootElement;
        return new StreamedEvent(
            offset,
            root.GetProperty("messageId").GetGuid(),
            root.GetProperty("messageType")[0].GetString()!,
            root.GetProperty("message").Clone());
    }

    private DateTimeOffset OccurredAt(StreamedEvent streamed) =>
        streamed.Json.TryGetProperty("metadata", out var metadata) && metadata.TryGetProperty("occurredAt", out var at)
            ? at.GetDateTimeOffset()
            : clock.GetUtcNow();

    /// <summary>Where a reader stopped: the offset and id of the last event it applied (no id if stored before ids were).</summary>
    private sealed record StreamPosition(long LastOffset, Guid? LastMessageId);

    /// <summary>An event as delivered: its delivery tag, the event, and the trace it belongs to.</summary>
    private sealed record Delivered(ulong Tag, StreamedEvent Event, string? TraceParent);

    /// <summary>The events delivered and not applied yet, taken in batches.</summary>
    private sealed class DeliveredEvents
    {
        // Not SingleReader: that channel cannot count what it holds.
        private readonly Channel<Delivered> _events = Channel.CreateUnbounded<Delivered>();

        private TaskCompletionSource _full = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public void Add(Delivered delivered)
        {
            _events.Writer.TryWrite(delivered);
            if (_events.Reader.Count >= MaxBatch)
            {
                Volatile.Read(ref _full).TrySetResult();
            }
        }

        /// <summary>
        /// Waits for an event, then for <see cref="GatherEvents"/> or until a full batch is waiting, and fills
        /// <paramref name="batch"/> with up to <see cref="MaxBatch"/> events.
        /// </summary>
        public async Task<bool> NextBatchAsync(List<Delivered> batch, TimeProvider clock, CancellationToken cancellationToken)
        {
            if (!await _events.Reader.WaitToReadAsync(cancellationToken))
            {
                return false;
            }

            var full = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            Volatile.Write(ref _full, full);
            if (_events.Reader.Count < MaxBatch) // counted after the signal is in place, so a batch filled meanwhile is not missed
            {
                using var gathering = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
                await Task.WhenAny(full.Task, Task.Delay(GatherEvents, clock, gathering.Token));
                await gathering.CancelAsync(); // the delay's timer, when the batch filled first
                cancellationToken.ThrowIfCancellationRequested();
            }

            batch.Clear();
            while (batch.Count < MaxBatch && _events.Reader.TryRead(out var next))
            {
                batch.Add(next);
            }

            return true;
        }
    }

    /// <inheritdoc />
    public override void Dispose()
    {
        _gate.Dispose();
        base.Dispose();
    }

    [LoggerMessage(LogLevel.Warning, "Stream reader {Reader} lost its connection; reconnecting in {DelayMs:0} ms")]
    private partial void LogReconnecting(Exception exception, string reader, double delayMs);

    [LoggerMessage(LogLevel.Error, "Stream reader {Reader} skipped {EventName} at offset {Offset} after {Attempts} failed attempts")]
    private partial void LogSkipped(Exception exception, string reader, string eventName, long offset, int attempts);

    [LoggerMessage(
        LogLevel.Warning,
        "Stream reader {Reader} left off at offset {LastOffset}, which the stream no longer holds (Messaging:Stream:MaxAge): it "
            + "resumes at offset {Offset}, and the events in between, if any, expired unread")]
    private partial void LogExpired(string reader, long lastOffset, long offset);

    [LoggerMessage(
        LogLevel.Warning,
        "Stream reader {Reader} left off at offset {LastOffset} (event {LastMessageId}), and the stream resumed at offset {Offset} "
            + "with event {MessageId}: the stream started over, and the reader reads the new one from its start")]
    private partial void LogStartedOver(string reader, long lastOffset, Guid? lastMessageId, long offset, Guid messageId);

    [LoggerMessage(LogLevel.Information, "Stream reader {Reader} forgot its projection and replays the stream from the start")]
    private partial void LogReplaying(string reader);
}
