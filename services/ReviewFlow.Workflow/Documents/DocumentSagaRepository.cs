using Marten;
using MassTransit;
using MassTransit.Context;
using MassTransit.Middleware;
using MassTransit.Saga;
using ReviewFlow.Workflow.Operations;

namespace ReviewFlow.Workflow.Documents;

/// <summary>
/// MassTransit saga persistence on Marten (MassTransit.Marten is not served for Marten 9). One session per message:
/// the saga state and the events it recorded are written in one transaction. Optimistic concurrency comes from the
/// event stream: the append expects the stream version the state was loaded at, so of two racing messages for one
/// document, one commits and the other fails and is retried by the endpoint's retry policy on fresh state.
/// </summary>
public sealed class DocumentSagaRepository(
    IDocumentStore store, ISagaConsumeContextFactory<IDocumentSession, DocumentState> factory, ReviewFlowMetrics metrics)
    : ISagaRepositoryContextFactory<DocumentState>, ILoadSagaRepositoryContextFactory<DocumentState>
{
    public async Task Send<T>(ConsumeContext<T> context, IPipe<SagaRepositoryContext<DocumentState, T>> next) where T : class
    {
        await using var session = store.LightweightSession();
        await next.Send(new RepositoryContext<T>(session, context, factory, metrics));
    }

    public Task SendQuery<T>(ConsumeContext<T> context, ISagaQuery<DocumentState> query, IPipe<SagaRepositoryQueryContext<DocumentState, T>> next)
        where T : class =>
        throw new NotSupportedException("Document sagas are correlated by id only.");

    public async Task<T> Execute<T>(Func<LoadSagaRepositoryContext<DocumentState>, Task<T>> asyncMethod, CancellationToken cancellationToken)
        where T : class
    {
        await using var session = store.QuerySession();
        return await asyncMethod(new LoadContext(session, cancellationToken));
    }

    public void Probe(ProbeContext context) => context.Add("persistence", "marten");

    /// <summary>Appends the recorded events at the expected stream version, stores the state, commits.</summary>
    static async Task SaveAsync(IDocumentSession session, SagaConsumeContext<DocumentState> context, ConsumeContext message,
        ReviewFlowMetrics metrics, CancellationToken cancellationToken)
    {
        var saga = context.Saga;
        var recorded = PendingChanges.RecordedIn(context);
        if (recorded.Count == 0) return; // nothing happened: nothing to write
        saga.StreamVersion += recorded.Count;
        saga.Version++;
        // A stalled node must not hold an append open for long: the relay skips a sequence gap after 5 s and the
        // reconciler watches it for 10 min (RelayOptions.GapHorizon); past 10 s idle, PostgreSQL ends the transaction.
        // Per transaction, not per role: the async daemon holds its leader lock in an idle transaction.
        session.QueueSqlCommand("SET LOCAL idle_in_transaction_session_timeout = '10s'");
        session.Events.Append(saga.DocumentId, saga.StreamVersion, recorded.Cast<object>().ToArray());
        session.Store(saga);
        await session.SaveChangesAsync(cancellationToken);
        metrics.Committed(recorded, saga, message.SentTime is { } sent ? new DateTimeOffset(sent, TimeSpan.Zero) : null);
    }

    sealed class RepositoryContext<T> : ConsumeContextScope<T>, SagaRepositoryContext<DocumentState, T> where T : class
    {
        readonly IDocumentSession session;
        readonly ConsumeContext<T> Context;
        readonly ISagaConsumeContextFactory<IDocumentSession, DocumentState> factory;
        readonly ReviewFlowMetrics metrics;

        public RepositoryContext(IDocumentSession session, ConsumeContext<T> context,
            ISagaConsumeContextFactory<IDocumentSession, DocumentState> factory, ReviewFlowMetrics metrics) : base(context)
        {
            this.session = session;
            Context = context;
            this.factory = factory;
            this.metrics = metrics;
        }

        public Task<SagaConsumeContext<DocumentState, TMessage>> CreateSagaConsumeContext<TMessage>(ConsumeContext<TMessage> consumeContext,
            DocumentState instance, SagaConsumeContextMode mode) where TMessage : class =>
            factory.CreateSagaConsumeContext(session, consumeContext, instance, mode);

        public Task<SagaConsumeContext<DocumentState, T>> Add(DocumentState instance) =>
            factory.CreateSagaConsumeContext(session, Context, instance, SagaConsumeContextMode.Add);

        public Task<SagaConsumeContext<DocumentState, T>> Insert(DocumentState instance) =>
            throw new NotSupportedException("Document sagas are created by their first event, not inserted ahead of it.");

        public async Task<SagaConsumeContext<DocumentState, T>> Load(Guid correlationId)
        {
            var instance = await session.LoadAsync<DocumentState>(correlationId, CancellationToken);
            return instance is null ? null! : await factory.CreateSagaConsumeContext(session, Context, instance, SagaConsumeContextMode.Load);
        }

        public Task Save(SagaConsumeContext<DocumentState> sagaContext) => SaveAsync(session, sagaContext, Context, metrics, CancellationToken);

        public Task Update(SagaConsumeContext<DocumentState> sagaContext) => SaveAsync(session, sagaContext, Context, metrics, CancellationToken);

        public Task Delete(SagaConsumeContext<DocumentState> sagaContext) =>
            throw new NotSupportedException("Document sagas are kept: they are the document's read model.");

        public Task Discard(SagaConsumeContext<DocumentState> sagaContext) => Task.CompletedTask;

        // What the failed attempt recorded is a payload of its context and goes with it.
        public Task Undo(SagaConsumeContext<DocumentState> sagaContext) => Task.CompletedTask;
    }

    sealed class LoadContext(IQuerySession session, CancellationToken cancellationToken)
        : BasePipeContext(cancellationToken), LoadSagaRepositoryContext<DocumentState>
    {
        public Task<DocumentState> Load(Guid correlationId) => session.LoadAsync<DocumentState>(correlationId, CancellationToken)!;
    }
}
