using Marten;
using Npgsql;

namespace ReviewFlow.Workflow.Quality;

/// <summary>A filter on the counted decisions: any of type, predicted label, model version, and the period [From, To).</summary>
public sealed record QualityFilter(string? DocumentType, string? Label, string? ModelVersion, DateTimeOffset From, DateTimeOffset To);

/// <summary>How the counted rows are split beside the confidence percentile.</summary>
[Flags]
public enum QualitySplit { None = 0, Day = 1, Model = 2, Label = 4 }

/// <summary>
/// The counted decisions of one confidence percentile (bin b: [b/100, (b+1)/100)), summed over what the split leaves
/// out (Day, ModelVersion, Label are null then). Human = agreed + corrected + rejected (+ escalations settled as such).
/// </summary>
public sealed record QualityRow(DateTimeOffset? Day, string? ModelVersion, string? Label, int Bin, long Decided, long Auto, long Human,
    long Agreed, long Corrected, long Rejected, long QaDecided, long QaAgreed, double HumanConfidenceSum)
{
    public long Overrides => Corrected + Rejected;
}

/// <summary>Human decisions of one predicted label that ended with one final label.</summary>
public sealed record ConfusionCell(string Predicted, string Final, long Count);

/// <summary>
/// Reads the counts <see cref="QualityCounter"/> keeps (rf_quality, rf_quality_labels): every query groups on the table's
/// key, so it reads pre-aggregated rows, never documents or events.
/// </summary>
public sealed class QualityStore(IDocumentStore store)
{
    string Table => $"{store.Options.Events.DatabaseSchemaName}.{QualityCounter.Table}";
    string LabelsTable => $"{store.Options.Events.DatabaseSchemaName}.{QualityCounter.LabelsTable}";
    string HoursTable => $"{store.Options.Events.DatabaseSchemaName}.{QualityCounter.HoursTable}";

    /// <param name="byHour">Read the hour counts (the alarms' recent window; the period's ends are whole hours, and only
    /// the last <see cref="QualityCounter.HourRetention"/> are kept): Day is then the hour.</param>
    public async Task<List<QualityRow>> RowsAsync(QualityFilter filter, QualitySplit split, CancellationToken ct, bool byHour = false)
    {
        var bucket = byHour ? "hour" : "day";
        var keys = new List<string>();
        if (split.HasFlag(QualitySplit.Day)) keys.Add(bucket);
        if (split.HasFlag(QualitySplit.Model)) keys.Add("model_version");
        if (split.HasFlag(QualitySplit.Label)) keys.Add("predicted_label");
        keys.Add("bin");
        var columns = string.Join(", ", keys);
        var rows = new List<QualityRow>();
        await using var connection = await OpenAsync(ct);
        await using var cmd = Command(connection, filter, $"""
            select {columns}, sum(decided), sum(auto), sum(human), sum(agreed), sum(corrected), sum(rejected), sum(qa_decided),
                   sum(qa_agreed), sum(human_confidence_sum)
            from {(byHour ? HoursTable : Table)} where {Where} and {bucket} >= @from and {bucket} < @to group by {columns}
            """, filter.From, filter.To);
        await using var reader = await cmd.ExecuteReaderAsync(ct);
        while (await reader.ReadAsync(ct))
        {
            var i = 0;
            DateTimeOffset? day = split.HasFlag(QualitySplit.Day) ? new DateTimeOffset(reader.GetDateTime(i++), TimeSpan.Zero) : null;
            var model = split.HasFlag(QualitySplit.Model) ? reader.GetString(i++) : null;
            var label = split.HasFlag(QualitySplit.Label) ? reader.GetString(i++) : null;
            rows.Add(new(day, model, label, reader.GetInt32(i), reader.GetInt64(i + 1), reader.GetInt64(i + 2), reader.GetInt64(i + 3),
                reader.GetInt64(i + 4), reader.GetInt64(i + 5), reader.GetInt64(i + 6), reader.GetInt64(i + 7), reader.GetInt64(i + 8),
                reader.GetDouble(i + 9)));
        }
        return rows;
    }

    /// <summary>Drops the hour counts older than the retention (the day counts keep the history).</summary>
    public async Task<int> PruneHoursAsync(DateTimeOffset now, CancellationToken ct)
    {
        await using var connection = await OpenAsync(ct);
        await using var cmd = new NpgsqlCommand($"delete from {HoursTable} where hour < @before", connection);
        cmd.Parameters.AddWithValue("before", now - QualityCounter.HourRetention);
        return await cmd.ExecuteNonQueryAsync(ct);
    }

    /// <summary>The first day anything matching the filter (period aside) was counted: where the default drift reference starts.</summary>
    public async Task<DateTimeOffset?> FirstDayAsync(QualityFilter filter, CancellationToken ct)
    {
        await using var connection = await OpenAsync(ct);
        await using var cmd = Command(connection, filter, $"select min(day) from {Table} where {Where}");
        return await cmd.ExecuteScalarAsync(ct) is DateTime d ? new DateTimeOffset(d, TimeSpan.Zero) : null;
    }

    /// <summary>Human decisions by predicted and final label (the confusion matrix).</summary>
    public async Task<List<ConfusionCell>> ConfusionAsync(QualityFilter filter, CancellationToken ct)
    {
        var cells = new List<ConfusionCell>();
        await using var connection = await OpenAsync(ct);
        await using var cmd = Command(connection, filter, $"""
            select predicted_label, final_label, sum(decided) from {LabelsTable}
            where {Where} and day >= @from and day < @to group by predicted_label, final_label order by 1, 2
            """, filter.From, filter.To);
        await using var reader = await cmd.ExecuteReaderAsync(ct);
        while (await reader.ReadAsync(ct)) cells.Add(new(reader.GetString(0), reader.GetString(1), reader.GetInt64(2)));
        return cells;
    }

    /// <summary>The counts of the period by document type, predicted label and percentile, for the what-if and the suggestion.</summary>
    public async Task<IReadOnlyList<WhatIfCounts>> CountsAsync(DateTimeOffset from, DateTimeOffset to, CancellationToken ct)
    {
        var counts = new List<WhatIfCounts>();
        await using var connection = await OpenAsync(ct);
        await using var cmd = Command(connection, new QualityFilter(null, null, null, from, to), $"""
            select document_type, predicted_label, bin, sum(decided), sum(human), sum(corrected + rejected)
            from {Table} where day >= @from and day < @to group by document_type, predicted_label, bin
            """, from, to);
        await using var reader = await cmd.ExecuteReaderAsync(ct);
        while (await reader.ReadAsync(ct))
            counts.Add(new(reader.GetString(0), reader.GetString(1), reader.GetInt32(2), reader.GetInt64(3), reader.GetInt64(4), reader.GetInt64(5)));
        return counts;
    }

    async Task<NpgsqlConnection> OpenAsync(CancellationToken ct)
    {
        var connection = store.Storage.Database.CreateConnection();
        await connection.OpenAsync(ct);
        return connection;
    }

    const string Where = "(@type::text is null or document_type = @type) and (@label::text is null or predicted_label = @label) " +
                         "and (@model::text is null or model_version = @model)";

    static NpgsqlCommand Command(NpgsqlConnection connection, QualityFilter filter, string sql, DateTimeOffset? from = null, DateTimeOffset? to = null)
    {
        var cmd = new NpgsqlCommand(sql, connection);
        cmd.Parameters.Add(new NpgsqlParameter("type", NpgsqlTypes.NpgsqlDbType.Text) { Value = (object?)filter.DocumentType ?? DBNull.Value });
        cmd.Parameters.Add(new NpgsqlParameter("label", NpgsqlTypes.NpgsqlDbType.Text) { Value = (object?)filter.Label ?? DBNull.Value });
        cmd.Parameters.Add(new NpgsqlParameter("model", NpgsqlTypes.NpgsqlDbType.Text) { Value = (object?)filter.ModelVersion ?? DBNull.Value });
        if (from is { } f) cmd.Parameters.AddWithValue("from", f);
        if (to is { } t) cmd.Parameters.AddWithValue("to", t);
        return cmd;
    }
}
