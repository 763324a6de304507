using System.Security.Cryptography;
using System.Text.Json;
using System.Text.Json.Serialization;
using EcommerceEda.Messaging.Outbox;

namespace EcommerceEda.Messaging.Idempotency;

/// <summary>What became of an <see cref="IdempotencyKey"/> claimed for a request.</summary>
public enum IdempotencyClaim
{
    /// <summary>First use of the key: do the work; the answer given is stored with the key.</summary>
    New,

    /// <summary>The key was used before with the same request: answer what was answered then.</summary>
    Replay,

    /// <summary>The key was used before with a different request: 422.</summary>
    Mismatch,
}

/// <summary>
/// Stores each creating request's key with a hash of the request and the answer, in the transaction
/// that does the work. The insert is the check (<c>ON CONFLICT DO NOTHING</c>): a concurrent request with
/// the same key waits on the primary key until the first commits, then sees its answer. The table is part of
/// every service's schema (the messaging migrations); keys are kept per operation.
/// </summary>
public static class IdempotencyKeys
{
    private const string ClaimSql = """
        INSERT INTO idempotency_keys (operation, key, request_hash, response)
        VALUES (@Operation, @Key, @RequestHash, @Response::jsonb)
        ON CONFLICT DO NOTHING
        """;

    private const string FindSql = """
        SELECT request_hash AS RequestHash, response::text AS Response
        FROM idempotency_keys
        WHERE operation = @Operation AND key = @Key
        """;

    /// <summary>
    /// Claims <paramref name="key"/> for <paramref name="request"/>, to be answered with <paramref name="response"/>.
    /// On <see cref="IdempotencyClaim.Replay"/> the response returned is the one stored by the first request.
    /// </summary>
    public static async Task<(IdempotencyClaim Claim, TResponse Response)> ClaimAsync<TRequest, TResponse>(
        this OutboxTransaction tx,
        string operation,
        IdempotencyKey key,
        TRequest request,
        TResponse response,
        CancellationToken cancellationToken)
    {
        var requestHash = SHA256.HashData(JsonSerializer.SerializeToUtf8Bytes(request, HashOptions));
        var claim = new
        {
            Operation = operation,
            Key = key.Value,
            RequestHash = requestHash,
            Response = JsonSerializer.Serialize(response),
        };
        var inserted = await tx.ExecuteAsync(ClaimSql, claim, cancellationToken);
        if (inserted == 1)
        {
            return (IdempotencyClaim.New, response);
        }

        var earlier = await tx.QuerySingleAsync<StoredClaim>(FindSql, claim, cancellationToken);
        return earlier.RequestHash.AsSpan().SequenceEqual(requestHash)
            ? (IdempotencyClaim.Replay, JsonSerializer.Deserialize<TResponse>(earlier.Response)!)
            : (IdempotencyClaim.Mismatch, response);
    }

    private sealed record StoredClaim(byte[] RequestHash, string Response);

    // 9.95 and 9.950 are the same price: the hash must not tell them apart.
    private static readonly JsonSerializerOptions HashOptions = new() { Converters = { new NormalizedDecimal() } };

    private sealed class NormalizedDecimal : JsonConverter<decimal>
    {
        public override decimal Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) =>
            reader.GetDecimal();

        // Dividing by 1.000... drops trailing zeros (decimal keeps the scale of its operands otherwise).
        public override void Write(Utf8JsonWriter writer, decimal value, JsonSerializerOptions options) =>
            writer.WriteNumberValue(value / 1.0000000000000000000000000000m);
    }
}
