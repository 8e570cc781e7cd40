using JasperFx.Events.Daemon;
using JasperFx.Events.Projections;
using Marten;
using Marten.Subscriptions;
using ReviewFlow.Contracts;
using ReviewFlow.Workflow.Documents;
using ReviewFlow.Workflow.Routing;
using Weasel.Postgresql.Tables;

namespace ReviewFlow.Workflow.Quality;

/// <summary>
/// Decisions counted by document type, predicted label, model version, UTC day and confidence percentile (rf_quality), and
/// human decisions by predicted and final label (rf_quality_labels):
/// the pre-aggregated history every quality figure is computed from, so a summary over a million decisions reads
/// a few thousand rows (by the hour it would be 24 times as many: charts go by the day). A Marten subscription (one worker at a time): the page's increments are queued in the same
/// transaction as its progress, so each decision is counted exactly once.
/// </summary>
public sealed class QualityCounter : SubscriptionBase
{
    public const string Table = "rf_quality";
    /// <summary>Human decisions by predicted and final label (the confusion matrix), by type, model version and day.</summary>
    public const string LabelsTable = "rf_quality_labels";
    public const int Bins = 100;

    public QualityCounter()
    {
        Name = "quality-counter";
        IncludeType<DocumentRouted>();
        Options.BatchSize = 500;
    }

    /// <summary>The table, created with Marten's other objects (migration).</summary>
    public static Table Definition(string schema)
    {
        var table = new Table($"{schema}.{Table}");
        table.AddColumn<string>("document_type").AsPrimaryKey();
        table.AddColumn<string>("predicted_label").AsPrimaryKey();
        table.AddColumn<string>("model_version").AsPrimaryKey();
        table.AddColumn<DateTimeOffset>("day").AsPrimaryKey();
        table.AddColumn<int>("bin").AsPrimaryKey();
        foreach (var counter in Counters) table.AddColumn<long>(counter).NotNull().DefaultValueByExpression("0");
        table.AddColumn<double>("confidence_sum").NotNull().DefaultValueByExpression("0");
        table.AddColumn<double>("human_confidence_sum").NotNull().DefaultValueByExpression("0");
        return table;
    }

    public static Table LabelsDefinition(string schema)
    {
        var table = new Table($"{schema}.{LabelsTable}");
        table.AddColumn<string>("document_type").AsPrimaryKey();
        table.AddColumn<string>("model_version").AsPrimaryKey();
        table.AddColumn<DateTimeOffset>("day").AsPrimaryKey();
        table.AddColumn<string>("predicted_label").AsPrimaryKey();
        table.AddColumn<string>("final_label").AsPrimaryKey();
        table.AddColumn<long>("decided").NotNull().DefaultValueByExpression("0");
        return table;
    }

    /// <summary>decided: every decision; auto: routed without a human; human: decided by people (agreed = confirmed);
    /// qa_*: the confident documents sent to review as QA samples.</summary>
    static readonly string[] Counters = ["decided", "auto", "human", "agreed", "corrected", "rejected", "qa_decided", "qa_agreed"];

    public override Task<IChangeListener> ProcessEventsAsync(EventRange page, ISubscriptionController controller,
        IDocumentOperations operations, CancellationToken cancellationToken)
    {
        var schema = operations.DocumentStore.Options.Events.DatabaseSchemaName;
        foreach (var bucket in page.Events.Select(e => e.Data).OfType<DocumentRouted>().GroupBy(Key))
        {
            var (type, label, model, day, bin) = bucket.Key;
            var human = bucket.Where(d => d.Outcome != DecisionOutcomes.Auto).ToList();
            var qa = human.Where(d => d.RoutingRule == RoutingRules.QaSample).ToList();
            operations.QueueSqlCommand($"""
                insert into {schema}.{Table} (document_type, predicted_label, model_version, day, bin, decided, auto, human, agreed,
                    corrected, rejected, qa_decided, qa_agreed, confidence_sum, human_confidence_sum)
                values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                on conflict (document_type, predicted_label, model_version, day, bin) do update set
                    decided = {Table}.decided + excluded.decided, auto = {Table}.auto + excluded.auto,
                    human = {Table}.human + excluded.human, agreed = {Table}.agreed + excluded.agreed,
                    corrected = {Table}.corrected + excluded.corrected, rejected = {Table}.rejected + excluded.rejected,
                    qa_decided = {Table}.qa_decided + excluded.qa_decided, qa_agreed = {Table}.qa_agreed + excluded.qa_agreed,
                    confidence_sum = {Table}.confidence_sum + excluded.confidence_sum,
                    human_confidence_sum = {Table}.human_confidence_sum + excluded.human_confidence_sum
                """,
                type, label, model, day, bin, (long)bucket.Count(), (long)bucket.Count(d => d.Outcome == DecisionOutcomes.Auto),
                (long)human.Count, (long)human.Count(d => d.Outcome == DecisionOutcomes.Confirmed),
                (long)human.Count(d => d.Outcome == DecisionOutcomes.Corrected), (long)human.Count(d => d.Outcome == DecisionOutcomes.Rejected),
                (long)qa.Count, (long)qa.Count(d => d.Outcome == DecisionOutcomes.Confirmed),
                bucket.Sum(d => d.Confidence), human.Sum(d => d.Confidence));
        }
        foreach (var pair in page.Events.Select(e => e.Data).OfType<DocumentRouted>().Where(d => d.Outcome != DecisionOutcomes.Auto)
                     .GroupBy(d => (d.DocumentType, d.ModelVersion, Day(d), d.PredictedLabel, d.FinalLabel)))
        {
            var (type, model, day, predicted, final) = pair.Key;
            operations.QueueSqlCommand($"""
                insert into {schema}.{LabelsTable} (document_type, model_version, day, predicted_label, final_label, decided)
                values (?, ?, ?, ?, ?, ?)
                on conflict (document_type, model_version, day, predicted_label, final_label) do update set
                    decided = {LabelsTable}.decided + excluded.decided
                """, type, model, day, predicted, final, (long)pair.Count());
        }
        return Task.FromResult<IChangeListener>(NullChangeListener.Instance);
    }

    static (string, string, string, DateTimeOffset, int) Key(DocumentRouted d) =>
        (d.DocumentType, d.PredictedLabel, d.ModelVersion, Day(d), QualityMath.Bin(d.Confidence, Bins));

    static DateTimeOffset Day(DocumentRouted d)
    {
        var at = d.DecidedAt.ToUniversalTime();
        return new DateTimeOffset(at.Year, at.Month, at.Day, 0, 0, 0, TimeSpan.Zero);
    }
}
