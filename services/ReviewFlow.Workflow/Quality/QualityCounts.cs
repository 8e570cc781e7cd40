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
/// a few thousand rows (by the hour it would be 24 times as many: charts go by the day). The same counts by UTC hour
/// (rf_quality_hours) serve only the alarms' recent window, and are kept for <see cref="HourRetention"/>. A Marten
/// subscription (one worker at a time): the page's increments are queued in the same transaction as its progress, so each
/// decision is counted exactly once.
/// </summary>
public sealed class QualityCounter : SubscriptionBase
{
    public const string Table = "rf_quality";
    /// <summary>Human decisions by predicted and final label (the confusion matrix), by type, model version and day.</summary>
    public const string LabelsTable = "rf_quality_labels";
    /// <summary>The same counts as <see cref="Table"/> by UTC hour (column hour), for the alarms' recent window only.</summary>
    public const string HoursTable = "rf_quality_hours";
    /// <summary>How long hour rows are kept (the alarm job prunes older ones); longer ranges read the day rows.</summary>
    public static readonly TimeSpan HourRetention = TimeSpan.FromDays(8);
    public const int Bins = 100;

    public QualityCounter()
    {
        Name = "quality-counter";
        IncludeType<DocumentRouted>();
        Options.BatchSize = 500;
    }

    /// <summary>The table, created with Marten's other objects (migration).</summary>
    public static Table Definition(string schema) => CountsDefinition($"{schema}.{Table}", "day");

    public static Table HoursDefinition(string schema) => CountsDefinition($"{schema}.{HoursTable}", "hour");

    static Table CountsDefinition(string name, string bucket)
    {
        var table = new Table(name);
        table.AddColumn<string>("document_type").AsPrimaryKey();
        table.AddColumn<string>("predicted_label").AsPrimaryKey();
        table.AddColumn<string>("model_version").AsPrimaryKey();
        table.AddColumn<DateTimeOffset>(bucket).AsPrimaryKey();
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
        var routed = page.Events.Select(e => e.Data).OfType<DocumentRouted>().ToList();
        Count(operations, $"{schema}.{Table}", "day", routed, Day);
        Count(operations, $"{schema}.{HoursTable}", "hour", routed, Hour);
        foreach (var pair in routed.Where(d => d.Outcome != DecisionOutcomes.Auto)
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

    /// <summary>Increments of one counts table (by day or by hour: <paramref name="bucketOf"/>).</summary>
    static void Count(IDocumentOperations operations, string table, string bucketColumn, IEnumerable<DocumentRouted> routed,
        Func<DocumentRouted, DateTimeOffset> bucketOf)
    {
        var name = table[(table.LastIndexOf('.') + 1)..];
        foreach (var bucket in routed.GroupBy(d => (d.DocumentType, d.PredictedLabel, d.ModelVersion, bucketOf(d), QualityMath.Bin(d.Confidence, Bins))))
        {
            var (type, label, model, at, bin) = bucket.Key;
            var human = bucket.Where(d => d.Outcome != DecisionOutcomes.Auto).ToList();
            var qa = human.Where(d => d.RoutingRule == RoutingRules.QaSample).ToList();
            operations.QueueSqlCommand($"""
                insert into {table} (document_type, predicted_label, model_version, {bucketColumn}, bin, decided, auto, human, agreed,
                    corrected, rejected, qa_decided, qa_agreed, confidence_sum, human_confidence_sum)
                values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                on conflict (document_type, predicted_label, model_version, {bucketColumn}, bin) do update set
                    decided = {name}.decided + excluded.decided, auto = {name}.auto + excluded.auto,
                    human = {name}.human + excluded.human, agreed = {name}.agreed + excluded.agreed,
                    corrected = {name}.corrected + excluded.corrected, rejected = {name}.rejected + excluded.rejected,
                    qa_decided = {name}.qa_decided + excluded.qa_decided, qa_agreed = {name}.qa_agreed + excluded.qa_agreed,
                    confidence_sum = {name}.confidence_sum + excluded.confidence_sum,
                    human_confidence_sum = {name}.human_confidence_sum + excluded.human_confidence_sum
                """,
                type, label, model, at, bin, (long)bucket.Count(), (long)bucket.Count(d => d.Outcome == DecisionOutcomes.Auto),
                (long)human.Count, (long)human.Count(d => d.Outcome == DecisionOutcomes.Confirmed),
                (long)human.Count(d => d.Outcome == DecisionOutcomes.Corrected), (long)human.Count(d => d.Outcome == DecisionOutcomes.Rejected),
                (long)qa.Count, (long)qa.Count(d => d.Outcome == DecisionOutcomes.Confirmed),
                bucket.Sum(d => d.Confidence), human.Sum(d => d.Confidence));
        }
    }

    static DateTimeOffset Hour(DocumentRouted d)
    {
        var at = d.DecidedAt.ToUniversalTime();
        return new DateTimeOffset(at.Year, at.Month, at.Day, at.Hour, 0, 0, TimeSpan.Zero);
    }

    static DateTimeOffset Day(DocumentRouted d)
    {
        var at = d.DecidedAt.ToUniversalTime();
        return new DateTimeOffset(at.Year, at.Month, at.Day, 0, 0, 0, TimeSpan.Zero);
    }
}
