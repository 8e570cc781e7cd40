using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace ReviewFlow.DemoPublisher;

/// <summary>What kind of document the generator made, for the log line.</summary>
public enum Kind { Confident, Unsure, Invalid }

public sealed record DemoDocument(string DocumentId, string DocumentType, string? Label, double Confidence, Kind Kind, string Note, byte[] Body);

/// <summary>
/// Classification results as an upstream model would send them (raw camelCase JSON, the shape of docs/contracts.md):
/// invoices, contracts and claims with plausible labels, vendors, amounts and excerpts. About 70% are confident
/// (above the default policy's threshold for their type), 30% unsure, and about 2% invalid (a confidence of 1.3 or
/// no label) so that the intake's error queue has something to show. About 4 % carry a wrong label; every document
/// names its true label in <c>metadata.expectedLabel</c>, which only the simulated reviewer reads (<see cref="DemoReviewer"/>).
/// Once <see cref="Drifted"/>, a new model version sends more confident results, higher, and 35 % of them wrong: the
/// quality loop's alarm and fallback to see in infra/run-local.sh. With a <paramref name="contentSite"/> (the web host in
/// Development) four in five link to its sample documents — invoices a PDF, claims a photo, contracts a letter — and the
/// rest have no content, only the excerpt; without one, links go to a host nothing serves.
/// </summary>
public sealed class DemoDocuments(string runId, Random random, Uri? contentSite = null)
{
    public const string ModelName = "doc-classifier";
    public const string ModelVersion = "2026.11.1";
    public const string DriftedModelVersion = "2026.12.1";

    /// <summary>The new model version: confidences shifted up, labels more often wrong.</summary>
    public bool Drifted { get; set; }

    sealed record TypeProfile(string Type, string Prefix, string SourceSystem, double Threshold, LabelProfile[] Labels, string Sample);

    sealed record LabelProfile(string Label, string[] Vendors, (int Min, int Max) Amount, string[] Excerpts);

    // Thresholds of the product's default policy (services/ReviewFlow.Worker/appsettings.json); the live policy may
    // differ, so "confident"/"unsure" in the log is what the publisher intended, not what the worker decided.
    static readonly TypeProfile[] Types =
    [
        new("invoice", "INV", "ap-inbox", 0.90,
        [
            new("utilities", ["Northwind Energy", "Cityline Water", "Greenfield Gas"], (80, 4_000),
                ["Electricity for {month}, meter {n}, {amount} {currency} due in 30 days", "Water and sewage charges, account {n}, period {month}"]),
            new("telecom", ["Contoso Telecom", "Fabrikam Mobile", "Litware Fibre"], (40, 2_500),
                ["Mobile plan for 25 lines, {month}, invoice {n}", "Fibre 1 Gbit/s business line, {month}, total {amount} {currency}"]),
            new("office-supplies", ["Adventure Works Office", "Paperclip & Co", "Tailspin Supplies"], (15, 1_800),
                ["Printer toner (4), A4 paper 20 boxes, order {n}", "Desk chairs (6) and monitor arms, delivery {month}"]),
            new("travel", ["Blue Yonder Airlines", "Margie's Travel", "Alpine Rail"], (90, 6_000),
                ["Return flight FRA-LIS for 2 travellers, booking {n}", "Hotel, 3 nights, sales conference {month}, folio {n}"]),
        ], "invoice.pdf"),
        new("contract", "CTR", "legal-dms", 0.95,
        [
            new("nda", ["Woodgrove Bank", "Proseware Inc", "Wingtip Toys"], (0, 0),
                ["Mutual non-disclosure agreement, term 3 years, ref {n}", "Confidentiality undertaking for project Falcon, ref {n}"]),
            new("msa", ["Fourth Coffee", "Lucerne Publishing", "Relecloud"], (20_000, 500_000),
                ["Master services agreement, software maintenance, annual fee {amount} {currency}", "Framework agreement for consulting services, ref {n}"]),
            new("lease", ["Humongous Properties", "Alpine Leasing", "Coho Real Estate"], (12_000, 240_000),
                ["Office lease, 2nd floor, 640 m2, 5 year term from {month}", "Vehicle fleet lease, 12 cars, 36 months, ref {n}"]),
            new("employment", ["ReviewFlow GmbH", "ReviewFlow Ltd", "ReviewFlow BV"], (45_000, 140_000),
                ["Employment contract, senior engineer, start {month}, gross {amount} {currency}", "Fixed-term employment, 12 months, ref {n}"]),
        ], "contract.txt"),
        new("claim", "CLM", "claims-portal", 0.85,
        [
            new("motor", ["City Auto Repair", "Northside Garage", "Speedy Glass"], (300, 18_000),
                ["Rear-end collision on {month}, bumper and tailgate, estimate {amount} {currency}", "Windscreen replacement, policy {n}"]),
            new("property", ["Castle Builders", "Dry & Co Restoration", "Roofline Ltd"], (500, 60_000),
                ["Water damage in kitchen after pipe burst, policy {n}", "Storm damage to roof tiles, {month}, quote {amount} {currency}"]),
            new("health", ["St. Mary's Clinic", "Lakeside Dental", "Physio Plus"], (60, 9_000),
                ["Outpatient treatment {month}, invoice {n}", "Dental crown, tooth 26, patient ref {n}"]),
            new("liability", ["Harbor Legal", "Fairview Adjusters", "Oakridge Surveyors"], (1_000, 120_000),
                ["Third-party injury on premises, {month}, claim ref {n}", "Damage to neighbour's fence by contractor, ref {n}"]),
        ], "claim-photo.png"),
    ];

    static readonly string[] Currencies = ["EUR", "EUR", "EUR", "USD", "GBP", "CHF"];
    static readonly string[] Months = ["September 2026", "October 2026", "November 2026", "December 2026"];

    long _sequence;

    public DemoDocument Next()
    {
        var sequence = ++_sequence;
        var type = Types[random.Next(Types.Length)];
        var label = type.Labels[random.Next(type.Labels.Length)];
        var documentId = $"{type.Prefix}-2026-{runId}-{sequence:D6}";

        var roll = random.NextDouble();
        var kind = roll < 0.02 ? Kind.Invalid : roll < 0.02 + 0.98 * (Drifted ? 0.90 : 0.70) ? Kind.Confident : Kind.Unsure;
        var lowest = Drifted ? Math.Max(type.Threshold + 0.005, 0.95) : type.Threshold + 0.005;
        var confidence = kind == Kind.Unsure
            ? Round(0.40 + random.NextDouble() * (type.Threshold - 0.01 - 0.40))
            : Round(lowest + random.NextDouble() * ((Drifted ? 0.999 : 0.995) - lowest));

        // A wrong result: the model names another label of the type; the true one stays in metadata.expectedLabel.
        var wrong = kind != Kind.Invalid && random.NextDouble() < (Drifted ? 0.35 : 0.04);
        var sent = wrong ? type.Labels.Where(l => l != label).ElementAt(random.Next(type.Labels.Length - 1)) : label;
        string? sentLabel = sent.Label;
        var note = (kind == Kind.Confident ? $"confident (>= {type.Threshold:0.00})" : $"unsure (< {type.Threshold:0.00})") +
                   (wrong ? $", WRONG (true label {label.Label})" : "");
        if (kind == Kind.Invalid)
        {
            if (random.Next(2) == 0)
            {
                confidence = 1.3;
                note = "INVALID: confidence 1.3";
            }
            else
            {
                sentLabel = null;
                note = "INVALID: no label";
            }
        }

        var currency = Currencies[random.Next(Currencies.Length)];
        var amount = label.Amount.Max == 0 ? 0 : random.Next(label.Amount.Min, label.Amount.Max) + random.Next(100) / 100.0;
        var amountText = amount.ToString("0.00", CultureInfo.InvariantCulture);
        var excerpt = label.Excerpts[random.Next(label.Excerpts.Length)]
            .Replace("{month}", Months[random.Next(Months.Length)])
            .Replace("{n}", random.Next(100_000, 999_999).ToString(CultureInfo.InvariantCulture))
            .Replace("{amount}", amountText)
            .Replace("{currency}", currency);

        var json = new JsonObject
        {
            ["documentId"] = documentId,
            ["sourceSystem"] = type.SourceSystem,
            ["documentType"] = type.Type,
        };
        if (sentLabel is not null) json["label"] = sentLabel;
        json["confidence"] = confidence;
        json["alternatives"] = Alternatives(type, sent, confidence, wrong ? label : null);
        json["model"] = new JsonObject { ["name"] = ModelName, ["version"] = Drifted ? DriftedModelVersion : ModelVersion };
        if (contentSite is null) json["contentUri"] = $"https://dms.example.com/{type.Type}s/{documentId}.pdf";
        else if (random.NextDouble() < 0.8) json["contentUri"] = new Uri(contentSite, "demo-content/" + type.Sample).ToString();
        json["excerpt"] = excerpt;
        var metadata = new JsonObject { ["vendor"] = label.Vendors[random.Next(label.Vendors.Length)], ["expectedLabel"] = label.Label };
        if (amount > 0)
        {
            metadata["amount"] = amountText;
            metadata["currency"] = currency;
        }
        json["metadata"] = metadata;
        json["correlationId"] = Guid.NewGuid().ToString();
        json["classifiedAt"] = DateTimeOffset.UtcNow.ToString("yyyy-MM-ddTHH:mm:ss.fffZ", CultureInfo.InvariantCulture);
        // Mostly normal; some urgent and high ones get the shorter SLAs of the policy (Routing:...:PrioritySla).
        var urgency = random.NextDouble();
        if (urgency < 0.05) json["priority"] = "urgent";
        else if (urgency < 0.15) json["priority"] = "high";

        return new DemoDocument(documentId, type.Type, sentLabel, confidence, kind, note, JsonSerializer.SerializeToUtf8Bytes(json));
    }

    /// <summary>One or two other labels of the same type sharing what the top label left; the true label first when the top one is wrong.</summary>
    JsonArray Alternatives(TypeProfile type, LabelProfile top, double confidence, LabelProfile? truth)
    {
        var others = type.Labels.Where(l => l != top && l != truth).OrderBy(_ => random.Next()).Take(random.Next(1, 3)).ToList();
        if (truth is not null) others = [truth, .. others.Take(1)];
        var left = Math.Max(0, 1 - Math.Min(confidence, 1));
        var alternatives = new JsonArray();
        foreach (var other in others)
        {
            var share = Round(left * (0.3 + random.NextDouble() * 0.6));
            left -= share;
            alternatives.Add(new JsonObject { ["label"] = other.Label, ["confidence"] = share });
        }
        return alternatives;
    }

    static double Round(double value) => Math.Round(value, 3);
}
