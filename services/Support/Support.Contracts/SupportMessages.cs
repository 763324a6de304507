using EcommerceEda.Messaging;
using MassTransit;

namespace EcommerceEda.Support.Contracts;

/// <summary>A customer asked to return a delivered order.</summary>
[MessageUrn("support:return-requested:v1")]
public sealed record ReturnRequested(EventMetadata Metadata, Guid ReturnId, Guid OrderId, string CustomerId, string Reason) : IEvent;

/// <summary>The returned goods arrived.</summary>
[MessageUrn("support:return-received:v1")]
public sealed record ReturnReceived(EventMetadata Metadata, Guid ReturnId, Guid OrderId) : IEvent;
