using System.Collections.Concurrent;
using System.Diagnostics;
using Microsoft.Extensions.Logging;

namespace EcommerceEda.Messaging.Faults;

/// <summary>Settings of fault injection (configuration section <c>Messaging:Faults</c>).</summary>
public sealed class FaultInjectionOptions
{
    /// <summary>
    /// Whether <c>/ops/faults</c> is mapped, so that an operator may crash the service or disturb its publishes.
    /// Off by default; the fault suite's AppHost turns it on (<c>--Faults:Enabled=true</c>).
    /// </summary>
    public bool Enabled { get; set; }
}

/// <summary>
/// Faults the fault suite injects into a running service at the moments no outside kill can hit on purpose:
/// a crash at a named <see cref="CrashPoint"/> (the process kills itself with SIGKILL, as <c>kill -9</c> would), and
/// publishes the outbox repeats or holds back so that consumers see duplicated and reordered deliveries. Nothing
/// is armed until <c>/ops/faults</c> arms it; unarmed, each check is a lookup in an empty dictionary.
/// </summary>
public sealed partial class FaultInjection(ILogger<FaultInjection> logger)
{
    private readonly ConcurrentDictionary<CrashPoint, bool> _armed = new();

    /// <summary>The share of published messages the outbox publishes again about a second later.</summary>
    public double DuplicateRate { get; private set; }

    /// <summary>The share of due messages the outbox holds back about a second, behind later ones.</summary>
    public double DelayRate { get; private set; }

    /// <summary>Arms <paramref name="point"/>: the next time the service reaches it, the process dies.</summary>
    public void Arm(CrashPoint point)
    {
        _armed[point] = true;
        LogArmed(point);
    }

    /// <summary>Whether <paramref name="point"/> is armed: the process dies the next time it reaches it.</summary>
    public bool IsArmed(CrashPoint point) => _armed.ContainsKey(point);

    /// <summary>Dies here, at once and without any cleanup, when <paramref name="point"/> is armed.</summary>
    public void CrashIfArmed(CrashPoint point)
    {
        if (_armed.TryRemove(point, out _))
        {
            LogCrashing(point);
            using var self = Process.GetCurrentProcess();
            self.Kill();
        }
    }

    /// <summary>Sets the shares of publishes repeated and held back; zero stops either.</summary>
    public void DisturbDeliveries(double duplicateRate, double delayRate)
    {
        DuplicateRate = duplicateRate;
        DelayRate = delayRate;
        LogDisturbing(duplicateRate, delayRate);
    }

    /// <summary>Whether to publish this message again later: true for about <see cref="DuplicateRate"/> of them.</summary>
    public bool Duplicates() => DuplicateRate > 0 && Random.Shared.NextDouble() < DuplicateRate;

    /// <summary>Whether to hold this message back: true for about <see cref="DelayRate"/> of them.</summary>
    public bool Delays() => DelayRate > 0 && Random.Shared.NextDouble() < DelayRate;

    [LoggerMessage(LogLevel.Warning, "Fault injection: the process dies the next time it reaches {CrashPoint}")]
    private partial void LogArmed(CrashPoint crashPoint);

    [LoggerMessage(LogLevel.Critical, "Fault injection: killing the process at {CrashPoint}")]
    private partial void LogCrashing(CrashPoint crashPoint);

    [LoggerMessage(LogLevel.Warning, "Fault injection: the outbox repeats {DuplicateRate:P0} of its publishes and holds back {DelayRate:P0}")]
    private partial void LogDisturbing(double duplicateRate, double delayRate);
}

/// <summary>The moments where a crash is the hardest to survive, and so where fault injection can crash a service.</summary>
public enum CrashPoint
{
    /// <summary>The outbox (its dispatcher or its relay) has the broker's confirms for messages and has not yet marked them sent: they are published again.</summary>
    RelayAfterConfirm,

    /// <summary>A consumer's transaction (its work, its inbox row, its outbox rows) committed and the broker has no ack: the message is delivered again.</summary>
    ConsumerAfterCommit,
}
