using Marten;
using Npgsql;

namespace ReviewFlow.Workflow.Quality;

/// <summary>A filter on the counted decisions: any of type, predicted label, model version, and the period [From, To).</summary>
public sealed record QualityFilter(string? DocumentType, string? Label, string? ModelVersion, DateTimeOffset From, DateTimeOffset To);

/// <summary>One bin of the reliability diagram (human-decided documents); OnlyEscalated: no QA sample fell in it.</summary>
public sealed record CalibrationPoint(double From, double To, long Count, long Agreed, double? MeanConfidence, double? Accuracy, bool OnlyEscalated);

/// <summary>GET /api/v1/quality/summary.</summary>
public sealed record QualitySummary(
    QualityFilter Filter, long Decided, long AutoRouted, long HumanDecided, double? AutoRate, double? ReviewRate,
    long Overrides, double? OverrideRate, Proportion AutoAccuracy, double? Ece, IReadOnlyList<CalibrationPoint> Calibration,
    double? Psi, double? LabelPsi, DateTimeOffset? ReferenceFrom, DateTimeOffset? ReferenceTo);

/// <summary>
/// The model's quality as humans saw it, computed from the counted decisions (<see cref="QualityCounter"/>) with
/// <see cref="QualityMath"/>. Drift compares the period with the model version's first <see cref="ReferenceDays"/> days.
/// </summary>
public sealed class QualitySummaries(IDocumentStore store)
{
    public static readonly TimeSpan ReferenceDays = TimeSpan.FromDays(7);
    const int Bands = 10;

    sealed record Row(int Bin, long Decided, long Auto, long Human, long Agreed, long Corrected, long Rejected, long QaDecided,
        long QaAgreed, double HumanConfidenceSum);

    public async Task<QualitySummary> SummarizeAsync(QualityFilter filter, CancellationToken ct)
    {
        await using var connection = store.Storage.Database.CreateConnection();
        await connection.OpenAsync(ct);
        var table = $"{store.Options.Events.DatabaseSchemaName}.{QualityCounter.Table}";

        var rows = new List<Row>();
        await using (var cmd = Command(connection, filter, $"""
            select bin, sum(decided), sum(auto), sum(human), sum(agreed), sum(corrected), sum(rejected), sum(qa_decided), sum(qa_agreed),
                   sum(human_confidence_sum)
            from {table} where {Where} and day >= @from and day < @to group by bin
            """, filter.From, filter.To))
        await using (var reader = await cmd.ExecuteReaderAsync(ct))
            while (await reader.ReadAsync(ct))
                rows.Add(new(reader.GetInt32(0), reader.GetInt64(1), reader.GetInt64(2), reader.GetInt64(3), reader.GetInt64(4),
                    reader.GetInt64(5), reader.GetInt64(6), reader.GetInt64(7), reader.GetInt64(8), reader.GetDouble(9)));

        long decided = rows.Sum(r => r.Decided), auto = rows.Sum(r => r.Auto), human = rows.Sum(r => r.Human);
        var overrides = rows.Sum(r => r.Corrected + r.Rejected);
        var band = (Row r) => r.Bin * Bands / QualityCounter.Bins;

        // Auto accuracy: the confident traffic (auto-routed + QA-sampled) by band, each band's QA samples as its evidence.
        var bands = rows.GroupBy(band).Where(g => g.Sum(r => r.Auto + r.QaDecided) > 0)
            .Select(g => new Band(g.Sum(r => r.Auto + r.QaDecided), g.Sum(r => r.QaAgreed), g.Sum(r => r.QaDecided))).ToList();
        var calibration = Enumerable.Range(0, Bands).Select(b =>
        {
            var inBin = rows.Where(r => band(r) == b).ToList();
            long count = inBin.Sum(r => r.Human), agreed = inBin.Sum(r => r.Agreed);
            return new CalibrationPoint(b / (double)Bands, (b + 1) / (double)Bands, count, agreed,
                count == 0 ? null : inBin.Sum(r => r.HumanConfidenceSum) / count, count == 0 ? null : (double)agreed / count,
                count > 0 && inBin.Sum(r => r.QaDecided) == 0);
        }).ToList();
        var ece = human == 0 ? (double?)null : QualityMath.ExpectedCalibrationError(calibration.Where(c => c.Count > 0)
            .Select(c => new CalibrationBin(c.Count, c.MeanConfidence!.Value, c.Agreed)).ToList());

        var (psi, labelPsi, referenceFrom, referenceTo) = await DriftAsync(connection, table, filter, rows, ct);
        return new QualitySummary(filter, decided, auto, human, Share(auto, decided), Share(human, decided), overrides,
            Share(overrides, human), bands.Count == 0 ? QualityMath.Wilson(0, 0) : QualityMath.Stratified(bands), ece, calibration,
            psi, labelPsi, referenceFrom, referenceTo);
    }

    /// <summary>PSI of the confidence (10 bands) and of the predicted labels: the period against the first days counted.</summary>
    async Task<(double?, double?, DateTimeOffset?, DateTimeOffset?)> DriftAsync(NpgsqlConnection connection, string table,
        QualityFilter filter, List<Row> period, CancellationToken ct)
    {
        DateTimeOffset? first;
        await using (var cmd = Command(connection, filter, $"select min(day) from {table} where {Where}"))
            first = await cmd.ExecuteScalarAsync(ct) is DateTime d ? new DateTimeOffset(d, TimeSpan.Zero) : null;
        if (first is not { } from || period.Count == 0) return (null, null, null, null);
        var to = from + ReferenceDays;

        var reference = new long[Bands];
        await using (var cmd = Command(connection, filter, $"select bin, sum(decided) from {table} where {Where} and day >= @from and day < @to group by bin", from, to))
        await using (var reader = await cmd.ExecuteReaderAsync(ct))
            while (await reader.ReadAsync(ct)) reference[reader.GetInt32(0) * Bands / QualityCounter.Bins] += reader.GetInt64(1);
        var recent = new long[Bands];
        foreach (var r in period) recent[r.Bin * Bands / QualityCounter.Bins] += r.Decided;

        var labels = new Dictionary<string, (long Reference, long Recent)>();
        await using (var cmd = Command(connection, filter, $"""
            select predicted_label, sum(decided) filter (where day >= @rfrom and day < @rto), sum(decided) filter (where day >= @from and day < @to)
            from {table} where {Where} group by predicted_label
            """, filter.From, filter.To))
        {
            cmd.Parameters.AddWithValue("rfrom", from);
            cmd.Parameters.AddWithValue("rto", to);
            await using var reader = await cmd.ExecuteReaderAsync(ct);
            while (await reader.ReadAsync(ct))
                labels[reader.GetString(0)] = (reader.IsDBNull(1) ? 0 : reader.GetInt64(1), reader.IsDBNull(2) ? 0 : reader.GetInt64(2));
        }
        var psi = QualityMath.PopulationStabilityIndex(reference, recent);
        var labelPsi = QualityMath.PopulationStabilityIndex(labels.Values.Select(v => v.Reference).ToList(), labels.Values.Select(v => v.Recent).ToList());
        return (psi, labelPsi, from, to);
    }

    /// <summary>The counts of the period by document type, predicted label and percentile, for the what-if.</summary>
    public async Task<IReadOnlyList<WhatIfCounts>> CountsAsync(DateTimeOffset from, DateTimeOffset to, CancellationToken ct)
    {
        await using var connection = store.Storage.Database.CreateConnection();
        await connection.OpenAsync(ct);
        var table = $"{store.Options.Events.DatabaseSchemaName}.{QualityCounter.Table}";
        var counts = new List<WhatIfCounts>();
        await using var cmd = Command(connection, new QualityFilter(null, null, null, from, to), $"""
            select document_type, predicted_label, bin, sum(decided), sum(human), sum(corrected + rejected)
            from {table} where day >= @from and day < @to group by document_type, predicted_label, bin
            """, from, to);
        await using var reader = await cmd.ExecuteReaderAsync(ct);
        while (await reader.ReadAsync(ct))
            counts.Add(new(reader.GetString(0), reader.GetString(1), reader.GetInt32(2), reader.GetInt64(3), reader.GetInt64(4), reader.GetInt64(5)));
        return counts;
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

    static double? Share(long part, long whole) => whole == 0 ? null : (double)part / whole;
}
