using EcommerceEda.Messaging;
using EcommerceEda.Messaging.Outbox;
using EcommerceEda.Support.Contracts;
using Mediator;

namespace EcommerceEda.Support.Features.Returns;

/// <summary>The returned goods arrived: <see cref="ReturnReceived"/> tells Warehouse to restock and Orders to refund.</summary>
public sealed record ReceiveReturn(Guid ReturnId) : ICommand<bool>;

public sealed class ReceiveReturnHandler(TransactionalOutbox outbox, EventSource events) : ICommandHandler<ReceiveReturn, bool>
{
    private const string ReceiveSql = """
        UPDATE returns SET status = 'Received', received_at = @At
        WHERE return_id = @ReturnId AND status = 'Requested'
        RETURNING order_id
        """;

    private const string ExistsSql = "SELECT EXISTS (SELECT 1 FROM returns WHERE return_id = @ReturnId)";

    /// <returns>False when there is no such return; receiving it twice answers true both times.</returns>
    public async ValueTask<bool> Handle(ReceiveReturn command, CancellationToken cancellationToken)
    {
        var metadata = events.Metadata($"support/returns/{command.ReturnId}/received");
        await using var tx = await outbox.BeginTransactionAsync(cancellationToken);
        var orderId = await tx.ExecuteScalarAsync<Guid?>(ReceiveSql, new { command.ReturnId, At = metadata.OccurredAt }, cancellationToken);
        if (orderId is not { } order)
        {
            return await tx.ExecuteScalarAsync<bool>(ExistsSql, command, cancellationToken);
        }

        await tx.PublishAsync(new ReturnReceived(metadata, command.ReturnId, order), cancellationToken);
        await tx.CommitAsync(cancellationToken);
        return true;
    }
}
