using System.Diagnostics;
using System.Text.Json;
using Dapper;
using EcommerceEda.Messaging.Outbox;
using EcommerceEda.Messaging.Tracing;
using EcommerceEda.ServiceDefaults.Postgres;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using RabbitMQ.Client;
using RabbitMQ.Client.Events;

namespace EcommerceEda.Messaging.Streams;

/// <summary>
/// Reads the event stream for one <see cref="IEventStreamHandler"/>: each event is handled in a transaction
/// that also stores its offset, so after a restart the reader resumes right after the last event it
/// applied, and an event is never applied twice (several instances skip what another already stored).
/// <see cref="ReplayAsync"/> forgets everything and reads the stream again from its start. An event that
/// still fails after a few attempts is skipped with an error, so one bad event cannot stop a projection.
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

    private const string LastOffsetSql = "SELECT last_offset FROM stream_offsets WHERE reader = @Reader";
    private const string LockOffsetSql = "SELECT last_offset FROM stream_offsets WHERE reader = @Reader FOR UPDATE";
    private const string ForgetOffsetSql = "DELETE FROM stream_offsets WHERE reader = @Reader";
    private const string SaveOffsetSql = """
        INSERT INTO stream_offsets (reader, last_offset) VALUES (@Reader, @Offset)
        ON CONFLICT (reader) DO UPDATE SET last_offset = excluded.last_offset, updated_at = now()
        """;

    private readonly SemaphoreSlim _gate = new(1, 1); // one event or one reset at a time
    private CancellationTokenSource? _session;
    private TaskCompletionSource? _replay;

    /// <summary>The reader's name, the key of its offset.</summary>
    public string Name => name;

    /// <summary>The offset of the last event applied, or null before the first.</summary>
    public async Task<long?> LastOffsetAsync(CancellationToken cancellationToken)
    {
        await using var tx = await outbox.BeginTransactionAsync(cancellationToken);
        return await tx.Connection.ExecuteScalarAsync<long?>(new CommandDefinition(
            LastOffsetSql, new { Reader = name }, tx.Transaction, cancellationToken: cancellationToken));
    }

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
        var last = await LastOffsetAsync(cancellationToken);
        await using var connection = await stream.ConnectAsync($"stream-reader {name}", cancellationToken);
        await using var channel = await connection.CreateChannelAsync(cancellationToken: cancellationToken);
        await channel.BasicQosAsync(0, prefetchCount: 100, global: false, cancellationToken); // a stream needs a prefetch
        var closed = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        channel.ChannelShutdownAsync += (_, reason) =>
        {
            closed.TrySetException(new InvalidOperationException($"The stream channel closed: {reason.ReplyText}"));
            return Task.CompletedTask;
        };
        var consumer = new AsyncEventingBasicConsumer(channel);
        consumer.ReceivedAsync += async (_, delivery) =>
        {
            if (closed.Task.IsCompleted)
            {
                return; // an event failed: those behind it, already delivered, wait until it is applied
            }

            try
            {
                await ApplyAsync(channel, delivery, cancellationToken);
            }
            catch (Exception exception) when (exception is not OperationCanceledException)
            {
                closed.TrySetException(exception); // reconnect and resume from the stored offset
            }
        };
        await channel.BasicConsumeAsync(
            EventStreamTopology.Name,
            autoAck: false,
            consumerTag: "",
            noLocal: false,
            exclusive: false,
            arguments: new Dictionary<string, object?> { ["x-stream-offset"] = last is { } offset ? offset + 1 : "first" },
            consumer,
            cancellationToken);
        await closed.Task.WaitAsync(cancellationToken);
    }

    private async Task ApplyAsync(IChannel channel, BasicDeliverEventArgs delivery, CancellationToken cancellationToken)
    {
        await _gate.WaitAsync(cancellationToken);
        try
        {
            var streamed = Read(delivery);
            using var span = FlowTrace.StartMessageSpan(
                $"stream {name} {streamed.Name}", ActivityKind.Consumer, FlowTrace.Parent(delivery.BasicProperties.Headers), streamed.MessageId);
            for (var attempt = 1; ; attempt++)
            {
                try
                {
                    await ApplyOnceAsync(streamed, apply: true, cancellationToken);
                    break;
                }
                catch (Exception exception) when (exception is not OperationCanceledException && attempt < MaxAttempts)
                {
                    await Task.Delay(TimeSpan.FromMilliseconds(100 * attempt), clock, cancellationToken);
                }
                catch (Exception exception) when (IsPoison(exception))
                {
                    LogSkipped(exception, name, streamed.Name, streamed.Offset, MaxAttempts);
                    metrics.StreamEventSkipped(name);
                    await ApplyOnceAsync(streamed, apply: false, cancellationToken);
                    break;
                }
            }

            await channel.BasicAckAsync(delivery.DeliveryTag, multiple: false, cancellationToken);
            metrics.StreamEventRead(name, clock.GetUtcNow() - OccurredAt(streamed));
        }
        finally
        {
            _gate.Release();
        }
    }

    // The database or the network failing is no reason to skip an event: the reader reconnects and tries again.
    private static bool IsPoison(Exception exception) =>
        exception is not (OperationCanceledException or TimeoutException) && !TransientFailures.IsTransient(exception);

    /// <summary>In one transaction: the event's effects (unless it is skipped) and the reader's new offset.</summary>
    private async Task ApplyOnceAsync(StreamedEvent streamed, bool apply, CancellationToken cancellationToken)
    {
        await using var tx = await outbox.BeginTransactionAsync(cancellationToken);
        var last = await tx.Connection.ExecuteScalarAsync<long?>(new CommandDefinition(
            LockOffsetSql, new { Reader = name }, tx.Transaction, cancellationToken: cancellationToken));
        if (last is { } applied && streamed.Offset <= applied)
        {
            return; // another instance, or this one before a reconnect, got here first
        }

        if (apply)
        {
            await handler.HandleAsync(streamed, tx, cancellationToken);
        }

        await tx.Connection.ExecuteAsync(new CommandDefinition(
            SaveOffsetSql, new { Reader = name, streamed.Offset }, tx.Transaction, cancellationToken: cancellationToken));
        await tx.CommitAsync(cancellationToken);
    }

    private async Task ResetAsync(CancellationToken cancellationToken)
    {
        await _gate.WaitAsync(cancellationToken);
        try
        {
            await using var tx = await outbox.BeginTransactionAsync(cancellationToken);
            await handler.ResetAsync(tx, cancellationToken);
            await tx.Connection.ExecuteAsync(new CommandDefinition(
                ForgetOffsetSql, new { Reader = name }, tx.Transaction, cancellationToken: cancellationToken));
            await tx.CommitAsync(cancellationToken);
            LogReplaying(name);
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

    [LoggerMessage(LogLevel.Information, "Stream reader {Reader} forgot its projection and replays the stream from the start")]
    private partial void LogReplaying(string reader);
}
